"""Screens pushed over the main screen: help (and the removal dialog)."""
