"""Readers for the impact checks, one module per AWS service.

Each reader makes organization-wide calls only (never one per account), through the run's
`AwsContext` (its limiter, retries, call counting and read-only guard), and returns plain
data or raises botocore's error: deciding what a failure means for a check is the
orchestrator's job (orgtui/aws/impact.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TypeVar

from orgtui.aws.session import AwsContext

# Retries per call of a best-effort read: three requests in all, botocore's standard (a
# few seconds on an endpoint answering 500), not the session's dozen, which are sized to
# ride out throttling of the organization's own listing: one failing service must not
# hold the load for a minute.
IMPACT_ATTEMPTS = 2

T = TypeVar("T")
R = TypeVar("R")


def each(ctx: AwsContext, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`fn(item)` for every item, concurrently (the session's limiter bounds the calls in
    flight); results in the order of `items`. The first error is raised and the calls not
    yet started are dropped."""
    todo = list(items)
    if len(todo) <= 1:
        return [fn(item) for item in todo]
    workers = min(len(todo), ctx.limiter.maximum)  # the limiter's ceiling bounds the calls
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="orgtui-impact") as pool:
        futures = [pool.submit(fn, item) for item in todo]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f in done and f.exception() is not None), None)
        if failed is not None:
            for fut in pending:
                fut.cancel()
            raise failed.exception()  # type: ignore[misc]
        return [fut.result() for fut in futures]
