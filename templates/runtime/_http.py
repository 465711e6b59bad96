"""HTTP runtime of the generated client: the request machinery, and the names client.py uses.

Safe by default against a hostile or broken server: redirects are never followed to another
origin nor with a changed method; the API key is checked once and never shown; POST and PATCH
are retried only when they provably did not reach the server or carry an idempotency key; every
request has a total deadline, every body and SSE frame a size limit, every server-suggested
delay a clamp; URLs are built from a base URL checked once and percent-encoded parameters.

The pieces live in sibling modules (`_errors`, `_policy`, `_transport`, `_sse`); this module
re-exports their public names, so `_http.<Name>` is the one way generated code reaches them.
"""

from __future__ import annotations

import json
import math
import os
import platform
import random
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any, NamedTuple, TypeVar

from ._errors import (
    APIConnectionError,
    APIError,
    APIRedirectError,
    APIResponseError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientValueError,
    ConflictError,
    Headers,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PollTimeoutError,
    RateLimitError,
    ResponseTooLargeError,
    UnprocessableEntityError,
    decode_json,
    header_value,
)
from ._policy import (
    IDEMPOTENT_METHODS,
    INITIAL_RETRY_DELAY,
    MAX_REDIRECTS,
    MAX_RETRY_DELAY,
    ClientOptions,
    Limits,
    check_api_key,
    check_base_url,
    check_headers,
    poll_delay,
    quote_path_param,
    retry_after,
    scalar,
    url_origin,
)
from ._sse import EventStream, ServerSentEvent, iter_sse, parse_sse
from ._transport import (
    Request,
    Response,
    Transport,
    UrllibTransport,
    make_status_error,
    split_lines,
)

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIRedirectError",
    "APIResponseError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BaseClient",
    "ClientOptions",
    "ClientValueError",
    "ConflictError",
    "EventStream",
    "Headers",
    "InternalServerError",
    "JSONResult",
    "Limits",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "Request",
    "Response",
    "ResponseTooLargeError",
    "ServerSentEvent",
    "Transport",
    "UnprocessableEntityError",
    "UrllibTransport",
    "iter_sse",
    "make_status_error",
    "parse_sse",
    "quote_path_param",
    "split_lines",
]

T = TypeVar("T")


class JSONResult(NamedTuple):
    """Decoded JSON body plus the response headers."""

    data: Any
    headers: Mapping[str, str]


class BaseClient:
    """Shared request machinery of generated clients.

    Settings live in the immutable `options` (a ClientOptions); a copy of a client with some
    settings changed is `copy.copy(client)` with `options` replaced (`dataclasses.replace`).
    """

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
        transport: Transport | None = None,
        default_base_url: str = "",
        fixed_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.api_key = check_api_key(api_key)
        url = base_url or os.environ.get("OPENAI_BASE_URL") or default_base_url
        if not url:
            raise ClientValueError("no base_url given and OPENAI_BASE_URL is not set")
        self.base_url, self._origin = check_base_url(url)
        query = tuple((str(k), scalar(v)) for k, v in (default_query or {}).items())
        self.options = ClientOptions(
            timeout,
            read_timeout,
            max(0, max_retries),
            idempotency_keys,
            query,
            limits or Limits(),
        )
        self._headers = check_headers(
            {**(fixed_headers or {}), **(default_headers or {})}
        )
        self._transport: Transport = transport or UrllibTransport()
        self._sleep: Callable[[float], None] = time.sleep
        self._random: Callable[[], float] = random.random
        self._clock: Callable[[], float] = time.monotonic

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

    def _build_url(self, path: str, query: Mapping[str, Any] | None) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}"
        given = query or {}
        pairs = [(k, v) for k, v in self.options.default_query if k not in given]
        for key, value in given.items():
            values = value if isinstance(value, (list, tuple)) else [value]
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
    ) -> Request:
        method = method.upper()
        hdrs = {
            "Accept": "text/event-stream" if stream else "application/json",
            "User-Agent": self.user_agent,
            **self._headers,
        }
        if self.api_key:
            hdrs["Authorization"] = f"Bearer {self.api_key}"
        data = None
        if body is not None:
            hdrs["Content-Type"] = "application/json"
            text = json.dumps(
                body, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            )
            data = text.encode("utf-8")
        hdrs.update(check_headers(headers or {}))
        if (
            idempotency_header
            and self.options.idempotency_keys
            and method not in IDEMPOTENT_METHODS
            and header_value(hdrs, idempotency_header) is None
        ):
            hdrs[idempotency_header] = f"runmodels-{uuid.uuid4()}"
        return Request(method, self._build_url(path, query), hdrs, data)

    def _retry_delay(self, attempt: int, headers: Mapping[str, str] | None) -> float:
        """Delay before retry number `attempt` (0-based)."""
        if headers is not None and (delay := retry_after(headers)) is not None:
            return delay
        base = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
        return base * (1 - 0.25 * self._random())

    @staticmethod
    def _should_retry(response: Response, safe: bool) -> bool:
        """Whether a failed status is retried; `safe`: a repeat cannot duplicate work.

        `x-should-retry: false` stops a retry; no header makes other 4xx retryable. A request
        that is not safe reached the server, so it is never resent.
        """
        status = response.status
        if not safe or not (status in (408, 409, 429) or status >= 500):
            return False
        return (header_value(response.headers, "x-should-retry") or "").lower() != "false"

    def _attempt(self, request: Request, stream: bool, total: float) -> Response:
        """One attempt within one deadline: same-origin 307/308 followed, 2xx bodies read."""
        deadline = time.monotonic() + total
        current = replace(request, deadline=deadline)
        read_wait = self.options.read_wait(total)
        hops = 0
        while True:
            # a stream's body outlives the deadline: its reads wait `read_wait` each
            left = max(deadline - time.monotonic(), 0.001)
            wait = read_wait if stream else min(read_wait, left)
            response = self._transport.send(current, timeout=wait, stream=stream)
            location = header_value(response.headers, "location")
            if (
                not 300 <= response.status < 400
                or response.status == 304
                or not location
            ):
                break
            response.close()
            target = urllib.parse.urljoin(current.url, location)
            why = self._unfollowed(response.status, target, hops)
            if why:
                raise APIRedirectError(
                    f"redirect to {target!r} not followed: {why}",
                    location=target,
                    status_code=response.status,
                    request=request.describe(),
                    headers=response.headers,
                )
            current = replace(current, url=target)
            hops += 1
        if 200 <= response.status < 300 and not stream:
            response.read(self.options.limits.max_response_size)
        return response

    def _unfollowed(self, status: int, target: str, hops: int) -> str:
        """Why a redirect is not followed ("" when it is)."""
        if status not in (307, 308):
            return f"{status} would change the method; only 307/308 are followed"
        if url_origin(target) != self._origin:
            return "it leaves the origin of base_url (scheme, host and port)"
        if hops >= MAX_REDIRECTS:
            return f"more than {MAX_REDIRECTS} redirects"
        return ""

    def _send(
        self,
        request: Request,
        stream: bool,
        timeout: float | None,
        idempotency_header: str | None = None,
    ) -> Response:
        """Send with retries; non-streaming bodies are read inside the retry loop.

        Safe requests (idempotent methods, or carrying an idempotency key in the header the
        API names) are retried on connection errors and retryable statuses; others only when
        they never left (a connect failure).
        """
        total = self.options.timeout if timeout is None else timeout
        if not isinstance(total, (int, float)) or not 0 < total < math.inf:
            raise ClientValueError(
                "timeout must be a positive, finite number of seconds"
            )
        safe = request.method in IDEMPOTENT_METHODS or (
            idempotency_header is not None
            and header_value(request.headers, idempotency_header) is not None
        )
        attempt = 0
        while True:
            headers: Mapping[str, str] | None = None
            try:
                response = self._attempt(request, stream, total)
                if 200 <= response.status < 300:
                    return response
                body = response.read_prefix(self.options.limits.max_error_size)
                if attempt >= self.max_retries or not self._should_retry(
                    response, safe
                ):
                    raise make_status_error(response, body, request.describe())
                headers = response.headers
            except APIConnectionError as exc:
                if attempt >= self.max_retries or (exc.sent and not safe):
                    raise
            self._sleep(self._retry_delay(attempt, headers))
            attempt += 1

    def _request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any | None = None,
        stream: bool = False,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        idempotency_header: str | None = None,
    ) -> Response:
        """Perform a request with retries; raise the mapped APIError for non-2xx."""
        request = self._build_request(
            method, path, query, body, stream, headers, idempotency_header
        )
        return self._send(request, stream, timeout, idempotency_header)

    def _request_json(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        idempotency_header: str | None = None,
    ) -> JSONResult:
        """Perform a request and decode its JSON body (None for an empty body)."""
        response = self._request(
            method,
            path,
            query=query,
            body=body,
            headers=headers,
            timeout=timeout,
            idempotency_header=idempotency_header,
        )
        content = response.read()
        where = response.request.describe() if response.request else f"{method} {path}"
        data = decode_json(content, where) if content.strip() else None
        return JSONResult(data, response.headers)

    def _stream(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any | None = None,
        headers: Mapping[str, str] | None = None,
        raise_on_error: bool = True,
        timeout: float | None = None,
        idempotency_header: str | None = None,
    ) -> EventStream:
        """Perform a streaming request (retried only before a 2xx arrives) and return its events."""
        request = self._build_request(
            method, path, query, body, True, headers, idempotency_header
        )
        response = self._send(request, True, timeout, idempotency_header)
        ctype = header_value(response.headers, "content-type") or ""
        if not ctype.startswith("text/event-stream"):
            content = response.read_prefix(self.options.limits.max_error_size)
            raise APIResponseError(
                f"expected text/event-stream from {request.describe()}, got {ctype!r}",
                status_code=response.status,
                body=content,
                request=request.describe(),
            )
        limits = self.options.limits
        return EventStream(response, request.describe(), raise_on_error, limits)

    def _paginate(
        self, fetch_page: Callable[[str | None], tuple[list[T], bool, str | None]]
    ) -> Iterator[T]:
        """Lazily iterate over all items, fetching the next page only when needed.

        A cursor the server already gave raises APIResponseError (it would loop for ever).
        """
        after: str | None = None
        seen: set[str] = set()
        while True:
            items, has_more, last_id = fetch_page(after)
            yield from items
            if not has_more or not items or last_id is None:
                return
            if last_id in seen or last_id == after:
                raise APIResponseError(
                    f"pagination cursor {last_id!r} came back after {len(seen)} pages: "
                    "the server's pages loop, stopping"
                )
            seen.add(last_id)
            after = last_id

    def _poll(
        self,
        fetch: Callable[[], tuple[T, Mapping[str, str]]],
        is_done: Callable[[T], bool],
        *,
        interval: float = 1.0,
        timeout: float | None = None,
    ) -> T:
        """Fetch until `is_done`, sleeping `openai-poll-after-ms` (clamped) or `interval`."""
        if not isinstance(interval, (int, float)) or not 0 <= interval < math.inf:
            raise ClientValueError("interval must be a finite number of seconds >= 0")
        deadline = None if timeout is None else self._clock() + timeout
        while True:
            value, headers = fetch()
            if is_done(value):
                return value
            delay = poll_delay(headers, interval)
            if deadline is not None:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise PollTimeoutError(
                        f"polling timed out after {timeout} s", value
                    )
                delay = min(delay, remaining)
            self._sleep(delay)
