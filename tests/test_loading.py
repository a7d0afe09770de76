"""The one load path (orgtui.loading): stages in order, and the caching rules, without a UI."""

from __future__ import annotations

import pytest

from orgtui import files, loading
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, build_org


def demo_ctx() -> AwsContext:
    return AwsContext(SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS))


def names(stages: list[loading.Stage]) -> list[str]:
    return [s.name for s in stages]


def test_stages_come_in_order_and_the_last_is_whole(demo):
    seen = list(loading.stages(demo_ctx(), loading.LoadOptions()))
    assert names(seen) == ["structure", "details"]
    structure, details = (s.snapshot for s in seen)
    assert structure is not None and not structure.enriched
    assert details is not None and details.enriched
    assert set(structure.accounts) == set(details.accounts)


def test_no_cache_key_reads_and_writes_no_cache(demo):
    snap, problems = loading.load(demo_ctx(), loading.LoadOptions(read_cache=True))
    assert snap.enriched and problems == ()
    assert not files.cache_dir().exists()


def test_a_full_load_is_saved_and_painted_first_next_time(demo):
    options = loading.LoadOptions(cache_key="k1", read_cache=True)
    first = list(loading.stages(demo_ctx(), options))
    assert names(first) == ["structure", "details"]  # nothing cached yet
    assert files.snapshot_path("k1").exists()
    second = list(loading.stages(demo_ctx(), options))
    assert names(second) == ["cached", "structure", "details"]
    cached = second[0].snapshot
    assert cached is not None and set(cached.accounts) == set(first[-1].snapshot.accounts)


def test_the_cache_is_read_only_when_asked(demo, monkeypatch):
    loading.load(demo_ctx(), loading.LoadOptions(cache_key="k1"))
    monkeypatch.setattr(files, "load_snapshot", lambda *a, **k: pytest.fail("cache read"))
    snap, _ = loading.load(demo_ctx(), loading.LoadOptions(cache_key="k1"))
    assert snap.enriched


def test_a_report_on_some_accounts_is_never_cached(demo):
    account = demo.accounts["web-prod"]
    snap, _ = loading.load(demo_ctx(), loading.LoadOptions(cache_key="k1", only=[account]))
    assert snap.enriched and account in snap.tags
    assert not files.snapshot_path("k1").exists()


def test_write_cache_off_saves_nothing(demo):
    loading.load(demo_ctx(), loading.LoadOptions(cache_key="k1", write_cache=False))
    assert not files.snapshot_path("k1").exists()


def test_a_corrupt_cache_is_set_aside_and_told(demo):
    path = files.snapshot_path("k1")
    files.ensure_dir(path.parent)
    path.write_text('{"format": "orgtui-snapshot", "version": 1, "accounts": [')
    seen = list(loading.stages(demo_ctx(), loading.LoadOptions(cache_key="k1", read_cache=True)))
    assert names(seen) == ["cached", "structure", "details"]
    assert seen[0].snapshot is None and "could not be read" in seen[0].problems[0]
    assert path.with_name("k1.json.bad").exists()


def test_a_cache_that_cannot_be_written_is_told_and_the_load_goes_on(demo, monkeypatch):
    def full_disk(key, snap):
        raise files.StoreError(
            "Could not write the cache: No space left on device.", "Free some disk space."
        )

    monkeypatch.setattr(files, "save_snapshot", full_disk)
    snap, problems = loading.load(demo_ctx(), loading.LoadOptions(cache_key="k1"))
    assert snap.enriched
    assert len(problems) == 1 and "cache was not saved" in problems[0]
    assert "No space left" in problems[0]


def test_an_account_not_in_the_organization_fails_the_structure_stage(demo):
    with pytest.raises(loading.LoadFailed) as failed:
        loading.load(demo_ctx(), loading.LoadOptions(only=["999999999999"]))
    assert failed.value.stage == "structure"
    assert "999999999999" in failed.value.what


def test_failures_say_their_stage_and_a_failed_details_stage_saves_nothing(aws_credentials):
    with FaultServer() as server:
        build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
            )
        )
        server.fail("ListRoots", "AccessDeniedException", times=1)
        with pytest.raises(loading.LoadFailed) as failed:
            list(loading.stages(ctx, loading.LoadOptions(cache_key="k1")))
        assert failed.value.stage == "structure" and "ListRoots" in failed.value.what

        server.fail("ListTagsForResource", "AccessDeniedException")
        seen: list[loading.Stage] = []
        with pytest.raises(loading.LoadFailed) as failed:
            for stage in loading.stages(ctx, loading.LoadOptions(cache_key="k1")):
                seen.append(stage)
    assert names(seen) == ["structure"]
    assert failed.value.stage == "details" and "ListTagsForResource" in failed.value.what
    assert not files.snapshot_path("k1").exists()
