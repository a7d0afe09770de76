"""An answer cut short must never parse as an empty page (some urllib3 releases hand
botocore the half-read body without an error when the connection drops mid-answer)."""

from __future__ import annotations

from typing import Any

import pytest

from orgtui.aws import session as session_mod
from orgtui.aws.errors import translate
from orgtui.aws.session import AwsContext, SessionOptions, TruncatedAnswer


def _response(body: bytes, length: int, **headers: str) -> dict[str, Any]:
    return {"body": body, "headers": {"content-length": str(length), **headers}, "status_code": 200}


def test_a_short_body_is_refused_before_parsing() -> None:
    with pytest.raises(TruncatedAnswer) as caught:
        session_mod._check_complete_answer(
            _response(b'{"Accounts": [', 80), endpoint_url="http://127.0.0.1:9"
        )
    err = translate(caught.value)
    assert "was cut before the answer was complete" in err.what
    assert "http://127.0.0.1:9" in err.what


@pytest.mark.parametrize(
    "response",
    [
        _response(b'{"Accounts": []}', 16),  # whole
        _response(b'{"Accounts": []}', 9),  # longer than announced: not a cut
        _response(b'{"Accounts": []}', 40, **{"content-encoding": "gzip"}),  # decoded body
        {"body": b"{}", "headers": {}, "status_code": 200},  # no Content-Length
    ],
)
def test_whole_answers_pass(response: dict[str, Any]) -> None:
    session_mod._check_complete_answer(response)


def test_the_check_runs_on_every_client_of_the_session(moto_endpoint: str) -> None:
    ctx = AwsContext(SessionOptions(endpoint_url=moto_endpoint))
    seen: list[int] = []
    real = session_mod._check_complete_answer

    def spy(response_dict: dict[str, Any], **kwargs: Any) -> None:
        seen.append(len(response_dict["body"]))
        real(response_dict, **kwargs)

    ctx.session.events.register("before-parse", spy)
    ctx.call(ctx.sts.get_caller_identity)
    assert seen, "before-parse handlers never ran"


def test_a_read_cut_short_is_asked_again(
    monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    monkeypatch.setattr(session_mod, "READ_THROTTLE_BACKOFF", (0.0, 0.0))
    ctx = AwsContext(SessionOptions(endpoint_url=moto_endpoint))
    calls: list[str] = []

    def flaky(**kwargs: Any) -> dict[str, Any]:
        calls.append("call")
        if len(calls) == 1:
            raise TruncatedAnswer(endpoint_url=moto_endpoint)
        return {"Roots": [{"Id": "r-abcd"}]}

    monkeypatch.setattr(ctx.org, "list_roots", flaky)
    assert ctx.pages("list_roots", "Roots") == [{"Id": "r-abcd"}]
    assert calls == ["call", "call"]


def test_a_read_cut_short_every_time_fails_in_words(
    monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    monkeypatch.setattr(session_mod, "READ_THROTTLE_BACKOFF", (0.0,))

    ctx = AwsContext(SessionOptions(endpoint_url=moto_endpoint))

    def always_cut(**kwargs: Any) -> dict[str, Any]:
        raise TruncatedAnswer(endpoint_url=moto_endpoint)

    monkeypatch.setattr(ctx.org, "list_roots", always_cut)
    with pytest.raises(TruncatedAnswer) as caught:
        ctx.pages("list_roots", "Roots")
    assert "was cut" in translate(caught.value).what
