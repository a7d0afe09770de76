"""The audit log read back: a bad line is skipped and counted, a log that is not a regular
file is never read (nor blocks), a linked folder is refused, the log rotates past a size
with every refusal still remembered, and reading it keeps memory bounded."""

from __future__ import annotations

import json
import os
import threading
import tracemalloc

import pytest

from orgtui import files, loading
from orgtui.cli import main
from orgtui.errors import StoreError
from orgtui.files import audit

ORG = "o-aaaaaaaaaa"
ACC = "222222222222"
PHONE = "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"

BAD_LINES = [
    b'{"event": "remove-error", "note": "caf\xe9"}',  # not UTF-8
    b"null",
    b"[1]",
    b"42",
    b"[" * 100_000,  # past the recursion limit
    b'{"n": ' + b"9" * 5000 + b"}",  # an integer over Python's 4,300 digits
]


def refusal() -> None:
    files.append_audit(
        "remove-error",
        organization_id=ORG,
        account_id=ACC,
        code="ConstraintViolationException",
        reason=PHONE,
    )


def write_bad_lines() -> None:
    with open(files.audit_log_path(), "ab") as log:
        for line in BAD_LINES:
            log.write(line + b"\n")


def test_bad_lines_are_skipped_and_counted_and_the_rest_is_read():
    refusal()
    write_bad_lines()
    refusal()
    problems: list[str] = []
    refusals = files.read_refusals(ORG, problems=problems)
    assert [r.reason for r in refusals[ACC]] == [PHONE, PHONE]
    assert problems == [
        f"audit log: {len(BAD_LINES)} lines could not be read, see {files.audit_log_path()}"
    ]


def test_a_report_with_a_bad_log_says_so_and_goes_on(capsys):
    main(["--demo", "audit", "--report", "json", "--no-cache"])  # makes the demo folders
    capsys.readouterr()
    files.use_demo_folders(True)
    try:
        files.ensure_dir(files.audit_log_path().parent)
        write_bad_lines()
        log = files.audit_log_path()
    finally:
        files.use_demo_folders(False)
    code = main(["--demo", "audit", "--report", "json", "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["accounts"]
    assert f"{len(BAD_LINES)} lines could not be read, see {log}" in err
    assert "Unexpected error" not in err and "Traceback" not in err


def test_a_load_goes_on_when_the_cached_stage_fails(monkeypatch):
    """The cached picture's read sat outside the load's error handling: the TUI waited on
    'Reading OUs and accounts...' forever. Now its failure is a problem, and the load goes
    on to its own error (here: no credentials, in words)."""

    def broken(*_a, **_k):
        raise UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")

    monkeypatch.setattr(files, "load_snapshot", broken)
    options = loading.LoadOptions(read_cache=True, cache_key="k")
    from orgtui.aws.session import AwsContext, SessionOptions

    ctx = AwsContext(SessionOptions(region="us-east-1", endpoint_url="http://127.0.0.1:9"))
    stages = loading.stages(ctx, options)
    first = next(stages)
    assert first.name == "cached" and first.snapshot is None
    assert "The cached picture was not read" in first.problems[0]
    with pytest.raises(loading.LoadFailed):
        next(stages)


@pytest.mark.parametrize("kind", ["fifo", "link", "folder"])
def test_a_log_that_is_not_a_regular_file_is_never_read(tmp_path, kind):
    log = files.audit_log_path()
    files.ensure_dir(log.parent)
    if kind == "fifo":
        os.mkfifo(log)
    elif kind == "link":
        target = tmp_path / "elsewhere.jsonl"
        target.write_text(json.dumps({"event": "remove-error"}) + "\n")
        log.symlink_to(target)
    else:
        log.mkdir()
    problems: list[str] = []
    found: dict = {}
    # a FIFO opened for reading without O_NONBLOCK would wait for a writer forever
    reader = threading.Thread(
        target=lambda: found.update(files.read_refusals(ORG, problems=problems))
    )
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading the log blocked"
    assert found == {}
    (problem,) = problems
    assert f"The audit log {log} was not read" in problem
    assert ("symbolic link" if kind == "link" else "not a regular file") in problem
    with pytest.raises(StoreError):
        files.append_audit("remove-started")


def test_a_fifo_in_the_logs_place_refuses_the_write_without_blocking():
    log = files.audit_log_path()
    files.ensure_dir(log.parent)
    os.mkfifo(log)
    errors: list[StoreError] = []

    def write() -> None:
        try:
            files.append_audit("remove-started")
        except StoreError as exc:
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=10)
    assert not writer.is_alive(), "the write blocked on the FIFO"
    (err,) = errors
    assert "not a regular file" in err.what


@pytest.mark.parametrize("folder", ["log", "tag-backups"])
def test_a_linked_folder_below_orgtuis_own_is_refused(tmp_path, folder):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if folder == "log":
        linked = files.audit_log_path().parent
        files.ensure_dir(linked.parent)
        linked.symlink_to(elsewhere, target_is_directory=True)
        with pytest.raises(StoreError) as err:
            files.append_audit("remove-started")
    else:
        linked = files.tag_backup_dir(ORG)
        files.ensure_dir(linked.parent)
        linked.symlink_to(elsewhere, target_is_directory=True)
        with pytest.raises(StoreError) as err:
            files.backup_tags(ORG, ACC, {"team": "x"})
    assert f"{linked} is a symbolic link" in err.value.what
    assert list(elsewhere.iterdir()) == []


def test_the_log_rotates_past_its_size_and_keeps_every_refusal(monkeypatch):
    monkeypatch.setattr(audit, "ROTATE_BYTES", 4096)
    refusal()
    for i in range(100):
        files.append_audit("remove-started", organization_id=ORG, account_id=f"{i:012d}")
    log = files.audit_log_path()
    old = sorted(log.parent.glob("audit-*.jsonl"))
    assert old, "the log did not rotate"
    assert log.stat().st_size < 4096 + 1024
    # every line ever written is in one of the files, once (the refusal also carried)
    every = [json.loads(line) for f in [*old, log] for line in f.read_text().splitlines()]
    started = [r["account_id"] for r in every if r["event"] == "remove-started"]
    assert started == [f"{i:012d}" for i in range(100)]
    for f in old:
        assert oct(f.stat().st_mode & 0o777) == "0o600"
    # the refusal is still remembered from the current log alone
    assert [r.reason for r in files.read_refusals(ORG)[ACC]] == [PHONE]


def test_reading_a_large_log_keeps_memory_bounded():
    line = json.dumps({"event": "remove-started", "organization_id": ORG, "pad": "x" * 200})
    with open(files.ensure_dir(files.audit_log_path().parent) / "audit.jsonl", "w") as log:
        for _ in range(40_000):  # ~10 MB
            log.write(line + "\n")
    refusal()
    tracemalloc.start()
    try:
        refusals = files.read_refusals(ORG)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r.reason for r in refusals[ACC]] == [PHONE]
    assert peak < 1_000_000, peak  # a line at a time, not the file
