"""Per-role task inboxes: what each person may see and do with human tasks."""
