"""The embedded demo: a sample organization served by moto in-process, no AWS needed.

`start()` seeds the organization (see `sample.py`) and installs the refusal rules that
moto lacks (see `rules.py`), so orgtui's own code path is the one real AWS exercises.
"""

from orgtui.demo.runtime import DEMO_CREDENTIALS, DEMO_REGION, DemoOrg, start

__all__ = ["DEMO_CREDENTIALS", "DEMO_REGION", "DemoOrg", "start"]
