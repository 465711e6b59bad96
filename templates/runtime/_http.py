"""HTTP runtime of the generated client: the request machinery, and the names client.py uses.

Safe by default against a hostile or broken server: redirects are never followed to another
origin nor with a changed method; the API key is checked once and never shown; POST and PATCH
are retried only when they provably did not reach the server or carry an idempotency key; every
request has a total deadline, every body and SSE frame a size limit, every server-suggested
delay a clamp; URLs are built from a base URL checked once and percent-encoded parameters.

The pieces live in sibling modules (`_errors`, `_policy`, `_transport`, `_sse`, `_core`, and
for the async client `_async_transport` and `_async_client`); this module re-exports their
public names, so `_http.<Name>` is the one way generated code reaches them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any, ParamSpec, TypeVar

from ._async_client import AsyncBaseClient, AsyncEventStream, AsyncRawResponses
from ._async_transport import (
    AsyncioTransport,
    AsyncResponse,
    AsyncTransport,
    HttpxAsyncTransport,
)
from ._core import (
    DEFAULT_IDEMPOTENCY_HEADER,
    ClientCore,
    Cursor,
    JSONResult,
    Poller,
    RawResponse,
    raw_response,
    start_capture,
    stop_capture,
)
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
from ._policy import ClientOptions, Limits, quote_path_param
from ._sse import EventStream, ServerSentEvent, iter_sse, not_an_event_stream, parse_sse
from ._transport import (
    RawBody,
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
    "AsyncBaseClient",
    "AsyncEventStream",
    "AsyncRawResponses",
    "AsyncResponse",
    "AsyncTransport",
    "AsyncioTransport",
    "AuthenticationError",
    "BadRequestError",
    "BaseClient",
    "ClientOptions",
    "ClientValueError",
    "ConflictError",
    "EventStream",
    "Headers",
    "HttpxAsyncTransport",
    "InternalServerError",
    "JSONResult",
    "Limits",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "RawBody",
    "RawResponse",
    "RawResponses",
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
P = ParamSpec("P")


class BaseClient(ClientCore[Transport]):
    """Shared request machinery of generated (synchronous) clients.

    Settings live in the immutable `options` (a ClientOptions); `with_options(...)` returns a
    copy of the client with some of them changed. Without a `transport`, requests go through
    `UrllibTransport()`.
    """

    def _default_transport(self) -> Transport:
        return UrllibTransport()

    def _sleep(self, seconds: float) -> None:
        """Wait between retries and polls (replaceable, e.g. by a test recording delays)."""
        time.sleep(seconds)

    @property
    def with_raw_response(self) -> RawResponses:
        """`client.with_raw_response.<method>(...)`: the method's RawResponse instead."""
        return RawResponses(self)

    def raw(self, method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
        """`client.raw(client.<method>)(...)`: the RawResponse, typed after the method."""

        def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
            seen, token = start_capture()
            try:
                parsed = method(*args, **kwargs)
            finally:
                stop_capture(token)
            return raw_response(getattr(method, "__name__", "method"), seen, parsed)

        return call

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
            try:
                follow = self._redirect(
                    response.status, response.headers, current, hops
                )
            except APIRedirectError:
                response.close()
                raise
            if follow is None:
                break  # not a redirect (a 304, a 3xx without Location: its body is read)
            response.close()
            current, hops = follow, hops + 1
        if 200 <= response.status < 300 and not stream:
            response.read(self.options.limits.max_response_size)
        return response

    def _send(
        self,
        request: Request,
        stream: bool,
        timeout: float | None,
        idempotency_header: str | None = None,
        max_retries: int | None = None,
    ) -> Response:
        """Send with retries; non-streaming bodies are read inside the retry loop.

        Safe requests (idempotent methods, or carrying an idempotency key in the header the
        API names) are retried on connection errors and retryable statuses; others only when
        they never left (a connect failure).
        """
        total = self._total(timeout)
        retries = self._retries(max_retries)
        safe = self._is_safe(request, idempotency_header)
        started = time.monotonic()
        attempt = 0
        while True:
            headers: Mapping[str, str] | None = None
            self._log_sending(request, attempt)
            try:
                response = self._attempt(request, stream, total)
                if 200 <= response.status < 300:
                    self._done(
                        request, response.status, response.headers, started, attempt
                    )
                    return response
                body = response.read_prefix(self.options.limits.max_error_size)
                if attempt >= retries or not self._should_retry(
                    response.status, response.headers, safe
                ):
                    raise make_status_error(response, body, request.describe())
                headers, why = response.headers, f"HTTP {response.status}"
            except APIConnectionError as exc:
                if attempt >= retries or (exc.sent and not safe):
                    raise
                why = str(exc)
            delay = self._retry_delay(attempt, headers)
            self._log_retry(request, attempt, retries, delay, why)
            self._sleep(delay)
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
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
    ) -> Response:
        """Perform a request with retries; raise the mapped APIError for non-2xx."""
        request = self._build_request(
            method,
            path,
            query,
            body,
            stream,
            headers,
            idempotency_header,
            extra_query=extra_query,
            extra_body=extra_body,
            idempotency_key=idempotency_key,
        )
        key_header = idempotency_header or (
            DEFAULT_IDEMPOTENCY_HEADER if idempotency_key is not None else None
        )
        return self._send(request, stream, timeout, key_header, max_retries)

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
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
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
            extra_query=extra_query,
            extra_body=extra_body,
            idempotency_key=idempotency_key,
            max_retries=max_retries,
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
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
    ) -> EventStream:
        """Perform a streaming request (retried only before a 2xx arrives) and return its events."""
        response = self._request(
            method,
            path,
            query=query,
            body=body,
            stream=True,
            headers=headers,
            timeout=timeout,
            idempotency_header=idempotency_header,
            extra_query=extra_query,
            extra_body=extra_body,
            idempotency_key=idempotency_key,
            max_retries=max_retries,
        )
        where = response.request.describe() if response.request else f"{method} {path}"
        ctype = header_value(response.headers, "content-type") or ""
        if not ctype.startswith("text/event-stream"):
            content = response.read_prefix(self.options.limits.max_error_size)
            raise not_an_event_stream(response.status, ctype, content, where)
        limits = self.options.limits
        return EventStream(response, where, raise_on_error, limits)

    def _paginate(
        self, fetch_page: Callable[[str | None], tuple[list[T], bool, str | None]]
    ) -> Iterator[T]:
        """Lazily iterate over all items, fetching the next page only when needed.

        A cursor the server already gave raises APIResponseError (it would loop for ever).
        """
        cursor = Cursor()
        while True:
            items, has_more, last_id = fetch_page(cursor.after)
            yield from items
            if not cursor.advance(items, has_more, last_id):
                return

    def _poll(
        self,
        fetch: Callable[[], tuple[T, Mapping[str, str]]],
        is_done: Callable[[T], bool],
        *,
        interval: float = 1.0,
        timeout: float | None = None,
    ) -> T:
        """Fetch until `is_done`, sleeping `openai-poll-after-ms` (clamped) or `interval`."""
        poller = Poller(interval, timeout, self._clock)
        while True:
            value, headers = fetch()
            if is_done(value):
                return value
            self._sleep(poller.delay(value, headers))


class RawResponses:
    """`client.with_raw_response`: each client method, returning its RawResponse instead.

    `client.with_raw_response.create_run(...)` is `client.raw(client.create_run)(...)`, which
    keeps the method's types.
    """

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., RawResponse[Any]]:
        method = getattr(self._client, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(
                f"{type(self._client).__name__} has no method {name!r}"
            )
        return self._client.raw(method)
