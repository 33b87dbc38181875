"""Service-level clocks on tasks: limits from the model, green/yellow/red, pause, extension, urge,
breach facts, notifications, and the supervisors' view."""
