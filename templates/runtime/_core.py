"""What the sync and the async client share: settings, request building, retry and redirect
decisions, per-request options, raw responses and logging.

`ClientCore` decides; `BaseClient` (in `_http`) and `AsyncBaseClient` (in `_async_client`) only
perform, so the two clients cannot drift in what they send, retry or follow.
"""

from __future__ import annotations

import copy
import datetime
import json
import logging
import os
import platform
import random
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, Generic, NamedTuple, TypeVar

from ._errors import (
    APIRedirectError,
    APIResponseError,
    ClientValueError,
    Headers,
    PollTimeoutError,
    header_value,
    is_array,
    is_credential,
    is_object,
)
from ._policy import (
    IDEMPOTENT_METHODS,
    MAX_REDIRECTS,
    ClientOptions,
    Limits,
    check_api_key,
    check_base_url,
    check_headers,
    poll_delay,
    retry_after,
    scalar,
    url_origin,
)
from ._transport import RawBody, Request

__all__ = ["ClientCore", "Cursor", "JSONResult", "Poller", "RawResponse"]

T = TypeVar("T")
_C = TypeVar("_C", bound="ClientCore[Any]")
_Tr = TypeVar("_Tr")  # the transport: sync or async
DEFAULT_IDEMPOTENCY_HEADER = "Idempotency-Key"
# The package this runtime was copied into: its logger and its `<PACKAGE>_LOG` variable.
PACKAGE = __name__.rpartition(".")[0] or __name__
LOG_ENV = f"{PACKAGE.upper()}_LOG"
log = logging.getLogger(PACKAGE)
_LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_logging_set_up = False


def setup_logging() -> None:
    """Honour `<PACKAGE>_LOG=debug|info` once per process: a stderr handler on the logger."""
    global _logging_set_up
    if _logging_set_up:
        return
    _logging_set_up = True
    level = _LOG_LEVELS.get(os.environ.get(LOG_ENV, "").strip().lower())
    if level is None:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s")
    )
    log.addHandler(handler)
    log.setLevel(level)


def shown_url(url: str) -> str:
    """`url` for a log line: the values of query parameters that look secret are redacted."""
    base, sep, query = url.partition("?")
    if not sep:
        return url
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    shown = [(k, "<redacted>" if is_credential(k) else v) for k, v in pairs]
    return f"{base}?{urllib.parse.urlencode(shown)}"


class JSONResult(NamedTuple):
    """Decoded JSON body plus the response headers."""

    data: Any
    headers: Mapping[str, str]


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    """A call's HTTP response with its parsed result: `client.with_raw_response.<method>(…)`.

    `elapsed` runs from sending the first attempt to the final response (its whole body unless
    streaming); `retries_taken` counts the attempts before it.
    """

    status_code: int
    headers: Mapping[str, str]
    request_id: str | None
    elapsed: datetime.timedelta
    retries_taken: int
    http_request: Request
    parsed: T = field(repr=False)

    def parse(self) -> T:
        """The method's usual result (a model, a stream, None…)."""
        return self.parsed


class Exchange(NamedTuple):
    """The last successful response a capture saw (see `capturing`)."""

    status: int
    headers: Mapping[str, str]
    request: Request
    elapsed: float
    retries: int


# The capture of the call running in this context (thread or task), if any.
_capture: ContextVar[list[Exchange] | None] = ContextVar("_capture", default=None)


def start_capture() -> tuple[list[Exchange], Any]:
    """Record this context's successful responses until `stop_capture(token)`."""
    seen: list[Exchange] = []
    return seen, _capture.set(seen)


def stop_capture(token: Any) -> None:
    _capture.reset(token)


def raw_response(name: str, seen: list[Exchange], parsed: T) -> RawResponse[T]:
    """The RawResponse of a call that captured `seen` and returned `parsed`."""
    if not seen:
        raise TypeError(
            f"{name} sent no request when called (an iterator fetches its pages lazily): "
            "use the method that fetches one page for its raw response"
        )
    last = seen[-1]
    return RawResponse(
        last.status,
        last.headers,
        header_value(last.headers, "x-request-id"),
        datetime.timedelta(seconds=last.elapsed),
        last.retries,
        last.request,
        parsed,
    )


class ClientCore(Generic[_Tr]):
    """Settings and decisions of a generated client; subclasses send (sync or async) through
    their kind of transport (`_default_transport()` when none is given)."""

    user_agent = f"runmodels-client/0.1 Python/{platform.python_version()}"

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 600.0,
        read_timeout: float | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str] | None = None,
        idempotency_keys: bool = True,
        limits: Limits | None = None,
        transport: _Tr | None = None,
        default_base_url: str = "",
        fixed_headers: Mapping[str, str] | None = None,
    ) -> None:
        setup_logging()
        self.api_key = check_api_key(api_key)
        url = base_url or os.environ.get("OPENAI_BASE_URL") or default_base_url
        if not url:
            raise ClientValueError("no base_url given and OPENAI_BASE_URL is not set")
        self.base_url, self._origin = check_base_url(url)
        self.options = ClientOptions(
            timeout=timeout,
            read_timeout=read_timeout,
            max_retries=max(0, max_retries),
            idempotency_keys=idempotency_keys,
            default_query=_query_pairs(default_query),
            limits=limits or Limits(),
        )
        self._headers = check_headers(
            {**(fixed_headers or {}), **(default_headers or {})}
        )
        self._transport: _Tr = (
            transport if transport is not None else self._default_transport()
        )
        self._random: Callable[[], float] = random.random
        self._clock: Callable[[], float] = time.monotonic

    def _default_transport(self) -> _Tr:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def timeout(self) -> float:
        """Total deadline of one attempt, in seconds."""
        return self.options.timeout

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return self.options.max_retries

    # typing.Self is Python 3.11+, and this runtime runs on 3.10 with the standard library only
    def with_options(  # noqa: PYI019
        self: _C,
        *,
        timeout: float | None = None,
        read_timeout: float | None = None,
        max_retries: int | None = None,
        initial_retry_delay: float | None = None,
        max_retry_delay: float | None = None,
        idempotency_keys: bool | None = None,
        limits: Limits | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, str] | None = None,
    ) -> _C:
        """A copy of this client with the given settings changed (None: unchanged).

        `default_headers` and `default_query` are merged over the current ones; the copy
        shares the transport. The original is not modified.
        """
        given = {
            "timeout": timeout,
            "read_timeout": read_timeout,
            "max_retries": max_retries,
            "initial_retry_delay": initial_retry_delay,
            "max_retry_delay": max_retry_delay,
            "idempotency_keys": idempotency_keys,
            "limits": limits,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if default_query is not None:
            merged = dict(self.options.default_query)
            merged.update(_query_pairs(default_query))
            changes["default_query"] = tuple(merged.items())
        clone = copy.copy(self)
        clone.options = replace(self.options, **changes)
        if default_headers is not None:
            clone._headers = {**self._headers, **check_headers(default_headers)}
        return clone

    def _build_url(self, path: str, query: Mapping[str, Any] | None) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}"
        given = query or {}
        pairs = [(k, v) for k, v in self.options.default_query if k not in given]
        for key, value in given.items():
            values = value if is_array(value) else [value]
            pairs.extend((key, scalar(v)) for v in values if v is not None)
        return f"{url}?{urllib.parse.urlencode(pairs)}" if pairs else url

    def _build_request(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None,
        body: Any,
        stream: bool,
        headers: Mapping[str, str] | None,
        idempotency_header: str | None = None,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Request:
        method = method.upper()
        hdrs = {
            "Accept": "text/event-stream" if stream else "application/json",
            "User-Agent": self.user_agent,
            **self._headers,
        }
        if self.api_key:
            hdrs["Authorization"] = f"Bearer {self.api_key}"
        data: bytes | Iterable[bytes] | None = None
        replayable = True
        if isinstance(body, RawBody):
            if extra_body is not None:
                raise ClientValueError("extra_body needs a JSON body, not a form")
            hdrs["Content-Type"] = body.content_type
            if body.length is not None:
                hdrs["Content-Length"] = str(body.length)
            data, replayable, body = body.data, body.replayable, None
        body = _with_extra_body(body, extra_body)
        if body is not None:
            hdrs["Content-Type"] = "application/json"
            text = json.dumps(
                body, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            )
            data = text.encode("utf-8")
        hdrs.update(check_headers(headers or {}))
        if idempotency_key is not None:
            name = idempotency_header or DEFAULT_IDEMPOTENCY_HEADER
            hdrs.update(check_headers({name: idempotency_key}))
        elif (
            idempotency_header
            and self.options.idempotency_keys
            and method not in IDEMPOTENT_METHODS
            and header_value(hdrs, idempotency_header) is None
        ):
            hdrs[idempotency_header] = f"runmodels-{uuid.uuid4()}"
        if extra_query:
            query = {**(query or {}), **extra_query}
        return Request(
            method, self._build_url(path, query), hdrs, data, replayable=replayable
        )

    def _total(self, timeout: float | None) -> float:
        """The total deadline of one attempt: this call's `timeout`, else the client's."""
        total = self.options.timeout if timeout is None else timeout
        given: Any = total  # checked although typed: a caller need not use a type checker
        if (
            isinstance(given, bool)
            or not isinstance(given, (int, float))
            or not 0 < given < float("inf")
        ):
            raise ClientValueError(
                "timeout must be a positive, finite number of seconds"
            )
        return total

    def _retries(self, max_retries: int | None) -> int:
        """Retries allowed for this call: its `max_retries`, else the client's."""
        if max_retries is None:
            return self.options.max_retries
        given: Any = max_retries  # checked although typed: a caller need not type-check
        if isinstance(given, bool) or not isinstance(given, int):
            raise ClientValueError("max_retries must be an int")
        return max(0, max_retries)

    @staticmethod
    def _is_safe(request: Request, idempotency_header: str | None) -> bool:
        """Whether sending `request` twice cannot duplicate work on the server (and its body
        can be sent again)."""
        return request.replayable and (
            request.method in IDEMPOTENT_METHODS
            or (
                idempotency_header is not None
                and header_value(request.headers, idempotency_header) is not None
            )
        )

    def _retry_delay(self, attempt: int, headers: Mapping[str, str] | None) -> float:
        """Delay before retry number `attempt` (0-based)."""
        if headers is not None and (delay := retry_after(headers)) is not None:
            return delay
        return self.options.backoff(attempt, self._random())

    @staticmethod
    def _should_retry(status: int, headers: Mapping[str, str], safe: bool) -> bool:
        """Whether a failed status is retried; `safe`: a repeat cannot duplicate work.

        `x-should-retry: false` stops a retry; no header makes other 4xx retryable. A request
        that is not safe reached the server, so it is never resent.
        """
        if not safe or not (status in (408, 409, 429) or status >= 500):
            return False
        return (header_value(headers, "x-should-retry") or "").lower() != "false"

    def _redirect(
        self, status: int, headers: Mapping[str, str], current: Request, hops: int
    ) -> Request | None:
        """The request to send next when a response is a redirect to follow, else None.

        A redirect not followed raises APIRedirectError naming why.
        """
        location = header_value(headers, "location")
        if not 300 <= status < 400 or status == 304 or not location:
            return None
        target = urllib.parse.urljoin(current.url, location)
        why = self._unfollowed(status, target, hops)
        if why:
            raise APIRedirectError(
                f"redirect to {target!r} not followed: {why}",
                location=target,
                status_code=status,
                request=current.describe(),
                headers=headers,
            )
        return replace(current, url=target)

    def _unfollowed(self, status: int, target: str, hops: int) -> str:
        """Why a redirect is not followed ("" when it is)."""
        if status not in (307, 308):
            return f"{status} would change the method; only 307/308 are followed"
        if url_origin(target) != self._origin:
            return "it leaves the origin of base_url (scheme, host and port)"
        if hops >= MAX_REDIRECTS:
            return f"more than {MAX_REDIRECTS} redirects"
        return ""

    def _done(
        self,
        request: Request,
        status: int,
        headers: Mapping[str, str],
        started: float,
        retries: int,
    ) -> None:
        """Log a final response and hand it to a raw-response capture, if one is running."""
        elapsed = time.monotonic() - started
        if log.isEnabledFor(logging.INFO):
            log.info(
                'HTTP %s %s "%d" %.0f ms%s',
                request.method,
                shown_url(request.url),
                status,
                elapsed * 1000,
                f" after {retries} retries" if retries else "",
            )
        seen = _capture.get()
        if seen is not None:
            seen.append(Exchange(status, Headers(headers), request, elapsed, retries))

    @staticmethod
    def _log_sending(request: Request, attempt: int) -> None:
        if log.isEnabledFor(logging.DEBUG):
            shown = {
                k: "<redacted>" if is_credential(k) else v
                for k, v in request.headers.items()
            }
            log.debug(
                "sending %s %s (attempt %d) headers=%r",
                request.method,
                shown_url(request.url),
                attempt + 1,
                shown,
            )

    @staticmethod
    def _log_retry(
        request: Request, attempt: int, retries: int, delay: float, why: str
    ) -> None:
        log.info(
            "retrying %s %s in %.2f s (retry %d of %d): %s",
            request.method,
            shown_url(request.url),
            delay,
            attempt + 1,
            retries,
            why,
        )


def _query_pairs(query: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), scalar(v)) for k, v in (query or {}).items())


def _with_extra_body(body: Any, extra: Mapping[str, Any] | None) -> Any:
    """`body` with the members of `extra` added (replacing those of the same name)."""
    if extra is None:
        return body
    given: Any = extra  # checked although typed: a caller need not use a type checker
    if not isinstance(given, Mapping):
        raise ClientValueError("extra_body must be a mapping of JSON members")
    if body is None:
        return dict(extra)
    if not is_object(body):
        raise ClientValueError(
            "extra_body needs a JSON object body; this request's body is "
            f"{type(body).__name__}"
        )
    return {**body, **extra}


class Cursor:
    """Where cursor pagination stands; refuses a cursor the server already gave (a loop)."""

    def __init__(self) -> None:
        self.after: str | None = None
        self._seen: set[str] = set()

    def advance(self, items: list[Any], has_more: bool, last_id: str | None) -> bool:
        """Move past a page; False when it was the last one."""
        if not has_more or not items or last_id is None:
            return False
        if last_id in self._seen or last_id == self.after:
            raise APIResponseError(
                f"pagination cursor {last_id!r} came back after {len(self._seen)} pages: "
                "the server's pages loop, stopping"
            )
        self._seen.add(last_id)
        self.after = last_id
        return True


class Poller:
    """The delays of one polling loop: `openai-poll-after-ms` (clamped) or `interval`, within
    the loop's `timeout` (PollTimeoutError, holding the last value, once it has passed).
    """

    def __init__(
        self, interval: float, timeout: float | None, clock: Callable[[], float]
    ) -> None:
        given: Any = interval  # checked although typed: a caller need not use a type checker
        if (
            isinstance(given, bool)
            or not isinstance(given, (int, float))
            or not 0 <= given < float("inf")
        ):
            raise ClientValueError("interval must be a finite number of seconds >= 0")
        self.interval = interval
        self.timeout = timeout
        self._clock = clock
        self._deadline = None if timeout is None else clock() + timeout

    def delay(self, value: object, headers: Mapping[str, str]) -> float:
        """Seconds to wait before the next fetch, after `value` was not final."""
        delay = poll_delay(headers, self.interval)
        if self._deadline is not None:
            remaining = self._deadline - self._clock()
            if remaining <= 0:
                raise PollTimeoutError(
                    f"polling timed out after {self.timeout} s", value
                )
            delay = min(delay, remaining)
        return delay
