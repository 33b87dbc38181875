"""Authentication: password hashing, personal API tokens, login rate limits, the current user."""
