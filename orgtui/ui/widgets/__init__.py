"""Widgets of the main screen: the organization tree, the detail pane, header and status."""
