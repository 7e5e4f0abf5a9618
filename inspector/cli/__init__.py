"""The `inspector` command-line interface."""
