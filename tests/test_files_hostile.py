"""orgtui's records under a full disk, symbolic links and hostile identifiers: whole lines or
nothing, no empty backups, nothing written outside orgtui's folders, no folder chmodded
that orgtui did not create."""

from __future__ import annotations

import json
import os
import stat

import pytest

from orgtui import files
from orgtui.errors import OrgtuiError, StoreError


def _short_writes(monkeypatch, allow: int) -> None:
    """os.write writes at most `allow` bytes in all, then nothing (a disk filling up)."""
    real = os.write
    left = [allow]

    def short(fd, data):
        n = min(len(data), left[0])
        left[0] -= n
        return real(fd, bytes(data[:n])) if n else 0

    monkeypatch.setattr(os, "write", short)


def test_audit_line_written_short_is_undone_and_raises(monkeypatch):
    files.append_audit("first", account_id="111122223333")
    size = files.audit_log_path().stat().st_size
    with monkeypatch.context() as patched, pytest.raises(StoreError) as err:
        _short_writes(patched, allow=20)
        files.append_audit("remove-started", account_id="111122223333", pad="x" * 5000)
    assert "No space left" in err.value.what
    assert files.audit_log_path().stat().st_size == size  # no torn line left behind
    assert [r["event"] for r in files.read_audit()] == ["first"]


def test_audit_line_over_one_write_is_whole(monkeypatch):
    """A long line written in several os.write calls (each short) still lands whole."""
    real = os.write
    with monkeypatch.context() as patched:
        patched.setattr(os, "write", lambda fd, data: real(fd, bytes(data[:4096])))
        files.append_audit("remove-started", pad="y" * 20000)
    (record,) = files.read_audit()
    assert record["pad"] == "y" * 20000


def test_audit_line_on_a_full_disk_in_a_subprocess(tmp_path):
    """A real file-size limit (RLIMIT_FSIZE): the append fails whole, nothing torn."""
    import subprocess
    import sys

    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "from orgtui import files\n"
        "files.append_audit('first')\n"
        "size = files.audit_log_path().stat().st_size\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (size + 100, hard))\n"
        "try:\n"
        "    files.append_audit('remove-started', pad='z' * 4096)\n"
        "except files.StoreError as exc:\n"
        "    print('refused', exc.what)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))\n"
        "print(files.audit_log_path().stat().st_size == size)\n"
    )
    env = dict(os.environ)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("refused ") and lines[-1] == "True", result.stdout


def test_a_backup_that_cannot_be_written_whole_is_removed(monkeypatch):
    with monkeypatch.context() as patched, pytest.raises(StoreError):
        _short_writes(patched, allow=10)
        files.backup_tags("o-abcdefghij", "111122223333", {"team": "x" * 1000})
    folder = files.tag_backup_dir("o-abcdefghij")
    assert list(folder.glob("*.json")) == []


@pytest.mark.parametrize("org_id", ["../../x", "/tmp/evil", "o-abc/../../x", "", "o-SHORT"])
def test_a_hostile_organization_id_never_names_a_folder(org_id):
    with pytest.raises(OrgtuiError) as err:
        files.backup_tags(org_id, "111122223333", {})
    assert "not a valid AWS Organizations identifier" in err.value.what


def test_a_hostile_account_id_never_names_a_file():
    with pytest.raises(OrgtuiError):
        files.backup_tags("o-abcdefghij", "../111122223333", {})


def test_the_audit_log_is_never_written_through_a_link(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("")
    log = files.audit_log_path()
    files.ensure_dir(log.parent)
    log.symlink_to(target)
    with pytest.raises(StoreError) as err:
        files.append_audit("remove-started")
    assert "symbolic link" in err.value.what and "Remove the link" in err.value.fix
    assert target.read_text() == ""


def test_a_backup_is_never_written_through_a_link(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere.json"
    folder = files.ensure_dir(files.tag_backup_dir("o-abcdefghij"))
    from datetime import datetime, timezone

    from orgtui.files import backups

    fixed = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed

    monkeypatch.setattr(backups, "datetime", Clock)
    (folder / "111122223333-20261129T100000000000Z.json").symlink_to(target)
    with pytest.raises(StoreError):
        files.backup_tags("o-abcdefghij", "111122223333", {"a": "b"})
    assert not target.exists()


def test_an_existing_folder_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    files.ensure_dir(shared / "orgtui" / "log")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "orgtui").stat().st_mode) == 0o700
    assert stat.S_IMODE((shared / "orgtui" / "log").stat().st_mode) == 0o700


def _cache_with(demo_snapshot_dict, mutate) -> None:
    data = json.loads(json.dumps(demo_snapshot_dict))
    mutate(data)
    path = files.snapshot_path("k1")
    files.ensure_dir(path.parent)
    path.write_text(json.dumps(data))


@pytest.fixture
def snapshot_dict(demo):
    from orgtui import loading
    from orgtui.aws.session import AwsContext, SessionOptions
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    ctx = AwsContext(SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS))
    snap, _ = loading.load(ctx, loading.LoadOptions())
    return files.snapshot_to_dict(snap)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["accounts"][0].__setitem__(1, 123),  # a name that is a number
        lambda d: d["accounts"][0].__setitem__(0, "../../etc"),  # an id that is a path
        lambda d: d["organization"].__setitem__(0, "../../x"),
        lambda d: d["organization"].__setitem__(2, "not-an-account"),
        lambda d: d["tags"].__setitem__("111122223333", {"k": ["not", "text"]}),
        lambda d: d.__setitem__("ous", [["ou-zzzz-zzzzzzzz", None, "", "r-abcd"]]),
    ],
    ids=["name-number", "account-path", "org-path", "mgmt-id", "tag-list", "ou-name"],
)
def test_a_cache_that_fails_validation_is_set_aside(snapshot_dict, mutate):
    _cache_with(snapshot_dict, mutate)
    problems: list[str] = []
    assert files.load_snapshot("k1", problems=problems) is None
    assert len(problems) == 1 and "could not be read" in problems[0]
    assert files.snapshot_path("k1").with_name("k1.json.bad").exists()


def test_a_cache_that_is_a_link_is_not_followed(tmp_path, snapshot_dict):
    target = tmp_path / "planted.json"
    target.write_text(json.dumps(snapshot_dict))
    path = files.snapshot_path("k1")
    files.ensure_dir(path.parent)
    path.symlink_to(target)
    problems: list[str] = []
    assert files.load_snapshot("k1", problems=problems) is None
    assert problems and target.exists()
