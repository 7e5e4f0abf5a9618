"""Grids as data: the file format, its validator, and the registry of grid versions."""
