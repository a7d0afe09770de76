"""Bad local files: a corrupt settings file or cache is reported and set aside and orgtui
runs on; an unwritable audit-log or backup folder is reported and removal refused until it
is fixed; every file orgtui writes is 0600 and every folder of its own 0700.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgtui import files
from orgtui.aws import removal
from orgtui.aws.loader import Loader
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from orgtui.cli import main
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, BuiltOrg, OuSpec, build_org

INVITED = {"joined_method": "INVITED", "joined_days_ago": 400}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- settings ----------------------------------------------------------------------------


def test_corrupt_settings_are_reported_set_aside_and_orgtui_runs(capsys):
    path = files.config_path()
    path.parent.mkdir(parents=True)
    path.write_text("concurrency = = 3\n[[[")
    code, out, err = run(capsys, "audit", "--report", "json", "--demo")
    assert code == 0, err
    assert json.loads(out)["summary"]["accounts"] > 0
    assert "Traceback" not in err
    line = next(x for x in err.splitlines() if x.startswith("orgtui: settings:"))
    assert str(path) in line and "could not be read" in line and "Defaults are used" in line
    aside = path.with_name("config.toml.bad")
    assert f"moved to {aside}" in line
    assert not path.exists() and aside.read_text() == "concurrency = = 3\n[[["
    # Set aside once: the next run is quiet.
    code, _, err = run(capsys, "audit", "--report", "json", "--demo")
    assert code == 0 and "orgtui: settings:" not in err


def test_settings_not_utf8_are_set_aside(capsys):
    path = files.config_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'profile = "\xff\xfe"\n')
    code, _, err = run(capsys, "audit", "--report", "csv", "--demo")
    assert code == 0, err
    assert "could not be read" in err
    assert path.with_name("config.toml.bad").exists()


def test_bad_setting_values_are_reported_with_their_key(capsys):
    path = files.config_path()
    path.parent.mkdir(parents=True)
    path.write_text('concurrency = "many"\ncache = "yes"\ncolour = "blue"\nregion = 7\n')
    code, out, err = run(capsys, "audit", "--report", "json", "--demo")
    assert code == 0, err
    assert json.loads(out)["accounts"]
    lines = [x for x in err.splitlines() if x.startswith("orgtui: settings:")]
    assert len(lines) == 4, err
    text = "\n".join(lines)
    assert "'concurrency' must be \"auto\" or a whole number from 1 to 64" in text
    assert "'cache' must be a bool" in text
    assert "unknown setting 'colour'" in text
    assert "'region' must be a str" in text
    # Bad values are reported, not set aside: the file is the user's to correct.
    assert path.exists()


# --- snapshot cache ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"\x00\xff",
        b"[]",
        b'{"format": "x"}',
        b'{"format": "orgtui-snapshot", "version": 1}',
    ],
)
def test_corrupt_cache_is_reported_and_set_aside(content):
    key = files.cache_key(None, "http://x", None)
    path = files.snapshot_path(key)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    problems: list[str] = []
    assert files.load_snapshot(key, problems=problems) is None
    assert not path.exists()
    aside = path.with_name(path.name + ".bad")
    assert aside.read_bytes() == content
    assert len(problems) == 1 and str(aside) in problems[0] and "read afresh" in problems[0]
    # Gone from the way: the next start finds no cache and says nothing.
    problems.clear()
    assert files.load_snapshot(key, problems=problems) is None and problems == []


def test_headless_audit_over_a_corrupt_cache(capsys, moto_endpoint):
    import boto3

    client = boto3.client("organizations", region_name="us-east-1", endpoint_url=moto_endpoint)
    client.create_organization(FeatureSet="ALL")
    from orgtui.aws.session import AwsContext, SessionOptions

    inputs = AwsContext(SessionOptions(endpoint_url=moto_endpoint)).credential_inputs()
    key = files.cache_key(None, moto_endpoint, None, inputs)  # as the CLI names it
    path = files.snapshot_path(key)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    code, out, err = run(capsys, "audit", "--report", "json", "--endpoint-url", moto_endpoint)
    assert code == 0, err
    assert json.loads(out)["summary"]["accounts"] == 1
    assert files.load_snapshot(key) is not None  # replaced by what was read


# --- unwritable audit log or backup folder --------------------------------------------------


class Org:
    def __init__(self, server: FaultServer, built: BuiltOrg) -> None:
        self.server = server
        self.built = built
        self.ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
            )
        )
        self.snap = Loader(self.ctx).load()
        server.counts.clear()

    @property
    def writes(self) -> dict[str, int]:
        return {
            op: n
            for op, n in self.server.counts.items()
            if not op.startswith(READ_PREFIXES) and not op.startswith("/")
        }


@pytest.fixture
def org(aws_credentials) -> Iterator[Org]:
    with FaultServer() as server:
        built = build_org(
            server.client("organizations"),
            (
                OuSpec(
                    "Out",
                    (AccountSpec("a", tags={"k": "v"}, **INVITED), AccountSpec("b", **INVITED)),
                ),
            ),
        )
        yield Org(server, built)


def _block(env: str, tmp_path: Path, monkeypatch) -> Path:
    """Point an XDG folder at a file: nothing can be created below it (even for root)."""
    blocker = tmp_path / f"blocked-{env.lower()}"
    blocker.write_text("")
    monkeypatch.setenv(env, str(blocker))
    return blocker


@pytest.mark.parametrize(
    "env, words", [("XDG_STATE_HOME", "log"), ("XDG_DATA_HOME", "tag-backups")]
)
def test_unwritable_folder_refuses_removal_until_fixed(org, monkeypatch, tmp_path, env, words):
    blocker = _block(env, tmp_path, monkeypatch)
    with pytest.raises(files.StoreError) as caught:
        files.check_writable()
    assert words in caught.value.what and "writable" in caught.value.fix

    account = org.built.accounts["a"]
    outcome = removal.remove(org.ctx, org.snap, account)
    assert outcome.status == "refused" and not outcome.sent
    assert outcome.what.startswith("Nothing was sent: Could not write") and words in outcome.what
    assert "no account is removed until it is" in outcome.fix
    assert org.writes == {}

    # Fixed: the same removal goes through, with its backup and audit lines.
    blocker.unlink()
    outcome = removal.remove(org.ctx, org.snap, account)
    assert outcome.status == "removed", outcome.what
    assert org.writes == {"RemoveAccountFromOrganization": 1}
    assert [r["event"] for r in files.read_audit()][-2:] == ["remove-started", "remove-ok"]


def test_audit_log_that_is_a_folder_refuses_removal(org):
    """A log path that can't be opened as a file (here a folder) is reported like a full
    disk: refused, in words, nothing sent."""
    files.audit_log_path().mkdir(parents=True)
    outcome = removal.remove(org.ctx, org.snap, org.built.accounts["b"])
    assert outcome.status == "refused" and not outcome.sent
    assert "audit.jsonl" in outcome.what
    assert org.writes == {}


# --- permissions -----------------------------------------------------------------------------


def test_every_file_is_0600_and_every_folder_0700(org, isolated_env, capsys):
    """Settings, cache, audit log and tag backups, after a report and a removal."""
    files.save_setting("concurrency", 3)
    code = main(["audit", "--report", "json", "--endpoint-url", org.server.url])
    capsys.readouterr()
    assert code == 0
    outcome = removal.remove(org.ctx, org.snap, org.built.accounts["a"])
    assert outcome.status == "removed"

    roots = [
        isolated_env / "xdg" / d
        for d in ("xdg_config_home", "xdg_cache_home", "xdg_state_home", "xdg_data_home")
    ]
    found, folders = [], []
    for root in roots:
        app = root / "orgtui"
        assert app.is_dir(), f"nothing written under {root}"
        folders.append(app)
        for dirpath, dirnames, filenames in os.walk(app):
            folders += [Path(dirpath) / d for d in dirnames]
            found += [Path(dirpath) / f for f in filenames]
    kinds = {p.suffix for p in found}
    assert {".toml", ".json", ".jsonl"} <= kinds
    assert any("tag-backups" in str(p) for p in found)
    wrong = {str(p): oct(mode(p)) for p in found if mode(p) != 0o600}
    wrong |= {str(p): oct(mode(p)) for p in folders if mode(p) != 0o700}
    assert wrong == {}
