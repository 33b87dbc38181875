"""The event catalogue: what may be filed, with which time limit, closing condition and responsible
department type; locality overrides of limits; and the index of filed events for duplicate hints."""
