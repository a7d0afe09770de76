"""Allow `python -m orgtui`."""

from orgtui.cli import main

raise SystemExit(main())
