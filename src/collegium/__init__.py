"""Collegium: collective management of production by those who do the work."""

__version__ = "0.1.0"
