"""The hand-over file (files/handover.py, --invite-from): an orgtui JSON report read from
someone else. Anything else is refused in words, never a traceback: not JSON, another
shape, a bad account id, tags beyond AWS's limits, another partition, a link, a FIFO, a
file too big. Hostile names are cleaned; 10,000 accounts are read."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import pytest

from orgtui import report
from orgtui.errors import OrgtuiError
from orgtui.files import handover as handover_mod
from orgtui.files import read_handover
from tests.support.orgs import make_account, make_snapshot

NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)


def report_doc(n: int = 2, tags: dict[str, str] | None = None, name: str = "") -> dict:
    accounts = [
        make_account(f"{222200000000 + i:012d}", name=name or f"acct-{i}") for i in range(n)
    ]
    all_tags = {
        a.id: (tags if tags is not None else {"team": "t", "env": "prod"}) for a in accounts
    }
    snap = make_snapshot(*accounts, tags=all_tags)
    doc = report.build(snap, NOW, [a.id for a in accounts], destination="transfer")
    doc["organization"]["id"] = "o-aaaaaaaaaa"  # make_snapshot's o-test is not a real id
    return doc


def write(tmp_path, doc, name: str = "r.json"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def refusal(path, **kwargs) -> str:
    with pytest.raises(OrgtuiError) as info:
        read_handover(path, **kwargs)
    assert info.value.code == "BadHandOver"
    return f"{info.value.what} {info.value.fix}"


def test_a_report_is_read_with_its_accounts_and_tags(tmp_path):
    ho = read_handover(write(tmp_path, report_doc()))
    assert ho.organization_id == "o-aaaaaaaaaa" and ho.destination == "transfer" and not ho.notes
    assert ho.partition == "aws"
    assert ho.account_ids == ("222200000000", "222200000001")
    acc = ho.account("222200000000")
    assert acc is not None and dict(acc.tags) == {"team": "t", "env": "prod"}
    assert acc.ou_path == ("Root", "Workloads", "Prod") and acc.verdict


def test_a_report_for_another_destination_is_read_with_a_note(tmp_path):
    doc = report_doc()
    doc["destination"] = "standalone"
    ho = read_handover(write(tmp_path, doc))
    assert "not transfer" in ho.notes[0]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json at all", "it is not JSON"),
        ("[1, 2, 3]", "the top level is not an object"),
        ('{"accounts": []}', "no 'generated_at'"),
        (
            '{"generated_at": "x", "organization": {"id": "../../x"}, "summary": {}, '
            '"accounts": []}',
            "organization.id is not an organization id",
        ),
        (
            '{"generated_at": "x", "organization": {"id": "o-aaaaaaaaaa", '
            '"management_account_id": "111111111111"}, "summary": {}, "accounts": {}}',
            "'accounts' is not a list",
        ),
        ("[" * 100_000, "it is not JSON"),
    ],
)
def test_what_is_not_an_orgtui_report_is_refused_in_words(tmp_path, text, words):
    assert words in refusal(write(tmp_path, text))


def test_bytes_that_are_not_text_are_refused(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert "not text" in refusal(path)


def test_an_account_id_that_is_not_12_digits_is_named(tmp_path):
    doc = report_doc()
    doc["accounts"][1]["id"] = "12345"
    assert "account 2 has the id '12345', which is not 12 digits" in refusal(write(tmp_path, doc))


@pytest.mark.parametrize(
    ("tags", "words"),
    [
        ({f"k{i}": "v" for i in range(51)}, "has 51 tags; AWS allows at most 50"),
        ({"k" * 129: "v"}, "is 129 characters; AWS allows 128"),
        ({"env": "v" * 257}, "the value of tag 'env' is 257 characters"),
        ({"aws:createdBy": "x"}, "starts with 'aws:'"),
        ({"owner": 7}, "is not a text key with a text value"),
    ],
)
def test_tags_beyond_aws_limits_are_refused_naming_account_and_key(tmp_path, tags, words):
    message = refusal(write(tmp_path, report_doc(1, tags=tags)))
    assert "account 222200000000" in message and words in message, message


def test_many_tag_problems_are_counted_past_the_first_few(tmp_path):
    message = refusal(write(tmp_path, report_doc(8, tags={"aws:x": "1"})))
    assert "(3 more problems not shown.)" in message


def test_hostile_names_are_cleaned_for_display(tmp_path):
    hostile = "\x1b]0;pwned\x07[bold red]boss[/]\u202eexe.txt\n"
    doc = report_doc(1, name=hostile)
    doc["accounts"][0]["email"] = "a@b\x1b[2J"
    ho = read_handover(write(tmp_path, doc))
    acc = ho.accounts[0]
    assert "\x1b" not in acc.name and "\x07" not in acc.name and "\u202e" not in acc.name
    assert "\n" not in acc.name and "\\x1b" in acc.name and "[bold red]" in acc.name
    assert acc.email == "a@b\\x1b[2J"


def test_ten_thousand_accounts_are_read(tmp_path):
    doc = report_doc(1)
    template = doc["accounts"][0]
    doc["accounts"] = [dict(template, id=f"{300000000000 + i:012d}") for i in range(10_000)]
    ho = read_handover(write(tmp_path, doc))
    assert len(ho.accounts) == 10_000 and ho.account("300000009999") is not None


def test_a_report_from_another_partition_is_refused(tmp_path):
    doc = report_doc()
    doc["caller"]["arn"] = "arn:aws-cn:iam::111111111111:user/admin"
    path = write(tmp_path, doc)
    assert read_handover(path).partition == "aws-cn"  # without a caller: read
    message = refusal(path, caller_arn="arn:aws:sts::210987654321:assumed-role/Admin/me")
    assert "partition aws-cn" in message and "in aws" in message


def test_a_symbolic_link_is_refused(tmp_path):
    real = write(tmp_path, report_doc())
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert "symbolic link" in refusal(link)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    assert "not a regular file" in refusal(fifo)


def test_a_folder_and_a_missing_file_are_refused(tmp_path):
    assert "not a regular file" in refusal(tmp_path)
    assert "does not exist" in refusal(tmp_path / "nope.json")


def test_a_huge_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as fh:
        fh.truncate(1 << 30)  # 1 GB, sparse: reading it whole would fill memory
    message = refusal(path)
    assert "1,073,741,824 bytes" in message and "--account" in message


def test_the_cap_holds_a_file_that_grows_while_read(tmp_path, monkeypatch):
    monkeypatch.setattr(handover_mod, "MAX_BYTES", 1000)
    assert "more than the 1,000" in refusal(write(tmp_path, report_doc(20)))


def test_the_cli_refuses_a_bad_hand_over_with_exit_2_in_words(tmp_path, capsys):
    from orgtui.cli import main

    assert main(["--invite-from", str(write(tmp_path, "nope"))]) == 2
    err = capsys.readouterr().err
    assert "--invite-from: The hand-over file" in err and "it is not JSON" in err
    assert "Traceback" not in err
    assert main(["audit", "--report", "json", "--invite-from", str(tmp_path)]) == 2


def test_the_cli_carries_a_good_hand_over_to_the_app(tmp_path):
    from orgtui.arguments import parse

    cfg = parse(["--invite-from", str(write(tmp_path, report_doc()))])
    assert cfg.invite_from is not None and len(cfg.invite_from.accounts) == 2
    assert parse([]).invite_from is None
