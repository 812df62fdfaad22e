"""Casework: rectification cases (排查整改) that move through versioned workflows."""

__version__ = "0.1.0"
