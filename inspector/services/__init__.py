"""Service operations: every user action, used alike by the desktop app, the CLI, the reports and the sync."""
