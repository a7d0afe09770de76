"""A WSGI app served over HTTP/1.1 persistent connections, as AWS endpoints keep them:
`FaultServer(keep_alive=True)`, the benchmark's server model.

werkzeug's development server, the tests' default, ends every connection after its
answer (it cannot tell where an unread request body ends), so every call costs the
client a TCP connect and the server a new thread. Here the injector has read each
request's body whole before anything else, so the next request line is where the stream
is left.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler as WsgirefHandler

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class KeepAliveServer(ThreadingHTTPServer):
    """A WSGI app served over HTTP/1.1 persistent connections, one thread per connection."""

    daemon_threads = True

    def __init__(self, app: WSGIApp, on_open: Callable[[], None]) -> None:
        self.app = app
        self.on_open = on_open
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), KeepAliveHandler)
        host, port = self.server_address[:2]
        self.base_environ = {
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SCRIPT_NAME": "",
        }

    def close_all(self) -> None:
        """End the connections still open (idle keep-alive ones wait on a read)."""
        with self.connections_lock:
            for conn in self.connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self.server_close()


class KeepAliveHandler(WsgirefHandler):
    """One connection: requests answered in turn until the client closes it (a chunked
    request body, which boto3 does not send, ends the connection after its answer)."""

    protocol_version = "HTTP/1.1"
    # The head and the body go out as separate writes: without this, Nagle's algorithm
    # holds the body for the client's delayed ACK, ~40 ms per call.
    disable_nagle_algorithm = True
    timeout = 120  # an idle connection's read gives up (the client has gone)
    server: KeepAliveServer

    def setup(self) -> None:
        super().setup()
        self.server.on_open()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        # BaseHTTPRequestHandler's loop: one request after another while the connection
        # stays open (wsgiref's handler answers one and returns).
        try:
            BaseHTTPRequestHandler.handle(self)
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            self.close_connection = True
            return
        if not self.parse_request():
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
        environ = self.get_environ()
        environ.update(
            {
                "wsgi.version": (1, 0),
                "wsgi.input": self.rfile,
                "wsgi.errors": sys.stderr,
                "wsgi.url_scheme": "http",
                "wsgi.multithread": True,
                "wsgi.multiprocess": False,
                "wsgi.run_once": False,
                "werkzeug.socket": self.connection,
            }
        )
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            answer["status"], answer["headers"] = status, list(headers)
            return lambda data: None  # the injector and moto return their bodies

        try:
            self._answer(self.server.app(environ, start_response), answer)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # a fault cut it, or the client went away

    def _answer(self, chunks: Iterable[bytes], answer: dict[str, Any]) -> None:
        """Send the status, the headers and the body: streamed when the app gave its
        length (the "drip" fault), else read whole and measured."""
        rest = iter(chunks)
        body = next(rest, b"")  # a lazy app calls start_response with its first chunk
        headers = answer.get("headers", [])
        sized = any(k.lower() == "content-length" for k, _ in headers)
        if not sized:
            body += b"".join(rest)  # `rest` is spent: nothing follows the body
        code, _, reason = answer.get("status", "500 Internal Server Error").partition(" ")
        self.send_response(int(code), reason)
        for key, value in headers:
            if key.lower() not in ("connection", "transfer-encoding", "date", "server"):
                self.send_header(key, value)
        if not sized:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for chunk in itertools.chain((body,), rest):  # lazily: a drip stays a drip
            self.wfile.write(chunk)
            self.wfile.flush()
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
