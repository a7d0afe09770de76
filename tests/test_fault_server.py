"""The fault server's two ways of serving connections: werkzeug's, one TCP connection per
request (the tests' default), and `keep_alive`, HTTP/1.1 persistent connections as AWS
endpoints keep them (the benchmark's server model). orgtui's whole load, throttles
included, must read the same organization over both."""

from __future__ import annotations

import pytest

from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.loading import LoadOptions, load
from tests.support.bigorg import seed_org
from tests.support.faults import FaultServer


@pytest.mark.parametrize("keep_alive", [False, True], ids=["close", "keep-alive"])
def test_a_whole_load_reads_the_same_organization_over_either_kind_of_connection(
    aws_credentials, fast_backoff, keep_alive: bool
) -> None:
    with FaultServer(latency=0.01, max_in_flight=4, keep_alive=keep_alive) as server:
        seeded = seed_org(server.client("organizations"), 120)
        server.injector.clear()
        before = server.connections_opened
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
            )
        )
        snap, _ = load(ctx, LoadOptions(write_cache=False))
        opened = server.connections_opened - before
        requests = sum(server.counts.values())
        throttled = server.injector.throttled
    assert sorted(snap.accounts) == sorted(seeded.account_ids)
    assert {c.status for c in snap.impact.checks.values()} == {"checked"}
    # The cap of 4 throttled some of auto's first burst, and each was asked again.
    assert throttled >= 1
    assert requests == ctx.stats.total_calls + throttled
    if keep_alive:
        # Connections are reused: a few per client's pool, not one per request.
        assert opened <= requests // 10, (opened, requests)
    else:
        assert opened == requests
