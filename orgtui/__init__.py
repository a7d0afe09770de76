"""orgtui: a terminal UI for AWS Organizations administrators."""

__version__ = "0.1.0"
