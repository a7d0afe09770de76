"""The AWS session orgtui talks through: clients, retries, the read-only guard, call stats.

One `AwsContext` per run. Its botocore session carries the event hooks: the read-only
guard (refuses any operation that is not List*, Describe* or Get* before anything is
sent), call counting, and the throttle signal that drives the adaptive limiter. Every
service orgtui reads (Organizations, STS, and for the impact checks CloudFormation, Control
Tower, SSO Admin and RAM, in any region) goes through the same hooks and limiter.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from orgtui import __version__
from orgtui.aws.codes import CONCURRENT, error_code, is_concurrency_throttle, is_throttle
from orgtui.aws.deadline import bound_answers
from orgtui.aws.foreground import Foreground
from orgtui.aws.limiter import AUTO_MAX, AUTO_START, AdaptiveLimiter
from orgtui.errors import Cancelled, OrgtuiError, ReadOnlyViolation

DEFAULT_REGION = "us-east-1"  # Organizations is a global service served from us-east-1.
READ_PREFIXES = ("List", "Describe", "Get")
# Calls that obtain credentials and change nothing: the read-only guard lets them through.
# A profile with role_arn signs in with sts:AssumeRole*; botocore's SSO token provider
# refreshes an expiring SSO token with sso-oidc:CreateToken.
CREDENTIAL_OPERATIONS = frozenset(
    {
        ("sts", "AssumeRole"),
        ("sts", "AssumeRoleWithSAML"),
        ("sts", "AssumeRoleWithWebIdentity"),
        ("sso-oidc", "CreateToken"),
    }
)
# Attempts for a request whose connection failed. The retry mode's max_attempts is sized
# to ride out throttling; spent on an unreachable endpoint it would take minutes to say so.
CONNECT_ATTEMPTS = 2

# Extra waits (seconds, jittered) for a read that botocore gave up on while throttled.
READ_THROTTLE_BACKOFF = (1.0, 2.0, 4.0, 8.0, 8.0)
# Throttles for the requests in progress asked again as soon as a slot is free (`_retry_at_once`),
# per call; after these, botocore's backoff.
QUICK_RETRIES = 2
# Pages one listing may take before orgtui calls it a loop, until the organization's size
# is known (`AwsContext.page_ceiling`): 10,000 pages of 20 is AWS's largest organization
# ten times over.
MAX_PAGES = 10_000

# What decides who the caller is, read without a call (the snapshot cache's key, so that
# two profiles or two sets of keys never share one cached organization): the
# environment's credential settings, and the profile's own section of the config.
CREDENTIAL_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)
PROFILE_KEYS = (
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "aws_access_key_id",  # the id only: never the secret
)

T = TypeVar("T")


@dataclass(frozen=True)
class SessionOptions:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    # Requests in flight at most: None is `auto` (start at 8, find the level AWS allows
    # between 1 and 32); a number fixes the ceiling.
    concurrency: int | None = None
    read_only: bool = False
    # standard, not adaptive: measured, adaptive's client-side rate limit made a throttled
    # load 2x slower than standard retries + the AIMD limiter (benchmarks/RESULTS.md).
    retry_mode: str = "standard"
    max_attempts: int = 12
    # A dead endpoint (it accepts connections and never answers) must end in words within
    # a minute: each attempt waits `read_timeout`, and a read is tried `read_attempts`
    # times (throttling is retried apart, by `max_attempts`).
    connect_timeout: float = 5
    read_timeout: float = 10
    read_attempts: int = 3
    # ... and an answer dripping in slowly (each read within `read_timeout`) must come
    # whole within this many seconds per attempt (aws/deadline.py).
    answer_deadline: float = 15
    # Explicit credentials, used by the demo and tests; None means the standard chain.
    credentials: tuple[str, str, str | None] | None = None
    # Where the impact checks look (settings `impact_regions`, `identity_center_region`):
    # StackSets and RAM in the session's region and these; Identity Center in its own
    # region (None: the session's).
    impact_regions: tuple[str, ...] = ()
    identity_center_region: str | None = None


@dataclass
class CallStats:
    """Thread-safe counts of what was asked of AWS."""

    calls: Counter[str] = field(default_factory=Counter)  # operations, retries excluded
    # the same calls by IAM action ("sso:ListInstances"), for the README's policies
    actions: Counter[str] = field(default_factory=Counter)
    attempts: int = 0  # HTTP requests, retries included
    throttled: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_call(self, name: str, action: str = "") -> None:
        with self._lock:
            self.calls[name] += 1
            self.actions[action or name] += 1

    def count_attempt(self) -> None:
        with self._lock:
            self.attempts += 1

    def count_throttle(self) -> None:
        with self._lock:
            self.throttled += 1

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def malformed_page(operation: str, what: str) -> OrgtuiError:
    """A list page that can't be a real answer: said in words, never read as empty."""
    return OrgtuiError(
        f"The endpoint answered {operation} with {what}: orgtui can't trust the rest of "
        "the listing.",
        "Check --endpoint-url and any proxy between you and AWS, then try again.",
        code="MalformedAnswer",
    )


class TruncatedAnswer(ConnectionClosedError):
    """An answer shorter than its Content-Length: the connection was cut mid-answer."""


def _check_complete_answer(response_dict: dict[str, Any], endpoint_url: str = "", **_: Any) -> None:
    """Refuse an answer cut short before botocore parses it.

    Some urllib3 releases hand botocore a body shorter than its Content-Length without an
    error when the connection drops mid-answer; botocore then parses the half-read JSON as
    an empty result, and a list page would look like "no more accounts". Raising here
    turns it into a lost connection: reads ask again, a removal checks what happened.
    """
    body = response_dict.get("body")
    headers = response_dict.get("headers") or {}
    expected = str(headers.get("content-length", ""))
    if (
        isinstance(body, (bytes, bytearray))
        and expected.isdigit()
        and not headers.get("content-encoding")  # a decoded body has another length
        and len(body) < int(expected)
    ):
        raise TruncatedAnswer(endpoint_url=endpoint_url)


class AwsContext:
    """Clients for Organizations and STS sharing one session, its hooks and its limiter."""

    def __init__(self, options: SessionOptions) -> None:
        self.options = options
        self.stats = CallStats()
        ceiling = options.concurrency or AUTO_MAX
        self.limiter = AdaptiveLimiter(ceiling, start=min(ceiling, AUTO_START))
        # The terminal UI claims it while it handles a key: calls hold back meanwhile.
        self.foreground = Foreground()
        kwargs: dict[str, Any] = {}
        if options.profile:
            kwargs["profile_name"] = options.profile
        if options.region:
            kwargs["region_name"] = options.region
        if options.credentials:
            key, secret, token = options.credentials
            kwargs.update(
                aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token
            )
        # ProfileNotFound is raised here for an unknown profile.
        self.session = boto3.Session(**kwargs)
        self.region = self.session.region_name or DEFAULT_REGION
        events = self.session.events
        events.register("before-call", self._before_call, unique_id="orgtui-before-call")
        events.register("request-created", self._request_created, unique_id="orgtui-attempt")
        events.register("needs-retry", self._needs_retry, unique_id="orgtui-needs-retry")
        events.register("before-send", self._before_send, unique_id="orgtui-before-send")
        # Registered before the answer check below, which may raise: the slot is given
        # back as soon as the answer is read.
        events.register("before-parse", self._answered, unique_id="orgtui-answered")
        events.register(
            "before-parse",
            functools.partial(_check_complete_answer, endpoint_url=options.endpoint_url or ""),
            unique_id="orgtui-complete",
        )
        # Per thread: does this thread's attempt hold a limiter slot (`held`), and how
        # many requests were in flight when its answer came (`level`)?
        self._slot = threading.local()
        self.config = Config(
            retries={"mode": options.retry_mode, "max_attempts": options.max_attempts},
            max_pool_connections=max(10, ceiling + 2),
            user_agent_extra=f"orgtui/{__version__}",
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
        )
        # Set when the session ends (quit): no call starts and no attempt is retried.
        self.cancelled = threading.Event()
        self._clients: dict[tuple[str, str, int], Any] = {}
        self._clients_lock = threading.Lock()
        # aws/writes.py's clients (botocore retries off), one per service. Kept here, not
        # in a WeakKeyDictionary keyed by the context: a client's event hooks are bound
        # methods of the context, so such an entry would keep its own key alive, and every
        # context (its session, every loaded service model) would live until exit.
        self.write_clients: dict[str, Any] = {}
        # Pages one listing may take (`pages`): MAX_PAGES until the structure walk knows
        # the organization's size, then a bound derived from it (aws/loader.py).
        self.page_ceiling = MAX_PAGES

    def cancel(self) -> None:
        """End the session: calls not yet started raise Cancelled, none is retried."""
        self.cancelled.set()

    def prepare(self) -> None:
        """Make the clients the first requests need (Organizations, STS: ~60 ms of CPU)
        before the terminal UI starts. Made in the load's thread instead, they wait for
        the interpreter while Textual builds its first screen (~200 ms), and every request
        of the tree waits behind them. Best effort: whatever fails here (no credentials)
        fails again in the load, which puts it in words."""
        with contextlib.suppress(Exception):
            self.org  # noqa: B018
            self.sts  # noqa: B018

    @property
    def profile(self) -> str | None:
        """The profile in use (--profile, or AWS_PROFILE), to name in the words of errors."""
        return self.options.profile or self.session._session.get_config_variable("profile")

    def credential_inputs(self) -> tuple[str, ...]:
        """Every input of the credential chain that decides who the caller is (never a
        secret), read without a call: the snapshot cache is keyed by them."""
        inputs = [f"{name}={os.environ.get(name, '')}" for name in CREDENTIAL_ENV]
        if self.options.credentials:
            inputs.append(f"key={self.options.credentials[0]}")
        try:
            profiles = self.session._session.full_config.get("profiles", {})
        except Exception:  # an unreadable config fails in the load, in words
            profiles = {}
        section = profiles.get(self.profile or "default") or {}
        inputs += [f"{key}={section.get(key, '')}" for key in PROFILE_KEYS]
        return tuple(inputs)

    # --- hooks -----------------------------------------------------------------------

    def _before_call(self, model: Any, **_: Any) -> None:
        name = model.name
        service = model.service_model.service_name
        if self.cancelled.is_set():
            raise Cancelled()
        if (
            self.options.read_only
            and not name.startswith(READ_PREFIXES)
            and (service, name) not in CREDENTIAL_OPERATIONS
        ):
            raise ReadOnlyViolation(
                f"Refused {name}: this session is read-only (orgtui audit).",
                "Run `orgtui` without `audit` to make changes.",
                code="ReadOnly",
            )
        # The signing name is the IAM prefix: "sso" for sso-admin, "organizations", ...
        self.stats.count_call(name, f"{model.service_model.signing_name}:{name}")

    def _request_created(self, **_: Any) -> None:
        self.stats.count_attempt()

    def _needs_retry(
        self, response: Any = None, attempts: int = 0, caught_exception: Any = None, **_: Any
    ) -> None:
        # Runs after botocore's own retry handler (session-wide handlers come last):
        # raising here ends the retries of a connection that can't be made.
        # An attempt that ended without an answer (a connection error) gives its slot
        # back here; one that was answered gave it back in `_answered`.
        self._give_back()
        if caught_exception is not None and self.cancelled.is_set():
            raise caught_exception
        if (
            isinstance(caught_exception, (EndpointConnectionError, ConnectTimeoutError))
            and attempts >= CONNECT_ATTEMPTS
        ):
            raise caught_exception
        if isinstance(caught_exception, ReadTimeoutError) and (
            attempts >= self.options.read_attempts
        ):
            raise caught_exception
        if is_throttle(response):
            self.stats.count_throttle()
            # botocore now sleeps before the retry, holding no slot: the slot goes to a
            # request that can be sent now; `_before_send` takes one for the retry.
            self.limiter.on_throttle(
                getattr(self._slot, "level", None),
                concurrent=is_concurrency_throttle(response),
                sent=getattr(self._slot, "sent", 0),
            )

    def _retry_at_once(
        self, response: Any = None, attempts: int = 0, total: int = 0, **_: Any
    ) -> float | None:
        """A read refused for the requests in progress is sent again as soon as the
        limiter has a slot (it goes just under the level refused, in `_needs_retry`), not
        after botocore's backoff (up to 1 s, then 2 s), when all there is to wait for is a
        request in flight ending. During the structure walk, that backoff on a request
        whose children the walk waits for held the whole tree back. The first
        QUICK_RETRIES times per call, within the client's attempts; after that (someone
        else is using the organization's requests), botocore's delay (None: its answer).
        Write clients (aws/writes.py) are made apart and never retry."""
        if (
            attempts <= QUICK_RETRIES
            and attempts < total
            and not self.cancelled.is_set()
            and is_concurrency_throttle(response)
        ):
            return 0.0
        return None

    def _before_send(self, **_: Any) -> None:
        """Take a slot for the attempt about to go on the wire (every attempt, retries
        included), so the limiter counts what AWS counts. Not while the UI has the
        foreground (aws/foreground.py)."""
        self.foreground.wait()
        self._slot.sent = self.limiter.acquire()
        self._slot.held = True
        self._slot.level = None

    def _answered(self, **_: Any) -> None:
        self._give_back()
        self.foreground.wait()  # the parsing that follows would hold the interpreter

    def _give_back(self) -> None:
        if getattr(self._slot, "held", False):
            self._slot.held = False
            self._slot.level = self.limiter.release()

    @property
    def concurrency(self) -> int:
        """Requests allowed in flight now: the level `auto` settled on, read live (the
        progress line shows it; the TUI may)."""
        return self.limiter.current

    # --- clients ---------------------------------------------------------------------

    def client(self, service: str, region: str | None = None, attempts: int | None = None) -> Any:
        """The client of a service in a region (default: the session's), made once.

        `attempts` caps botocore's attempts per call below the session's, for a best-effort
        read that must not spend minutes retrying an endpoint that can't serve it (throttles
        are still asked again by `pages` and `read`).
        """
        key = (service, region or self.region, attempts or 0)
        with self._clients_lock:
            if key not in self._clients:
                if self.session.get_credentials() is None:
                    raise NoCredentialsError()
                config = self.config
                if attempts:
                    config = config.merge(
                        Config(retries={"mode": self.options.retry_mode, "max_attempts": attempts})
                    )
                client = self.session.client(
                    service,
                    region_name=key[1],
                    endpoint_url=self.options.endpoint_url,
                    config=config,
                )
                bound_answers(client, self.options.answer_deadline)
                # Asked before botocore's own retry handler: same event, registered first.
                client.meta.events.register_first(
                    f"needs-retry.{client.meta.service_model.service_id.hyphenize()}",
                    functools.partial(
                        self._retry_at_once, total=(attempts or self.options.max_attempts) + 1
                    ),
                    unique_id="orgtui-retry-at-once",
                )
                self._clients[key] = client
            return self._clients[key]

    @property
    def org(self) -> Any:
        return self.client("organizations")

    @property
    def sts(self) -> Any:
        return self.client("sts")

    def call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """One API call, with ConcurrentModificationException retried; each attempt holds
        a limiter slot while it is on the wire (the hooks above), and a success lets the
        limiter climb.

        botocore never retries ConcurrentModificationException, so it is retried here
        with exponential backoff.
        """
        delay = 0.5
        for attempt in range(6):
            try:
                result = fn(**kwargs)
            except ClientError as exc:
                if error_code(exc) != CONCURRENT or attempt == 5:
                    raise
            else:
                self.limiter.on_success()
                return result
            finally:
                # Each attempt's slot is taken and given back by the hooks; an error
                # raised between the two (an answer refused before parsing) lands here.
                self._give_back()
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
        raise AssertionError("unreachable")

    def _read(self, method: Callable[..., Any], args: dict[str, Any]) -> Any:
        """A read call; when botocore gives up on a throttle (its attempts or its retry
        quota ran out), back off outside the limiter and ask again: a read can always be
        repeated, and a load under throttling should end slower, not fail."""
        for delay in (*READ_THROTTLE_BACKOFF, None):
            try:
                return self.call(method, **args)
            except ClientError as exc:
                if not is_throttle(exc) or delay is None:
                    raise
            except TruncatedAnswer:
                # botocore does not retry an answer refused after it was received.
                if delay is None:
                    raise
            except (AttributeError, TypeError, ValueError, KeyError, ResponseParserError) as exc:
                # botocore's parser meeting JSON of another shape (a list where a page
                # belongs, an object where a list does) fails inside itself.
                name = getattr(method, "__name__", "")
                operation = _operation_name(getattr(method, "__self__", None), name) or name
                raise malformed_page(operation, "an answer of another shape") from exc
            time.sleep(delay * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def read(self, method: Callable[..., Any], /, **kwargs: Any) -> Any:
        """One read call (DescribeX, GetX) under the limiter, asked again while throttled."""
        return self._read(method, kwargs)

    def pages(
        self, operation: str, result_key: str, client: Any = None, **kwargs: Any
    ) -> list[Any]:
        """Every item of a paginated list call, on Organizations unless `client` is given.

        Follows the page token until it is absent, even after an empty page: NextToken, or
        nextToken for the services that spell it so (RAM, Control Tower). One page per call
        under the limiter, so that throttling slows the walk instead of failing it.

        A page is trusted only when it has the shape of one: a page without its list
        (botocore reads a body that is not JSON as an empty answer), a token met before in
        the same listing, or more pages than `page_ceiling` raise MalformedAnswer, so a
        broken endpoint is never read as a smaller organization, nor followed forever.
        """
        method = getattr(self.org if client is None else client, operation)
        action = _operation_name(client or self.org, operation) or operation
        items: list[Any] = []
        token: str | None = None
        token_key = "NextToken"
        seen: set[str] = set()
        ceiling = self.page_ceiling
        for _ in range(ceiling):
            args = dict(kwargs)
            if token:
                args[token_key] = token
            page = self._read(method, args)
            listed = page.get(result_key) if isinstance(page, dict) else None
            if not isinstance(listed, list):
                raise malformed_page(action, f"a page without its {result_key} list")
            items.extend(listed)
            if "nextToken" in page and "NextToken" not in page:
                token_key = "nextToken"
            token = page.get(token_key)
            if not token:
                return items
            if not isinstance(token, str) or token in seen:
                raise malformed_page(action, "a page token it had already given (a loop)")
            seen.add(token)
        raise malformed_page(action, f"more than {ceiling:,} pages")


def _operation_name(client: Any, operation: str) -> str:
    """The API's name of a client method ("list_roots" -> "ListRoots"), for the words."""
    try:
        return str(client.meta.method_to_api_mapping.get(operation, ""))
    except AttributeError:
        return ""
