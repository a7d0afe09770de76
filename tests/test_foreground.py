"""The UI's foreground (aws/foreground.py): while a claim is open, a load's threads send no
request and parse no answer; a claim ends when released or `hold_max` after it began.
Ordering only: the waits are observed through events, with no assertion on time."""

from __future__ import annotations

import threading

from orgtui.aws.foreground import Foreground
from orgtui.aws.session import AwsContext, SessionOptions
from tests.support.faults import FaultServer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _waiting(fn) -> tuple[threading.Thread, threading.Event]:
    """Run fn in a thread; the event is set once fn returned."""
    done = threading.Event()

    def run() -> None:
        fn()
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def test_without_a_claim_nothing_waits() -> None:
    fg = Foreground(hold_max=60)
    fg.wait()
    fg.claim()
    fg.release()
    fg.wait()


def test_a_claim_holds_threads_until_released() -> None:
    fg = Foreground(hold_max=60)
    fg.claim()
    fg.claim()  # two keys queued
    thread, done = _waiting(fg.wait)
    assert not done.wait(0.05)
    fg.release()
    assert not done.wait(0.05)  # one claim is still open
    fg.release()
    thread.join(5)
    assert done.is_set()


def test_a_claim_holds_no_longer_than_hold_max() -> None:
    clock = Clock()
    fg = Foreground(hold_max=0.25, clock=clock)
    fg.claim()
    clock.now += 0.3  # never released (a key held down, or the UI gone)
    fg.wait()  # returns at once
    # The next claim starts afresh, and holds again.
    fg.claim()
    thread, done = _waiting(fg.wait)
    assert not done.wait(0.05)
    fg.release()
    thread.join(5)
    assert done.is_set()


def test_no_request_goes_out_and_no_answer_is_parsed_while_claimed(aws_credentials) -> None:
    with FaultServer() as server:
        server.client("organizations").create_organization(FeatureSet="ALL")
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
            )
        )
        ctx.foreground = Foreground(hold_max=60)
        roots: list[int] = []

        def list_roots() -> None:
            roots.append(len(ctx.call(ctx.org.list_roots)["Roots"]))

        ctx.org  # noqa: B018  (the client, made before the claim)
        ctx.foreground.claim()
        thread, done = _waiting(list_roots)
        assert not done.wait(0.1)
        assert sum(server.counts.values()) == 0  # not sent
        ctx.foreground.release()
        thread.join(10)
        assert roots == [1] and sum(server.counts.values()) == 1

        # A claim opened once the answer is read (its slot given back): not parsed yet.
        read = threading.Event()
        real = ctx._give_back

        def give_back() -> None:
            real()
            if not read.is_set():
                read.set()
                ctx.foreground.claim()

        ctx._give_back = give_back  # type: ignore[method-assign]
        thread, done = _waiting(list_roots)
        assert read.wait(10)
        assert not done.wait(0.1) and roots == [1]
        ctx.foreground.release()
        thread.join(10)
        assert roots == [1, 1]
