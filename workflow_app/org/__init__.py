"""Organisation: the unit tree, roles, people, and who may act where."""
