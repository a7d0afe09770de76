"""The snapshot cache: exact round trips, private atomic files, bad files set aside, and no
credentials ever written."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from orgtui import files
from orgtui.aws.loader import Loader
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION
from orgtui.model import Snapshot


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
