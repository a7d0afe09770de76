"""A whole answer within a deadline: botocore's read timeout bounds each socket read, so an
endpoint dripping a byte every half second never trips it (150 s for one page). Each
client's HTTP session is wrapped so that the body is read in pieces against a deadline
per attempt; past it the attempt fails as a read timeout, which the session's rules
retry a few times and then put in words.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from urllib3.exceptions import ProtocolError
from urllib3.exceptions import ReadTimeoutError as URLLib3ReadTimeoutError

PIECE = 64 * 1024


class DeadlineSession:
    """botocore's URLLib3Session with the body of each answer read against a deadline."""

    def __init__(self, inner: Any, deadline: float) -> None:
        self.inner = inner
        self.deadline = deadline

    def send(self, request: Any) -> Any:
        ends = time.monotonic() + self.deadline
        streaming = request.stream_output
        # The body is left unread by the inner session, then read here, piece by piece.
        request.stream_output = True
        try:
            response = self.inner.send(request)
        finally:
            request.stream_output = streaming
        if streaming:
            return response
        response._content = self._read(response.raw, ends, request)
        return response

    def _read(self, raw: Any, ends: float, request: Any) -> bytes:
        read = getattr(raw, "read1", None) or raw.read  # read1: whatever has arrived
        pieces: list[bytes] = []
        try:
            while True:
                if time.monotonic() > ends:
                    raw.close()  # the connection is not reused: the rest may still come
                    raise ReadTimeoutError(
                        endpoint_url=request.url,
                        error=f"the whole answer did not arrive within {self.deadline:g} s",
                    )
                piece = read(PIECE)
                if not piece:
                    return b"".join(pieces)
                pieces.append(piece)
        except URLLib3ReadTimeoutError as exc:
            raise ReadTimeoutError(endpoint_url=request.url, error=exc) from exc
        except ProtocolError as exc:
            raise ConnectionClosedError(
                error=exc, request=request, endpoint_url=request.url
            ) from exc

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def bound_answers(client: Any, deadline: float) -> None:
    """Wrap the client's HTTP session (botocore keeps it on the client's endpoint: no
    public way to give a client another session class)."""
    endpoint: Any = getattr(client, "_endpoint", None)
    session = getattr(endpoint, "http_session", None)
    if session is not None and not isinstance(session, DeadlineSession):
        endpoint.http_session = DeadlineSession(session, deadline)
