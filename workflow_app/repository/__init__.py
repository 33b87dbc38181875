"""The process repository and the instance store: persistence below the services."""
