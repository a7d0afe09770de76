"""Allow `python -m orgtui`."""

from orgtui.cli import entry

entry()
