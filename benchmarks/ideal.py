"""The ideal client (issue 34): the yardstick orgtui's default run is measured against.

It already knows every call it needs (the calls orgtui's run made, read from the server's
own log by run.py and written to a JSON file), so it has no dependency to wait for: it
keeps exactly `--in-flight` requests in flight (one thread per slot, each taking the next
call as soon as its last one is answered) until every call is answered. It speaks through
boto3, as orgtui does (the same signing, HTTP and parsing per call), so the difference
between the two is scheduling: waits on the walk, throttles, and what orgtui does besides
calling (the rules, the report).

    python benchmarks/ideal.py --endpoint-url URL --calls FILE --in-flight 8

Prints one JSON object: calls made, errors answered (a call orgtui made that the server
refused for its own reasons is still a request), throttled, seconds from the first call to
the last answer.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--calls", type=Path, required=True, help="a JSON list of calls")
    parser.add_argument("--in-flight", type=int, default=8)
    args = parser.parse_args()
    calls: list[dict[str, Any]] = json.loads(args.calls.read_text(encoding="utf-8"))
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    config = Config(
        retries={"mode": "standard", "max_attempts": 12},
        max_pool_connections=args.in_flight + 2,
    )
    clients = {
        service: session.client(service, endpoint_url=args.endpoint_url, config=config)
        for service in sorted({c["service"] for c in calls})
    }
    throttled = Counter[str]()
    for client in clients.values():

        def count(response: Any = None, **_: Any) -> None:
            if response and response[1].get("Error", {}).get("Code") == "TooManyRequestsException":
                throttled["n"] += 1

        client.meta.events.register("needs-retry", count)
    lock = threading.Lock()
    queue = iter(calls)
    errors = Counter[str]()

    def worker() -> None:
        while True:
            with lock:
                call = next(queue, None)
            if call is None:
                return
            method = getattr(clients[call["service"]], call["method"])
            try:
                method(**call["kwargs"])
            except ClientError as exc:
                errors[exc.response.get("Error", {}).get("Code", "?")] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.in_flight)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(
        json.dumps(
            {
                "calls": len(calls),
                "errors": dict(errors),
                "throttled": throttled["n"],
                "calls_s": round(time.monotonic() - started, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
