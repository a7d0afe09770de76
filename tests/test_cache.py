"""The snapshot cache: exact round trips, private atomic files, bad files set aside, and no
credentials ever written."""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest

from orgtui import files
from orgtui.aws.loader import Loader
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION
from orgtui.model import Snapshot
from tests.support.orgs import PROD_ID, make_account, make_snapshot


@pytest.fixture
def demo_snapshot(demo) -> Snapshot:
    """The demo organization as the loader reads it: tags, policies, delegated admins, and
    what the impact checks found."""
    ctx = AwsContext(SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS))
    loader = Loader(ctx)
    return loader.read_impact(loader.load())


def test_round_trip_is_exact(demo_snapshot: Snapshot) -> None:
    snap = replace(demo_snapshot, problems=("tags of 111122223333 could not be read",))
    # The demo really has what the cache must keep.
    assert snap.tags and snap.delegated and snap.policies and snap.attachments
    assert any(a.joined_timestamp is not None for a in snap.accounts.values())
    assert len(snap.accounts) > 10 and snap.ous
    impact = snap.impact
    assert impact.stack_sets and impact.stack_instances and impact.permission_sets
    assert impact.provisioned and impact.shares and impact.scp_documents
    assert impact.trusted_services and impact.checks["control_tower"].note

    files.save_snapshot("k1", snap)
    loaded = files.load_snapshot("k1")

    assert loaded == snap
    # Order of children is the order AWS listed them, and it survives.
    for parent, kids in snap.child_accounts.items():
        assert loaded.child_accounts[parent] == kids
    assert loaded.loaded_at == snap.loaded_at and loaded.loaded_at.tzinfo is not None
    # Everything that reads a snapshot works on the loaded one.
    some = next(iter(snap.accounts))
    assert loaded.applied_policies(some) == snap.applied_policies(some)
    assert loaded.ou_path(some) == snap.ou_path(some)


def test_timestamps_are_iso_strings(demo_snapshot: Snapshot) -> None:
    path = files.save_snapshot("k1", demo_snapshot)
    data = json.loads(path.read_text())
    assert data["version"] == files.SNAPSHOT_VERSION
    parsed = datetime.fromisoformat(data["loaded_at"])
    assert parsed == demo_snapshot.loaded_at


def test_absent_cache_is_none() -> None:
    assert files.load_snapshot("nothing-here") is None


def test_file_and_folder_are_private(demo_snapshot: Snapshot) -> None:
    path = files.save_snapshot("k1", demo_snapshot)
    assert path == files.cache_dir() / "k1.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # No temporary file is left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["k1.json"]


def test_save_replaces_the_previous_snapshot(demo_snapshot: Snapshot) -> None:
    files.save_snapshot("k1", demo_snapshot)
    smaller = demo_snapshot.without_account(next(iter(demo_snapshot.accounts)))
    files.save_snapshot("k1", smaller)
    assert files.load_snapshot("k1") == smaller


@pytest.mark.parametrize(
    "content",
    [
        b"{ not json",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"format": "orgtui-snapshot", "version": 1}',
        b'{"format": "something-else", "version": 1}',
        b"",
    ],
    ids=["truncated", "binary", "wrong-shape", "missing-fields", "wrong-format", "empty"],
)
def test_corrupt_file_is_set_aside(content: bytes) -> None:
    folder = files.ensure_dir(files.cache_dir())
    path = folder / "k1.json"
    path.write_bytes(content)

    assert files.load_snapshot("k1") is None

    assert not path.exists()
    assert (folder / "k1.json.bad").read_bytes() == content
    # Once set aside, the next start simply finds no cache.
    assert files.load_snapshot("k1") is None


def test_wrong_version_is_set_aside(demo_snapshot: Snapshot) -> None:
    path = files.save_snapshot("k1", demo_snapshot)
    data = json.loads(path.read_text())
    data["version"] = files.SNAPSHOT_VERSION + 1
    path.write_text(json.dumps(data))

    assert files.load_snapshot("k1") is None
    assert path.with_name("k1.json.bad").exists()


def test_corrupt_row_is_set_aside(demo_snapshot: Snapshot) -> None:
    path = files.save_snapshot("k1", demo_snapshot)
    data = json.loads(path.read_text())
    data["accounts"][0] = data["accounts"][0][:3]  # a row cut short
    path.write_text(json.dumps(data))

    assert files.load_snapshot("k1") is None
    assert path.with_name("k1.json.bad").exists()


def test_unwritable_cache_is_a_store_error(demo_snapshot: Snapshot, tmp_path) -> None:
    folder = files.ensure_dir(files.cache_dir())
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):  # running as root: permissions do not bind
            pytest.skip("permissions are not enforced for this user")
        with pytest.raises(files.StoreError) as err:
            files.save_snapshot("k1", demo_snapshot)
        assert "Could not write" in str(err.value)
    finally:
        os.chmod(folder, 0o700)


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("impact", "checks", "ram"), ["maybe", "", [], ""]),
        (("impact", "stack_sets", 0, 4), "yes"),
        (("impact", "provisioned"), ["not", "a", "map"]),
        (("impact", "shares", 0, 3), "111122223333"),
        (("impact", "scp_documents", "p-x"), 42),
        (("impact",), None),
    ],
)
def test_a_wrongly_typed_impact_field_sets_the_file_aside(
    demo_snapshot: Snapshot, path, bad
) -> None:
    data = files.snapshot_to_dict(demo_snapshot)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    files.snapshot_path("k1").parent.mkdir(parents=True, exist_ok=True)
    files.snapshot_path("k1").write_text(json.dumps(data), encoding="utf-8")
    problems: list[str] = []
    assert files.load_snapshot("k1", problems=problems) is None
    assert problems and files.snapshot_path("k1").with_suffix(".json.bad").exists()


def test_cache_key_differs_per_endpoint_and_profile() -> None:
    keys = {
        files.cache_key(None, None, None),
        files.cache_key("prod", None, None),
        files.cache_key(None, "http://127.0.0.1:5000", None),
        files.cache_key(None, None, "eu-west-1"),
    }
    assert len(keys) == 4
    assert files.cache_key("prod", None, None) == files.cache_key("prod", None, None)


def _inputs(**options) -> tuple[str, ...]:
    from orgtui.aws.session import AwsContext, SessionOptions

    return AwsContext(SessionOptions(region="us-east-1", **options)).credential_inputs()


def test_two_profiles_or_two_keys_never_share_a_cache(tmp_path, monkeypatch) -> None:
    """Keyed by the credential chain's inputs: AWS_PROFILE, the profile's own section
    (another role), the environment's key id; the same inputs give the same key."""
    config = tmp_path / "aws" / "config"
    config.parent.mkdir(exist_ok=True)
    config.write_text(
        "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/OrgAdmin\n"
        "credential_source = Environment\n"
        "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/OrgAdmin\n"
        "credential_source = Environment\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    key = lambda: files.cache_key(None, None, None, _inputs())  # noqa: E731  as the CLI does
    monkeypatch.setenv("AWS_PROFILE", "a")
    a = key()
    assert key() == a
    monkeypatch.setenv("AWS_PROFILE", "b")
    b = key()
    monkeypatch.delenv("AWS_PROFILE")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAAAAAAAAAAAAAAAAA")
    first_keys = key()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIABBBBBBBBBBBBBBBB")
    other_keys = key()
    assert len({a, b, first_keys, other_keys}) == 4
    # the profile's role changed under the same name: another cache too
    config.write_text(config.read_text().replace("111111111111", "333333333333"))
    monkeypatch.setenv("AWS_PROFILE", "a")
    assert key() != a


def test_credential_inputs_never_hold_a_secret(monkeypatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SECRET_TOKEN)
    assert not any(SECRET_ACCESS in i or SECRET_TOKEN in i for i in _inputs())


SECRET_KEY_ID = "ASIAORGTUICACHETEST1"
SECRET_ACCESS = "orgtui-cache-secret-access-key-do-not-store"
SECRET_TOKEN = "orgtui-cache-session-token-do-not-store-FwoGZXIvYXdzE"


def _seed(endpoint: str) -> None:
    import boto3

    org = boto3.client(
        "organizations",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    acc = org.create_account(AccountName="app", Email="app@example.com")["CreateAccountStatus"][
        "AccountId"
    ]
    org.move_account(AccountId=acc, SourceParentId=root, DestinationParentId=ou)
    org.tag_resource(ResourceId=acc, Tags=[{"Key": "team", "Value": "payments"}])


def test_no_credentials_in_the_cache(moto_endpoint, monkeypatch, capsys) -> None:
    """A headless audit with session credentials saves the organization, never the keys."""
    from orgtui.cli import main

    _seed(moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", SECRET_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SECRET_TOKEN)

    assert main(["audit", "--report", "json", "--endpoint-url", moto_endpoint]) == 0
    capsys.readouterr()

    saved = list(files.cache_dir().glob("*.json"))
    assert len(saved) == 1, "the headless audit saves the organization it read"
    text = saved[0].read_text()
    assert "payments" in text  # the organization is there...
    for secret in (SECRET_KEY_ID, SECRET_ACCESS, SECRET_TOKEN):  # ...the credentials are not
        assert secret not in text
    cached = files.load_snapshot(saved[0].stem)
    assert cached is not None and cached.enriched


def test_no_cache_flag_writes_nothing(moto_endpoint, capsys) -> None:
    from orgtui.cli import main

    _seed(moto_endpoint)
    assert main(["audit", "--report", "json", "--endpoint-url", moto_endpoint, "--no-cache"]) == 0
    capsys.readouterr()
    assert not files.cache_dir().exists() or not list(files.cache_dir().glob("*.json"))


def test_loaded_at_is_kept_in_utc(demo_snapshot: Snapshot) -> None:
    naive_free = replace(
        demo_snapshot, loaded_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
    )
    files.save_snapshot("k1", naive_free)
    assert files.load_snapshot("k1").loaded_at == naive_free.loaded_at


# --- reading a file: every field of every row is still checked ---------------------------


def _small_cache() -> tuple[Snapshot, dict[str, Any]]:
    """A snapshot and its cache file's data (as json reads it): the management account
    under the root, three accounts in Prod, two of them tagged. The last row's parent is
    one an earlier row has already had checked, as nearly every row's is in a big file."""
    snap = make_snapshot(
        make_account("222222222222"),
        make_account("333333333333", joined=datetime(2021, 5, 6, 7, 8, 9, 123456, timezone.utc)),
        make_account("444444444444"),
        tags={"222222222222": {"team": "a"}, "333333333333": {"team": "b", "env": "prod"}},
    )
    snap = replace(snap, organization=replace(snap.organization, id="o-abcdefghij"))
    return snap, json.loads(json.dumps(files.snapshot_to_dict(snap)))


def test_a_small_file_reads_back_exactly() -> None:
    snap, data = _small_cache()
    loaded = files.snapshot_from_dict(data)
    assert loaded == snap
    assert list(loaded.accounts) == list(snap.accounts)
    for acc in loaded.accounts.values():
        assert type(acc.id) is str and type(acc.parent_id) is str
        assert acc.joined_timestamp is not None and acc.joined_timestamp.tzinfo is timezone.utc
    # The tags are the snapshot's own copy: editing what was read changes nothing.
    data["tags"]["222222222222"]["team"] = "changed"
    assert loaded.tags["222222222222"] == {"team": "a"}


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        (0, "../../etc", "not an account id: '../../etc'"),
        (0, 444444444444, "not an account id: 444444444444"),
        (0, "44444444444", "not an account id: '44444444444'"),
        (0, "4444444444444", "not an account id: '4444444444444'"),
        (0, "444444444444\n", "not an account id: '444444444444\\n'"),
        (0, None, "not an account id: None"),
        (1, 123, "not text: 123"),
        (2, None, "not text: None"),
        (3, ["arn"], "not text: ['arn']"),
        (4, True, "not text: True"),
        (5, {"m": 1}, "not text: {'m': 1}"),
        (6, 1700000000, "not a timestamp: 1700000000"),
        (6, "2026-13-01T00:00:00+00:00", "month must be in 1..12"),
        (6, "yesterday", "Invalid isoformat string: 'yesterday'"),
        (7, "../../x", "not a root or OU id: '../../x'"),
        (7, "222222222222", "not a root or OU id: '222222222222'"),
        (7, ["ou-root-prod0000"], "not a root or OU id: ['ou-root-prod0000']"),
        (7, None, "not a root or OU id: None"),
    ],
    ids=[
        "id-path",
        "id-number",
        "id-short",
        "id-long",
        "id-newline",
        "id-null",
        "name-number",
        "email-null",
        "arn-list",
        "state-bool",
        "joined-map",
        "timestamp-number",
        "timestamp-month",
        "timestamp-words",
        "parent-path",
        "parent-account",
        "parent-list",
        "parent-null",
    ],
)
def test_a_bad_account_field_is_named(field: int, bad: Any, message: str) -> None:
    _, data = _small_cache()
    files.snapshot_from_dict(data)  # its parents are known and checked already
    data["accounts"][-1][field] = bad
    with pytest.raises(ValueError, match=re.escape(message)):
        files.snapshot_from_dict(data)


def test_the_first_bad_field_of_a_row_is_the_one_named() -> None:
    _, data = _small_cache()
    data["accounts"][-1][6] = "yesterday"
    data["accounts"][-1][7] = "../../x"
    with pytest.raises(ValueError, match="Invalid isoformat string"):
        files.snapshot_from_dict(data)
    data["accounts"][-1][1] = 7
    with pytest.raises(ValueError, match="not text: 7"):
        files.snapshot_from_dict(data)


@pytest.mark.parametrize(
    "row",
    [
        lambda row: row[:7],
        lambda row: [*row, "extra"],
        lambda row: [],
        lambda row: dict(enumerate(row)),
        lambda row: "|".join(row),
        lambda row: None,
    ],
    ids=["seven", "nine", "empty", "map", "text", "null"],
)
def test_an_account_row_of_another_shape_is_rejected(row) -> None:
    _, data = _small_cache()
    data["accounts"][-1] = row(data["accounts"][-1])
    with pytest.raises(ValueError, match="an account row is not 8 fields"):
        files.snapshot_from_dict(data)


def test_accounts_that_are_not_rows_are_rejected() -> None:
    _, data = _small_cache()
    data["accounts"] = None
    with pytest.raises(TypeError):
        files.snapshot_from_dict(data)
    del data["accounts"]
    with pytest.raises(KeyError):
        files.snapshot_from_dict(data)


def test_a_bad_account_row_sets_the_file_aside_and_says_why() -> None:
    _, data = _small_cache()
    data["accounts"][-1][1] = 123
    path = files.snapshot_path("k1")
    files.ensure_dir(path.parent)
    path.write_text(json.dumps(data))
    problems: list[str] = []
    assert files.load_snapshot("k1", problems=problems) is None
    assert len(problems) == 1 and "(not text: 123)" in problems[0]
    assert path.with_name("k1.json.bad").exists()


def test_timestamps_of_another_zone_or_none_read_as_utc() -> None:
    _, data = _small_cache()
    data["accounts"][1][6] = "2024-03-04T10:00:00+05:00"
    data["accounts"][2][6] = "2024-03-04T10:00:00"  # naive: taken as UTC
    data["accounts"][3][6] = None
    loaded = files.snapshot_from_dict(data)
    first, second, third = (
        loaded.accounts[a].joined_timestamp for a in data["child_accounts"][PROD_ID]
    )
    assert first == datetime(2024, 3, 4, 5, tzinfo=timezone.utc) and first.tzinfo is timezone.utc
    assert second == datetime(2024, 3, 4, 10, tzinfo=timezone.utc)
    assert second.tzinfo is timezone.utc
    assert third is None


def test_a_parent_not_seen_before_is_checked_and_kept() -> None:
    _, data = _small_cache()
    fresh = f"ou-root-{secrets.token_hex(6)}"  # in no file read so far
    data["accounts"][-1][7] = fresh
    assert files.snapshot_from_dict(data).accounts["444444444444"].parent_id == fresh
    data["accounts"][-1][7] = f"ou-root-{secrets.token_hex(6)}-../x"
    with pytest.raises(ValueError, match="not a root or OU id"):
        files.snapshot_from_dict(data)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t["222222222222"].__setitem__("team", ["a"]), "not text: ['a']"),
        (lambda t: t["333333333333"].__setitem__("env", None), "not text: None"),
        (lambda t: t["333333333333"].__setitem__(1, "a"), "not text: 1"),
        (lambda t: t.__setitem__("../x", {"team": "a"}), "not an account id: '../x'"),
        (lambda t: t.__setitem__("22222222222", {}), "not an account id: '22222222222'"),
        (lambda t: t.__setitem__("222222222222", "team=a"), "tags of 222222222222 is not a map"),
        (lambda t: t.__setitem__("222222222222", [["team", "a"]]), "is not a map"),
    ],
    ids=["value-list", "value-null", "key-number", "id-path", "id-short", "text", "pairs"],
)
def test_a_bad_tag_is_named(mutate, message: str) -> None:
    _, data = _small_cache()
    mutate(data["tags"])
    with pytest.raises(ValueError, match=re.escape(message)):
        files.snapshot_from_dict(data)


def test_tags_that_are_not_a_map_are_rejected() -> None:
    _, data = _small_cache()
    data["tags"] = [["222222222222", {"team": "a"}]]
    with pytest.raises(ValueError, match="tags is not a map"):
        files.snapshot_from_dict(data)
