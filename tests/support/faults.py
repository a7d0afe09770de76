"""A fault-injecting AWS endpoint for tests and benchmarks: moto's server app behind a small
WSGI wrapper that counts requests per operation, adds latency, caps requests in flight
(answering TooManyRequestsException beyond the cap, as Organizations does), and answers
chosen operations with chosen AWS-shaped errors.

    with FaultServer(latency=0.05, max_in_flight=4) as server:
        server.fail("RemoveAccountFromOrganization", "ConstraintViolationException",
                    reason="ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION")
        run orgtui with --endpoint-url server.url
        server.counts["ListRoots"]

`keep_alive=True` serves persistent connections, as AWS does (`tests/support/keep_alive.py`,
the benchmark's model); the default is werkzeug's server, one connection per request.

Its moto backends are the process's own (moto keeps them global): tests seed the
organization through `server.client("organizations")` and must not mix this with an
in-process `mock_aws`. Each FaultServer resets moto when it starts.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.support.keep_alive import KeepAliveServer, WSGIApp

THROTTLE_MESSAGE = (
    "AWS Organizations can't complete your request because another request is already in "
    "progress. Try again later."
)


@dataclass
class Fault:
    """Answer `operation` with an error, `times` times (None: every time)."""

    operation: str
    code: str
    status: int = 400
    message: str = ""
    reason: str | None = None
    times: int | None = None
    # "error" answers an AWS error; "drop" answers a bare 502 with no AWS body, the way a
    # broken proxy or connection does; "after" lets the call reach moto first, then answers
    # the error (the change happened, the caller is told it failed); "reset" lets the call
    # reach moto, sends the status line, headers and half the body, then cuts the TCP
    # connection (botocore sees ConnectionClosedError; for a write, the change happened);
    # "drop_after" lets the call reach moto, then answers the bare 502 of "drop";
    # "rewrite" lets moto answer, then passes its JSON through `transform` (a hostile
    # endpoint: a cycle, a bad id, a missing field); "lie" answers 200 with `body`
    # without calling moto (a removal that did not happen); "silent" accepts the request
    # and answers nothing for `hold` seconds (a dead endpoint), then closes; "slow" waits
    # `hold` seconds, then lets moto answer (a write in flight long enough to signal);
    # "drip" lets moto answer, then sends its body a byte every `hold` seconds.
    kind: str = "error"
    transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    body: bytes = b"{}"
    hold: float = 0.0
    # Let the first `skip` matching requests through untouched (a failure mid-load).
    skip: int = 0
    seen: int = field(default=0, init=False)
    skipped: int = field(default=0, init=False)

    def take(self) -> bool:
        if self.times is not None and self.seen >= self.times:
            return False
        if self.skipped < self.skip:
            self.skipped += 1
            return False
        self.seen += 1
        return True


# Services speaking REST-JSON (the operation is in the path), as orgtui calls them.
REST_SERVICES = ("ram", "controltower")


def _rest_operations() -> dict[tuple[str, str], str]:
    """(HTTP method, path) -> operation name, for the REST services' fixed paths."""
    import botocore.session

    session = botocore.session.get_session()
    found: dict[tuple[str, str], str] = {}
    for service in REST_SERVICES:
        model = session.get_service_model(service)
        for name in model.operation_names:
            http = model.operation_model(name).http
            path = http.get("requestUri", "").split("?", 1)[0]
            if "{" not in path:
                found[(http.get("method", "POST"), path)] = name
    return found


_REST: dict[tuple[str, str], str] = {}


def operation_of(environ: dict[str, Any], body: bytes) -> str:
    """The AWS operation name of a request: X-Amz-Target (JSON protocols), Action= (query),
    or the path (REST-JSON: RAM, Control Tower)."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    if not _REST:
        _REST.update(_rest_operations())
    rest = _REST.get((environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")))
    if rest:
        return rest
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    if body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return environ.get("PATH_INFO", "")


# Services orgtui calls that moto does not serve.
UNSERVED = frozenset({"controltower"})


def _signing_service(environ: dict[str, Any]) -> str:
    """The service a SigV4 request is signed for (Credential=KEY/DATE/REGION/SERVICE/...)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = auth.split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    return scope[3] if len(scope) > 3 else ""


def is_json_request(environ: dict[str, Any]) -> bool:
    """JSON protocols (Organizations) name the operation in X-Amz-Target; query protocols
    (STS) send a form and expect XML errors."""
    return bool(environ.get("HTTP_X_AMZ_TARGET")) or "json" in environ.get("CONTENT_TYPE", "")


def xml_error_body(code: str, message: str) -> bytes:
    """An error as query-protocol services (STS) answer it."""
    from xml.sax.saxutils import escape

    return (
        f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        f"<Type>Sender</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(message or code)}</Message></Error>"
        f"<RequestId>fault-{time.monotonic_ns()}</RequestId></ErrorResponse>"
    ).encode()


def error_body(code: str, message: str, reason: str | None = None) -> bytes:
    payload: dict[str, Any] = {"__type": code, "Message": message or code}
    if reason:
        payload["Reason"] = reason
    return json.dumps(payload).encode()


class FaultInjector:
    """WSGI middleware: count, delay, cap in-flight, inject faults, else pass to `app`."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        latency: float = 0.0,
        max_in_flight: int | None = None,
        throttle_latency: bool = False,
    ) -> None:
        self.app = app
        self.latency = latency
        self.max_in_flight = max_in_flight
        # The benchmark's server model (issue 34): a request beyond the cap is refused after
        # the same latency as an answer, as a server that costs what it costs; tests keep
        # the instant refusal (faster, same protocol).
        self.throttle_latency = throttle_latency
        # When a list: one `Served` per request (the benchmark's ideal client replays them,
        # and the walk's idle time is read from their times).
        self.log: list[Served] | None = None
        self.faults: list[Fault] = []
        self.counts: Counter[str] = Counter()
        self.throttled = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # set when the server shuts down

    def fail(self, operation: str, code: str, **kwargs: Any) -> Fault:
        fault = Fault(operation, code, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.counts.clear()
            self.throttled = 0

    @property
    def total(self) -> int:
        return sum(n for op, n in self.counts.items() if not op.startswith("/moto-api"))

    def _error(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        status: int,
        code: str,
        message: str,
        reason: str | None = None,
    ) -> list[bytes]:
        """An AWS error in the protocol of the request: JSON, or XML for STS."""
        if is_json_request(environ):
            return self._respond(start_response, status, error_body(code, message, reason))
        return self._respond(start_response, status, xml_error_body(code, message), "text/xml")

    def _respond(
        self,
        start_response: Callable[..., Any],
        status: int,
        body: bytes,
        content_type: str = "application/x-amz-json-1.1",
    ) -> list[bytes]:
        reason = {
            400: "Bad Request",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }.get(status, "Error")
        start_response(
            f"{status} {reason}",
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("x-amzn-RequestId", f"fault-{time.monotonic_ns()}"),
            ],
        )
        return [body]

    def _reset(self, environ: dict[str, Any]) -> list[bytes]:
        """Answer half of moto's response on the raw socket, then cut the connection."""
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, keep))
        head = f"HTTP/1.1 {captured.get('status', '200 OK')}\r\n"
        head += f"Content-Length: {max(len(body), 2)}\r\n"
        head += "".join(
            f"{k}: {v}\r\n"
            for k, v in captured.get("headers", [])
            if k.lower() not in ("content-length", "connection")
        )
        sock = environ["werkzeug.socket"]
        try:
            sock.sendall(head.encode("latin-1") + b"\r\n" + body[: len(body) // 2])
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        # werkzeug's own write on the dead socket counts as a dropped connection.
        raise ConnectionResetError("fault: connection cut mid-response")

    def _drip(self, answer: bytes, every: float) -> Iterable[bytes]:
        for i in range(len(answer)):
            if self._stopping.wait(every):
                return
            yield answer[i : i + 1]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        op = operation_of(environ, body)
        if environ.get("HTTP_X_FAULT_BYPASS"):  # seeding traffic: not counted, no faults
            return self.app(environ, start_response)
        started = time.monotonic()
        with self._lock:
            self.counts[op] += 1
            fault = next((f for f in self.faults if f.operation == op and f.take()), None)
            over_cap = self.max_in_flight is not None and self.in_flight >= self.max_in_flight
            if over_cap:
                self.throttled += 1
            else:
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        if over_cap:
            if self.throttle_latency and self.latency:
                time.sleep(self.latency)
            self._record(environ, op, body, started, throttled=True)
            return self._error(
                environ, start_response, 400, "TooManyRequestsException", THROTTLE_MESSAGE
            )
        try:
            if self.latency:
                time.sleep(self.latency)
            if fault is not None and fault.kind == "drop":
                return self._respond(start_response, 502, b"<html>Bad Gateway</html>", "text/html")
            if fault is not None and fault.kind == "error":
                return self._error(
                    environ, start_response, fault.status, fault.code, fault.message, fault.reason
                )
            if fault is not None and fault.kind == "reset":
                return self._reset(environ)
            if fault is not None and fault.kind == "lie":
                return self._respond(start_response, 200, fault.body)
            if fault is not None and fault.kind == "silent":
                self._stopping.wait(fault.hold)
                raise ConnectionResetError("fault: a silent endpoint gave up")
            if fault is not None and fault.kind == "drip":
                answer = b"".join(self.app(environ, _Discard(start_response)))
                start_response(
                    "200 OK",
                    [
                        ("Content-Type", "application/x-amz-json-1.1"),
                        ("Content-Length", str(len(answer))),
                    ],
                )
                return self._drip(answer, fault.hold)
            if fault is not None and fault.kind == "slow":
                self._stopping.wait(fault.hold)
                return list(self.app(environ, start_response))
            if fault is not None and fault.kind == "rewrite":
                answer = b"".join(self.app(environ, _Discard(start_response)))
                data = fault.transform(json.loads(answer or b"{}")) if fault.transform else {}
                return self._respond(start_response, 200, json.dumps(data).encode())
            if _signing_service(environ) in UNSERVED:
                # moto's server has no backend for it: it prints to stdout (this process's,
                # the report's) and answers 500. Answer as moto's in-process mock does.
                return self._respond(start_response, 404, b"Not yet implemented", "text/plain")
            result = list(self.app(environ, _Discard(start_response) if fault else start_response))
            if fault is not None and fault.kind == "drop_after":
                return self._respond(start_response, 502, b"<html>Bad Gateway</html>", "text/html")
            if fault is not None:  # kind == "after"
                return self._error(
                    environ, start_response, fault.status, fault.code, fault.message, fault.reason
                )
            return result
        finally:
            with self._lock:
                self.in_flight -= 1
            self._record(environ, op, body, started, throttled=False)

    def _record(
        self, environ: dict[str, Any], op: str, body: bytes, started: float, *, throttled: bool
    ) -> None:
        if self.log is not None:
            self.log.append(
                Served(
                    service=_signing_service(environ),
                    operation=op,
                    method=environ.get("REQUEST_METHOD", ""),
                    path=environ.get("PATH_INFO", ""),
                    query=environ.get("QUERY_STRING", ""),
                    body=body,
                    started=started,
                    ended=time.monotonic(),
                    throttled=throttled,
                )
            )


@dataclass(frozen=True)
class Served:
    """One request as the server saw it: what was asked, when, and whether it was refused
    for the cap (`started`/`ended`: time.monotonic() at arrival and at the answer)."""

    service: str  # the SigV4 signing name: organizations, sts, sso, ...
    operation: str
    method: str
    path: str
    query: str
    body: bytes
    started: float
    ended: float
    throttled: bool


class _Discard:
    """A start_response that swallows the real response (for faults answered after it)."""

    def __init__(self, start_response: Callable[..., Any]) -> None:
        self.start_response = start_response

    def __call__(self, status: str, headers: list[Any], exc_info: Any = None) -> Any:
        return lambda data: None


class FaultServer:
    """moto behind a FaultInjector, served on 127.0.0.1 on a free port, in a thread."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        max_in_flight: int | None = None,
        app: WSGIApp | None = None,
        throttle_latency: bool = False,
        keep_alive: bool = False,
    ) -> None:
        from moto.server import DomainDispatcherApplication, create_backend_app

        # keep_alive: serve HTTP/1.1 persistent connections, as AWS endpoints do (the
        # benchmark's server model). The default is werkzeug's server, which ends every
        # connection after its answer: every call then costs the client a TCP connect and
        # the server a new thread. The tests keep the default, whose "reset", "silent" and
        # "drip" faults are written against it.
        self.keep_alive = keep_alive

        self.injector = FaultInjector(
            app or DomainDispatcherApplication(create_backend_app),
            latency=latency,
            max_in_flight=max_in_flight,
            throttle_latency=throttle_latency,
        )
        self._server: Any = None
        self._thread: threading.Thread | None = None
        # TCP connections accepted: one per request unless keep_alive.
        self.connections_opened = 0
        self._opened_lock = threading.Lock()
        self.url = ""

    def __enter__(self) -> FaultServer:
        from werkzeug.serving import WSGIRequestHandler, make_server

        owner = self

        class QuietHandler(WSGIRequestHandler):
            def setup(self) -> None:
                super().setup()
                owner._opened()

            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        if self.keep_alive:
            self._server = KeepAliveServer(self.injector, self._opened)
        else:
            self._server = make_server(
                "127.0.0.1", 0, self.injector, threaded=True, request_handler=QuietHandler
            )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.reset()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.injector._stopping.set()
        self._server.shutdown()
        if self._thread:
            self._thread.join()
        if self.keep_alive:
            self._server.close_all()

    def _opened(self) -> None:
        with self._opened_lock:
            self.connections_opened += 1

    def reset(self) -> None:
        """Forget moto's state and the counts."""
        urllib.request.urlopen(
            urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        ).read()
        self.injector.clear()

    # Shortcuts to the injector.
    def fail(self, operation: str, code: str, **kwargs: Any) -> Fault:
        return self.injector.fail(operation, code, **kwargs)

    @property
    def counts(self) -> Counter[str]:
        return self.injector.counts

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """A boto3 client for seeding, talking to moto directly (not counted, no faults)."""
        import boto3

        client = boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

        def mark(request: Any, **_: Any) -> None:
            request.headers["X-Fault-Bypass"] = "1"

        client.meta.events.register("request-created", mark)
        return client
