"""PySide6 widgets: they display snapshots and forward intents; they never hold the truth."""
