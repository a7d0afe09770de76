"""Shared fixtures: isolated file locations and AWS environment, a moto server, the demo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

# A fixed clock for the demo and the readiness rules, so snapshots and findings are stable.
DEMO_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Every test gets its own platformdirs folders and an AWS environment with no
    credentials, profiles or instance metadata of the machine running the suite."""
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / "xdg" / var.lower()))
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "123456789012")
    from orgtui import files

    files.use_demo_folders(False)  # a CLI run with --demo in this process switched it on
    return tmp_path


@pytest.fixture
def aws_credentials(monkeypatch):
    """Fake static credentials for moto."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


@pytest.fixture
def server(aws_credentials):
    """A moto server behind the fault-injecting proxy (tests/support/faults.py), with
    nothing in it; a test module that needs an organization in it builds its own."""
    from tests.support.faults import FaultServer

    with FaultServer() as running:
        yield running


@pytest.fixture
def fast_backoff(monkeypatch):
    """Every wait between attempts scaled down (botocore's throttle backoff, orgtui's
    read and write throttle backoffs, the confirmation after a removal): a throttled
    test costs a second or two, and the attempts happen in the same number."""
    from botocore.retries import standard

    from orgtui.aws import removal, writes
    from orgtui.aws import session as session_mod

    monkeypatch.setitem(
        standard.ExponentialBackoff._DEFAULT_BACKOFF_CONFIG, "throttling_base_scale", 0.02
    )
    monkeypatch.setattr(session_mod, "READ_THROTTLE_BACKOFF", (0.01, 0.01, 0.01))
    monkeypatch.setattr(writes, "THROTTLE_BACKOFF", (0.01,) * 7)
    monkeypatch.setattr(removal, "CONFIRM_BACKOFF", (0.01,))


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_endpoint(_moto_server, aws_credentials) -> str:
    """The URL of a moto server (one per test process), reset before each test."""
    import urllib.request

    urllib.request.urlopen(
        urllib.request.Request(f"{_moto_server}/moto-api/reset", method="POST")
    ).read()
    return _moto_server


@pytest.fixture
def demo(isolated_env):
    """The demo organization in-process (moto mock), with the fixed clock."""
    from orgtui import demo as demo_mod

    running = demo_mod.start(now=DEMO_NOW)
    yield running
    running.stop()


def pytest_collection_finish(session):
    """Freeze what is alive once the tests are collected (textual, boto3, moto and the
    test modules live to the end anyway), so that garbage collections scan only what the
    tests allocate. At exit pytest collects five times over the whole heap; an xdist
    worker that takes more than 5 s to finish is sent SIGINT by execnet, and that
    KeyboardInterrupt, landing in hypothesis's gc callback, printed a traceback at the
    end of the run."""
    import gc

    gc.collect()
    gc.freeze()
