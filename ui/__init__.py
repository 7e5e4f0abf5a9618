"""Qt layer of Inspector (PySide6): screens, item models and the task runner; imports the core, never the reverse."""
