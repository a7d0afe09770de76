"""Large organizations: the load makes the fewest calls the API allows, survives a hard
throttle whole with its concurrency lowered, and the AIMD limiter behaves as designed.

Call counts and algorithmic properties only: speed is measured in benchmarks/, never
asserted here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from botocore.exceptions import ClientError

from orgtui.aws.limiter import AdaptiveLimiter
from orgtui.aws.loader import Loader
from orgtui.aws.session import AwsContext, SessionOptions
from tests.support.bigorg import minimum_calls, seed_org
from tests.support.faults import FaultServer

# Calls allowed above the minimum: none are needed today; a little room so that a new,
# justified call (one per load, not per account) does not need this test rewritten.
SMALL_CONSTANT = 3


def _context(url: str, concurrency: int = 4, **options) -> AwsContext:
    return AwsContext(
        SessionOptions(
            endpoint_url=url,
            region="us-east-1",
            concurrency=concurrency,
            credentials=("testing", "testing", None),
            **options,
        )
    )


def _assert_complete(snap, seeded) -> None:
    assert sorted(snap.accounts) == sorted(seeded.account_ids)
    assert sorted(snap.ous) == sorted(seeded.ou_ids)
    assert len(snap.tags) == seeded.tagged
    assert {k: set(v) for k, v in snap.delegated.items()} == {
        k: set(v) for k, v in seeded.admins.items()
    }
    for policy_id, targets in seeded.policies.items():
        for target in targets:
            assert policy_id in snap.attachments[target]
    # Every account sits under a parent that lists it, and every OU chain reaches the root.
    for account in snap.accounts.values():
        assert account.id in snap.child_accounts[account.parent_id]
        assert snap.ancestors(account.id)[0] == seeded.root_id


def test_500_accounts_load_in_the_minimum_calls(aws_credentials) -> None:
    with FaultServer() as server:
        seeded = seed_org(server.client("organizations"), 500)
        assert seeded.depth == 5 and len(seeded.ou_ids) == 50
        minimum = minimum_calls()
        ctx = _context(server.url)
        snap = Loader(ctx).load()
        served = dict(server.counts)

    _assert_complete(snap, seeded)
    total = sum(minimum.values())
    assert ctx.stats.total_calls <= total + SMALL_CONSTANT, (dict(ctx.stats.calls), minimum)
    # Per operation: nothing is asked twice, no page is fetched for nothing.
    for operation, least in minimum.items():
        assert ctx.stats.calls[operation] <= least, (operation, ctx.stats.calls[operation])
    # And the server saw exactly those requests: no hidden retries.
    assert sum(served.values()) == ctx.stats.total_calls == ctx.stats.attempts


def test_call_count_grows_with_accounts_not_with_accounts_times_anything(aws_credentials) -> None:
    """Per-account calls are one ListTagsForResource each; policies and delegated admins
    cost calls per policy and per administrator, never per account."""
    with FaultServer() as server:
        seed_org(server.client("organizations"), 200, admins=2, scps=3)
        ctx = _context(server.url)
        Loader(ctx).load()
    calls = ctx.stats.calls
    assert calls["ListTagsForResource"] == 200
    assert calls["ListDelegatedServicesForAccount"] == 2
    assert calls["ListTargetsForPolicy"] == 3 + 2  # custom SCPs + tag policies
    assert calls["ListPolicies"] == 2  # one page per enabled type
    assert "DescribeAccount" not in calls and "ListPoliciesForTarget" not in calls


def test_hard_throttle_loads_whole_and_lowers_concurrency(aws_credentials, fast_backoff) -> None:
    """One request in flight allowed, four asked for: the load completes, the limiter
    came down, and it kept requests under the cap rather than being throttled on most."""
    with FaultServer(latency=0.01, max_in_flight=1) as server:
        seeded = seed_org(server.client("organizations"), 120, ous=20)
        minimum = sum(minimum_calls().values())
        ctx = _context(server.url, concurrency=4)
        snap = Loader(ctx).load()
        throttled = server.injector.throttled

    _assert_complete(snap, seeded)
    assert throttled > 0, "the cap never throttled: the test tested nothing"
    assert ctx.stats.throttled == throttled
    assert ctx.limiter.decreases > 0
    assert ctx.limiter.current < 4
    assert ctx.stats.total_calls == minimum  # throttles cost retries, never extra calls
    # Once the limit came down, requests stayed under the cap: a small share throttled.
    assert throttled <= minimum // 5, (throttled, minimum)
    assert ctx.limiter.in_flight == 0, "a limiter slot leaked"


def test_a_slot_is_held_only_while_an_attempt_is_on_the_wire(aws_credentials, fast_backoff) -> None:
    """The limiter counts what AWS counts: each attempt, retries included, takes its slot
    just before it is sent and gives it back once answered, so a throttled attempt holds
    none while botocore backs it off, and signing or parsing hold none either."""
    with FaultServer() as server:
        seed_org(server.client("organizations"), 5, ous=1)
        server.fail("ListRoots", "TooManyRequestsException", times=2)
        ctx = _context(server.url, concurrency=1)
        on_wire: list[int] = []
        answered: list[int] = []
        # Both run after orgtui's own hooks (registered first).
        ctx.session.events.register(
            "before-send", lambda **_: on_wire.append(ctx.limiter.in_flight), unique_id="test-send"
        )
        ctx.session.events.register(
            "needs-retry",
            lambda **_: answered.append(ctx.limiter.in_flight),
            unique_id="test-answered",
        )
        roots = ctx.pages("list_roots", "Roots")
    assert len(roots) == 1
    assert ctx.stats.throttled == 2
    assert on_wire == [1, 1, 1]  # three attempts, each holding the one slot
    assert answered == [0, 0, 0]  # given back before botocore's backoff and retry
    assert ctx.limiter.in_flight == 0


def test_read_is_asked_again_when_botocore_gives_up_on_a_throttle(
    aws_credentials, fast_backoff
) -> None:
    with FaultServer() as server:
        seed_org(server.client("organizations"), 5, ous=1)
        server.fail("ListRoots", "TooManyRequestsException", times=3)
        ctx = _context(server.url, max_attempts=1)  # botocore gives up at once
        roots = ctx.pages("list_roots", "Roots")
        assert server.counts["ListRoots"] == 4
    assert len(roots) == 1
    assert ctx.limiter.in_flight == 0


def test_other_errors_are_not_asked_again(aws_credentials, fast_backoff) -> None:
    with FaultServer() as server:
        seed_org(server.client("organizations"), 5, ous=1)
        server.fail("ListRoots", "AccessDeniedException", times=None)
        ctx = _context(server.url, max_attempts=1)
        with pytest.raises(ClientError):
            ctx.pages("list_roots", "Roots")
        assert server.counts["ListRoots"] == 1
    assert ctx.limiter.in_flight == 0


# --- the limiter -------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def demand(limiter: AdaptiveLimiter) -> Iterator[None]:
    """A request waiting for a slot, as a blocked `acquire` would count it: the limit grows
    only then (tests/test_limiter.py shows a real blocked thread counting)."""
    limiter.waiting += 1
    try:
        yield
    finally:
        limiter.waiting -= 1


def test_limiter_halves_on_throttle_and_floors_at_one() -> None:
    limiter = AdaptiveLimiter(16, clock=Clock())
    assert limiter.current == 16
    expected = [8, 4, 2, 1, 1, 1]
    for want in expected:
        limiter.on_throttle()
        assert limiter.current == want
    assert limiter.limit >= 1.0
    assert limiter.decreases == len(expected)


def test_limiter_counts_one_burst_once() -> None:
    """A throttle of a request sent before the last decrease changes nothing."""
    limiter = AdaptiveLimiter(8, clock=Clock())
    sent: list[threading.Thread] = []
    barrier = threading.Barrier(4)
    done = threading.Barrier(4)

    def request() -> None:
        limiter.acquire()  # all four sent under the limit of 8
        barrier.wait()
        done.wait()  # all four answered "throttled" together
        limiter.on_throttle()
        limiter.release()

    for _ in range(3):
        sent.append(threading.Thread(target=request))
        sent[-1].start()
    limiter.acquire()
    barrier.wait()
    done.wait()
    limiter.on_throttle()
    limiter.release()
    for t in sent:
        t.join()
    assert limiter.decreases == 1
    assert limiter.current == 4
    assert limiter.in_flight == 0


def test_limiter_recovers_fast_to_under_the_ceiling_then_probes() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(16, probe_interval=2.0, clock=clock)
    for _ in range(6):
        limiter.acquire()
    limiter.on_throttle()  # six in flight when throttled: the cap is below six
    for _ in range(6):
        limiter.release()
    assert limiter.current == 8 and limiter.ceiling == 6

    # Sent again with five in flight, under the new limit, and throttled again.
    for _ in range(5):
        limiter.acquire()
    limiter.on_throttle()
    for _ in range(5):
        limiter.release()
    assert limiter.current == 4 and limiter.safe == 4

    # Two throttles later the limit sits at the safe level; without the clock moving,
    # a thousand successes do not push it past it, even with requests waiting.
    with demand(limiter):
        for _ in range(1000):
            limiter.on_success()
    assert limiter.current == 4

    # Each probe interval without a throttle adds one, up to the maximum.
    with demand(limiter):
        for step in range(1, 13):
            clock.now += 2.0
            limiter.on_success()
            assert limiter.current == 4 + step
        assert limiter.increases == 12 and limiter.current == 16
        clock.now += 2.0
        limiter.on_success()
    assert limiter.current == 16


def test_limiter_climbs_back_within_a_window_of_successes() -> None:
    """Below the safe level the increase is about +1 per `limit` successes (one round
    trip's worth), so the climb from 1 back to 7 takes a few dozen successes."""
    limiter = AdaptiveLimiter(8, clock=Clock())
    for _ in range(8):
        limiter.acquire()
    for _ in range(4):
        limiter.on_throttle()
        limiter._local.epoch = limiter._epoch  # sent again after each decrease
    for _ in range(8):
        limiter.release()
    assert limiter.current == 1 and limiter.safe == 7
    successes = 0
    with demand(limiter):
        while limiter.current < 7 and successes < 1000:
            limiter.on_success()
            successes += 1
        assert successes <= 1 + 2 + 3 + 4 + 5 + 6 + 4  # about one per unit of limit
        for _ in range(100):
            limiter.on_success()
    assert limiter.current == 7  # no further without a probe interval


def test_limiter_blocks_beyond_its_limit() -> None:
    limiter = AdaptiveLimiter(2, clock=Clock())
    limiter.acquire()
    limiter.acquire()
    got_in = threading.Event()

    def third() -> None:
        limiter.acquire()
        got_in.set()
        limiter.release()

    t = threading.Thread(target=third)
    t.start()
    assert not got_in.wait(0.1)
    limiter.release()
    assert got_in.wait(5)
    t.join()
    limiter.release()
    assert limiter.in_flight == 0 and limiter.peak_in_flight == 2


def test_concurrency_auto_starts_at_8_and_moves_between_1_and_32():
    from orgtui.aws.limiter import AdaptiveLimiter

    ctx = AwsContext(SessionOptions(region="us-east-1", credentials=("k", "s", None)))
    assert (ctx.limiter.current, ctx.limiter.maximum) == (8, 32)
    fixed = AwsContext(
        SessionOptions(region="us-east-1", credentials=("k", "s", None), concurrency=16)
    )
    assert (fixed.limiter.current, fixed.limiter.maximum) == (8, 16)
    small = AwsContext(
        SessionOptions(region="us-east-1", credentials=("k", "s", None), concurrency=3)
    )
    assert (small.limiter.current, small.limiter.maximum) == (3, 3)

    clock = [0.0]
    limiter = AdaptiveLimiter(32, start=8, clock=lambda: clock[0])
    with demand(limiter):  # more requests than slots, and AWS answers every one
        for _ in range(2000):
            limiter.acquire()
            limiter.on_success()
            limiter.release()
    assert limiter.current == 32
    for _ in range(10):  # throttled again and again: halves, never below 1
        limiter.acquire()
        limiter.on_throttle()
        limiter.release()
    assert limiter.current == 1


def test_the_job_loop_looks_at_each_finished_job_once() -> None:
    """The job loop's work (`scheduler.run_jobs`, as Loader._run runs it) grows with the
    jobs, not with jobs x jobs pending: at 10,000 accounts, 10,000 tag reads are pending at
    once, and a loop that re-examined every pending job each time one finished
    (`concurrent.futures.wait`) spent tens of CPU seconds there. Counted: the calls the
    loop's own thread makes per job, while the jobs finish one at a time (the way
    requests answer under the limiter)."""
    import sys
    import time

    one_at_a_time = threading.Semaphore(1)

    def job() -> None:
        with one_at_a_time:
            time.sleep(0.0005)  # paces the jobs only; nothing here is timed

    def loop_calls(jobs: int) -> int:
        loader = Loader.__new__(Loader)
        loader.workers = 8
        calls = 0

        def count(frame, event, arg) -> None:
            nonlocal calls
            if event in ("call", "c_call"):
                calls += 1

        sys.setprofile(count)
        try:
            loader._run([job] * jobs)
        finally:
            sys.setprofile(None)
        return calls

    small, large = loop_calls(200), loop_calls(1600)
    # Linear: 8x the jobs, about 8x the calls (the pool's start-up is the same). A loop
    # over the pending jobs per finished job would take about 64x.
    assert large <= 12 * small, (small, large)
    assert large <= 80 * 1600, large


def test_the_job_loop_keeps_a_window_of_jobs_in_the_pool(monkeypatch) -> None:
    """10,000 tag reads are not handed to the pool at once: each pool future is a handful
    of objects the garbage collector tracks, kept alive until its job runs. The loop keeps
    at most `window` jobs in the pool, jobs returned by jobs included, and runs them all."""
    from concurrent.futures import ThreadPoolExecutor

    from orgtui.aws import scheduler

    live = 0
    most = 0
    lock = threading.Lock()

    class CountingPool(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
            nonlocal live, most
            with lock:
                live += 1
                most = max(most, live)
            fut = super().submit(fn, *args, **kwargs)
            fut.add_done_callback(lambda _: done())
            return fut

    def done() -> None:
        nonlocal live
        with lock:
            live -= 1

    monkeypatch.setattr(scheduler, "ThreadPoolExecutor", CountingPool)
    ran: list[int] = []

    def leaf(i: int) -> None:
        with lock:
            ran.append(i)

    def parent(i: int) -> list:
        leaf(i)
        return [lambda j=j: leaf(j) for j in range(10_000 + i * 10, 10_000 + i * 10 + 10)]

    loader = Loader.__new__(Loader)
    loader.workers = 4
    loader._run(
        [
            *(lambda i=i: parent(i) for i in range(50)),
            *(lambda i=i: leaf(i) for i in range(50, 2000)),
        ]
    )
    assert sorted(ran) == sorted([*range(2000), *range(10_000, 10_500)])
    assert loader.window == 8
    assert 0 < most <= loader.window, most


def test_recovery_reads_five_calls_per_member_account_and_changes_no_other_call(
    aws_credentials, capsys
) -> None:
    """Issue 32's performance paragraph, guarded by counts (the benchmark times it):
    `--recovery` adds exactly five account-service calls per member account, four for the
    management account (its root email is DescribeAccount's), and one trusted-access read;
    every other call is the same as without it."""
    from orgtui.cli import main
    from orgtui.demo.recovery import TRUSTED, install_account_service

    install_account_service()  # GetContactInformation, GetPrimaryEmail: moto lacks them
    with FaultServer() as server:
        seeded = seed_org(server.client("organizations"), 120, ous=12)
        server.client("organizations").enable_aws_service_access(ServicePrincipal=TRUSTED)

        def calls(*extra: str) -> dict[str, int]:
            server.injector.clear()
            argv = ["audit", "--report", "json", "--endpoint-url", server.url, *extra]
            assert main(argv) == 0, capsys.readouterr().err
            doc = json.loads(capsys.readouterr().out)
            assert len(doc["accounts"]) == len(seeded.account_ids)
            return dict(server.counts)

        plain = calls()
        recovery = calls("--recovery")
    members = len(seeded.account_ids) - 1
    added = {op: n for op, n in recovery.items() if op not in plain}
    assert added == {
        "/getPrimaryEmail": members,
        "/getContactInformation": members + 1,
        "/getAlternateContact": 3 * (members + 1),
    }
    assert sum(added.values()) == 5 * members + 4
    trusted = "ListAWSServiceAccessForOrganization"
    assert recovery[trusted] == plain[trusted] + 1
    assert {op: n for op, n in recovery.items() if op in plain and op != trusted} == {
        op: n for op, n in plain.items() if op != trusted
    }
