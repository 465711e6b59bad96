"""The async client's machinery: AsyncBaseClient, AsyncEventStream, async pagination and polling.

It makes the decisions of the sync client (`ClientCore`: what is sent, retried, followed and
logged) and only awaits where the sync one blocks. The total deadline of an attempt is enforced
with `asyncio.wait_for`, so it holds whatever transport is plugged in.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, ParamSpec, TypeVar, cast, final

from ._async_transport import (
    WAIT_TIMEOUTS,
    AsyncioTransport,
    AsyncResponse,
    AsyncTransport,
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
    APITimeoutError,
    ResponseTooLargeError,
    decode_json,
    header_value,
)
from ._policy import Limits
from ._sse import ServerSentEvent, SSEDecoder, not_an_event_stream, stream_error
from ._transport import Request, make_status_error

__all__ = ["AsyncBaseClient", "AsyncEventStream", "AsyncRawResponses"]

T = TypeVar("T")
P = ParamSpec("P")


@final
class AsyncEventStream(AsyncIterator[ServerSentEvent]):
    """Async iterator over the SSE events of a response; closes it when done or closed."""

    def __init__(
        self,
        response: AsyncResponse,
        where: str,
        raise_on_error: bool = True,
        limits: Limits | None = None,
    ) -> None:
        self.response = response
        self._events = self._generate(where, raise_on_error, limits or Limits())

    async def _generate(
        self, where: str, raise_on_error: bool, limits: Limits
    ) -> AsyncGenerator[ServerSentEvent, None]:
        decoder = SSEDecoder(where, limits.max_sse_event_size)
        try:
            async for line in self.response.iter_lines(limits.max_sse_line_size):
                sse = decoder.line(line)
                if sse is None:
                    continue
                if raise_on_error and sse.event == "error":
                    raise stream_error(sse, where)
                yield sse
        except ResponseTooLargeError as exc:
            exc.request = exc.request or where
            raise
        finally:
            await self.response.aclose()

    async def __anext__(self) -> ServerSentEvent:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stop iterating and release the connection."""
        await self._events.aclose()
        await self.response.aclose()

    async def __aenter__(self) -> AsyncEventStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class AsyncBaseClient(ClientCore[AsyncTransport]):
    """Shared request machinery of generated async clients (the constructor is the sync one's).

    The default transport, `AsyncioTransport()`, opens one connection per request;
    `await client.aclose()` closes a transport that pools them (HttpxAsyncTransport).
    """

    def _default_transport(self) -> AsyncTransport:
        return AsyncioTransport()

    async def _sleep(self, seconds: float) -> None:
        """Wait between retries and polls (replaceable, e.g. by a test recording delays)."""
        await asyncio.sleep(seconds)

    async def aclose(self) -> None:
        """Close the transport, if it holds anything (an httpx client's pool, say).

        AsyncioTransport keeps no connection between requests: nothing to close.
        """
        close = getattr(self._transport, "aclose", None)
        if close is not None:
            await close()

    @property
    def with_raw_response(self) -> AsyncRawResponses:
        """`await client.with_raw_response.<method>(...)`: the method's RawResponse instead."""
        return AsyncRawResponses(self)

    def raw(
        self, method: Callable[P, Awaitable[T]]
    ) -> Callable[P, Awaitable[RawResponse[T]]]:
        """`await client.raw(client.<method>)(...)`: the RawResponse, typed after the method."""

        async def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
            seen, token = start_capture()
            try:
                parsed = await method(*args, **kwargs)
            finally:
                stop_capture(token)
            return raw_response(getattr(method, "__name__", "method"), seen, parsed)

        return call

    async def _exchange(
        self, request: Request, stream: bool, deadline: float, read_wait: float
    ) -> AsyncResponse:
        """Send, following same-origin 307/308; read the body unless it is a 2xx stream."""
        current, hops = request, 0
        while True:
            left = max(deadline - time.monotonic(), 0.001)
            wait = read_wait if stream else min(read_wait, left)
            response = await self._transport.send(current, timeout=wait, stream=stream)
            try:
                follow = self._redirect(
                    response.status, response.headers, current, hops
                )
            finally:
                if 300 <= response.status < 400:
                    await response.aclose()
            if follow is None:
                break
            current, hops = follow, hops + 1
        limits = self.options.limits
        if not 200 <= response.status < 300:
            await response.read_prefix(limits.max_error_size)
        elif not stream:
            await response.read(limits.max_response_size)
        return response

    async def _attempt(
        self, request: Request, stream: bool, total: float
    ) -> AsyncResponse:
        """One attempt within one deadline (for a stream: until its headers arrived)."""
        deadline = time.monotonic() + total
        current = replace(request, deadline=deadline)
        read_wait = self.options.read_wait(total)
        exchange = self._exchange(current, stream, deadline, read_wait)
        try:
            return await asyncio.wait_for(exchange, total)
        except WAIT_TIMEOUTS:
            raise APITimeoutError(
                "request deadline passed", request=request.describe()
            ) from None

    async def _send(
        self,
        request: Request,
        stream: bool,
        timeout: float | None,
        idempotency_header: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncResponse:
        """Send with retries, by the sync client's rules (see `BaseClient._send`)."""
        total = self._total(timeout)
        retries = self._retries(max_retries)
        safe = self._is_safe(request, idempotency_header)
        started = time.monotonic()
        attempt = 0
        while True:
            headers: Mapping[str, str] | None = None
            self._log_sending(request, attempt)
            try:
                response = await self._attempt(request, stream, total)
                if 200 <= response.status < 300:
                    self._done(
                        request, response.status, response.headers, started, attempt
                    )
                    return response
                body = await response.read_prefix(self.options.limits.max_error_size)
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
            await self._sleep(delay)
            attempt += 1

    async def _request(
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
    ) -> AsyncResponse:
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
        return await self._send(request, stream, timeout, key_header, max_retries)

    async def _request_json(
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
        response = await self._request(
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
        content = await response.read()
        where = response.request.describe() if response.request else f"{method} {path}"
        data = decode_json(content, where) if content.strip() else None
        return JSONResult(data, response.headers)

    async def _stream(
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
    ) -> AsyncEventStream:
        """Perform a streaming request (retried only before a 2xx arrives); its events."""
        response = await self._request(
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
            content = await response.read_prefix(self.options.limits.max_error_size)
            raise not_an_event_stream(response.status, ctype, content, where)
        limits = self.options.limits
        return AsyncEventStream(response, where, raise_on_error, limits)

    async def _paginate(
        self,
        fetch_page: Callable[[str | None], Awaitable[tuple[list[T], bool, str | None]]],
    ) -> AsyncIterator[T]:
        """Lazily iterate over all items, fetching the next page only when needed.

        A cursor the server already gave raises APIResponseError (it would loop for ever).
        """
        cursor = Cursor()
        while True:
            items, has_more, last_id = await fetch_page(cursor.after)
            for item in items:
                yield item
            if not cursor.advance(items, has_more, last_id):
                return

    async def _poll(
        self,
        fetch: Callable[[], Awaitable[tuple[T, Mapping[str, str]]]],
        is_done: Callable[[T], bool],
        *,
        interval: float = 1.0,
        timeout: float | None = None,
    ) -> T:
        """Fetch until `is_done`, sleeping `openai-poll-after-ms` (clamped) or `interval`."""
        poller = Poller(interval, timeout, self._clock)
        while True:
            value, headers = await fetch()
            if is_done(value):
                return value
            await self._sleep(poller.delay(value, headers))


class AsyncRawResponses:
    """`client.with_raw_response` of an async client: each method, awaiting its RawResponse.

    `await client.with_raw_response.get_run(...)` is `await client.raw(client.get_run)(...)`,
    which keeps the method's types.
    """

    def __init__(self, client: AsyncBaseClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        method = getattr(self._client, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(
                f"{type(self._client).__name__} has no method {name!r}"
            )
        # every public method of the async client is a coroutine function
        return self._client.raw(cast("Callable[..., Awaitable[Any]]", method))
