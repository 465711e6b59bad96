"""Asynchronous transports: AsyncResponse, the AsyncTransport protocol, AsyncioTransport (the
standard library's asyncio streams and ssl, HTTP/1.1) and HttpxAsyncTransport (a user's
httpx.AsyncClient, never imported here).

A transport sends one request and hands back every response, redirects and errors included;
it bounds each read by its `timeout`. The client bounds the whole exchange by the request's
deadline and decides what to retry and follow.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol

from ._errors import (
    APIConnectionError,
    APITimeoutError,
    Headers,
    ResponseTooLargeError,
    header_value,
)
from ._transport import LineSplitter, Request

__all__ = ["AsyncResponse", "AsyncTransport", "AsyncioTransport", "HttpxAsyncTransport"]

CHUNK = 65536
MAX_HEADER_LINE = 65536  # bytes of one status or header line
MAX_HEADERS = 200  # header lines of one response
# What asyncio.wait_for raises at its timeout (asyncio's own class before Python 3.11).
WAIT_TIMEOUTS = (asyncio.TimeoutError, TimeoutError)


class AsyncResponse:
    """An HTTP response whose body is read lazily from an async iterator (or given as bytes).

    `on_close` is awaited once when the response is closed (it releases the connection).
    """

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | AsyncIterator[bytes] | None = None,
        *,
        request: Request | None = None,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.status = status
        self.headers: Mapping[str, str] = Headers(headers)
        self.request = request
        self._content = body if isinstance(body, bytes) else None
        self._stream = None if isinstance(body, bytes) else body
        self._on_close = on_close

    def _where(self) -> str:
        return self.request.describe() if self.request else ""

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        """Yield body chunks as soon as they arrive."""
        if self._content is not None or self._stream is None:
            yield self._content or b""
            return
        try:
            async for chunk in self._stream:
                if chunk:
                    yield chunk
        except (OSError, EOFError, ValueError) as exc:
            raise APIConnectionError(
                f"error reading response body: {exc!r}", request=self._where()
            ) from exc

    async def _bounded(self, limit: int | None, cut: bool) -> bytes:
        """The body, at most `limit` bytes: beyond, cut it or raise ResponseTooLargeError."""
        data = bytearray()
        async for chunk in self.iter_chunks():
            data += chunk
            if limit is not None and len(data) > limit:
                if cut:
                    return bytes(data[:limit])
                raise ResponseTooLargeError(
                    f"response body of {self._where()} exceeds {limit} bytes",
                    status_code=self.status,
                    request=self._where(),
                )
        return bytes(data)

    async def read(self, limit: int | None = None) -> bytes:
        """Read (and cache) the whole body, then close the connection.

        A body longer than `limit` bytes raises ResponseTooLargeError.
        """
        if self._content is None:
            try:
                self._content = await self._bounded(limit, cut=False)
            finally:
                await self.aclose()
        return self._content

    async def read_prefix(self, limit: int) -> bytes:
        """Read (and cache) at most `limit` bytes of the body, then close the connection."""
        if self._content is None:
            try:
                self._content = await self._bounded(limit, cut=True)
            finally:
                await self.aclose()
        return self._content[:limit]

    async def iter_lines(
        self, max_line_size: int | None = None
    ) -> AsyncIterator[bytes]:
        """Yield body lines without terminators, splitting on CRLF, LF and CR."""
        splitter = LineSplitter(max_line_size)
        async for chunk in self.iter_chunks():
            for line in splitter.feed(chunk):
                yield line
        for line in splitter.finish():
            yield line

    async def aclose(self) -> None:
        """Release the underlying connection."""
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            await on_close()
            finish = getattr(self._stream, "aclose", None)
            if finish is not None:
                await finish()


class AsyncTransport(Protocol):
    """Sends one request; must return non-2xx responses (redirects included) rather than raise.

    A transport must not follow redirects itself: the client decides which to follow.
    """

    async def send(
        self, request: Request, *, timeout: float, stream: bool
    ) -> AsyncResponse:
        """Send `request`, waiting at most `timeout` seconds to connect and for each read.

        Raise APIConnectionError/APITimeoutError when no response came (with `sent=False` when
        the connection could not even be opened).
        """
        ...


async def _within(what: Awaitable[Any], timeout: float, where: str, doing: str) -> Any:
    """Await `what` for at most `timeout` seconds (APITimeoutError after)."""
    try:
        return await asyncio.wait_for(what, timeout)
    except WAIT_TIMEOUTS:
        raise APITimeoutError(
            f"request timed out {doing} (after {timeout:g} s)", request=where
        ) from None


class AsyncioTransport:
    """Default async transport: HTTP/1.1 over asyncio streams, one connection per request.

    TLS uses `ssl_context` (default: the system's trusted roots, hostname checked). It sends
    `Connection: close`, reads Content-Length, chunked and until-close bodies, and never
    follows redirects. Proxies (*_proxy variables) are not used: for them, pass an
    HttpxAsyncTransport.
    """

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl = ssl_context

    async def send(
        self, request: Request, *, timeout: float, stream: bool
    ) -> AsyncResponse:
        """Send `request`; see `AsyncTransport.send`."""
        where = request.describe()
        parts = urllib.parse.urlsplit(request.url)
        tls = parts.scheme == "https"
        host = parts.hostname or ""
        port = parts.port or (443 if tls else 80)
        head = _head(request, parts)
        context = None
        if tls:
            context = self._ssl or ssl.create_default_context()
        try:
            opening = asyncio.open_connection(
                host,
                port,
                ssl=context,
                server_hostname=host if tls else None,
                limit=MAX_HEADER_LINE,
            )
            reader, writer = await asyncio.wait_for(opening, timeout)
        except WAIT_TIMEOUTS:
            raise APITimeoutError(
                f"could not connect within {timeout:g} s", request=where, sent=False
            ) from None
        except OSError as exc:
            raise APIConnectionError(
                f"connection error: could not connect: {exc}", request=where, sent=False
            ) from exc

        async def close() -> None:
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, *WAIT_TIMEOUTS):
                return  # the socket is closed either way; only the goodbye was lost

        try:
            writer.write(head)
            await _send_body(writer, request, timeout, where)
            status, headers = await _read_head(reader, timeout, where)
        except BaseException as exc:
            await close()
            if isinstance(exc, (OSError, EOFError, ValueError)):
                raise APIConnectionError(
                    f"connection error: {exc!r}", request=where
                ) from exc
            raise
        body = _body(reader, request.method, status, headers, timeout, where)
        return AsyncResponse(status, headers, body, request=request, on_close=close)


def _head(request: Request, parts: urllib.parse.SplitResult) -> bytes:
    """The request line and headers (Host, Content-Length and Connection added).

    A target with a space or a control character (from a redirect's Location, say) is refused:
    it would change what the request line says.
    """
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not all("!" <= char <= "~" for char in target + parts.netloc):
        raise APIConnectionError(
            f"URL {request.url[:200]!r} has characters a request line cannot hold",
            request=request.describe(),
            sent=False,
        )
    lines = [f"{request.method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    skip = {"host", "content-length", "connection", "transfer-encoding"}
    lines += [f"{k}: {v}" for k, v in request.headers.items() if k.lower() not in skip]
    body = request.body
    if body is None or isinstance(body, bytes):
        if body is not None or request.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body or b'')}")
    elif (length := header_value(request.headers, "content-length")) is not None:
        lines.append(f"Content-Length: {length}")  # a streamed form of known size
    else:
        lines.append("Transfer-Encoding: chunked")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send_body(
    writer: asyncio.StreamWriter, request: Request, timeout: float, where: str
) -> None:
    """Write the body: bytes at once, chunks (a streamed form) one by one as they are read,
    chunk-encoded when no Content-Length was given."""
    body = request.body
    if body is not None and not isinstance(body, bytes):
        chunked = header_value(request.headers, "content-length") is None
        for chunk in body:
            if chunk:
                writer.write(
                    b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
                )
                await _within(writer.drain(), timeout, where, "sending")
        if chunked:
            writer.write(b"0\r\n\r\n")
    elif body:
        writer.write(body)
    await _within(writer.drain(), timeout, where, "sending")


async def _line(reader: asyncio.StreamReader, timeout: float, where: str) -> bytes:
    """One line of the head (or a chunk-size line), without its CRLF, within MAX_HEADER_LINE."""
    try:
        line: bytes = await _within(
            reader.readline(), timeout, where, "reading headers"
        )
    except ValueError:  # the stream's limit: no line end within MAX_HEADER_LINE bytes
        raise ResponseTooLargeError(
            f"a response line exceeds {MAX_HEADER_LINE} bytes", request=where
        ) from None
    if not line.endswith(b"\n"):
        raise APIConnectionError(
            "connection closed before the response was complete", request=where
        )
    return line.rstrip(b"\r\n")


async def _read_head(
    reader: asyncio.StreamReader, timeout: float, where: str
) -> tuple[int, list[tuple[str, str]]]:
    """The status and headers of the final response (1xx interim responses skipped)."""
    while True:
        status_line = (await _line(reader, timeout, where)).decode("latin-1")
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise APIConnectionError(
                f"malformed status line {status_line[:100]!r}", request=where
            )
        headers: list[tuple[str, str]] = []
        while line := await _line(reader, timeout, where):
            if len(headers) >= MAX_HEADERS:
                raise ResponseTooLargeError(
                    f"more than {MAX_HEADERS} response headers", request=where
                )
            text = line.decode("latin-1")
            if text[0] in " \t" and headers:  # obsolete line folding
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {text.strip()}")
                continue
            name, sep, value = text.partition(":")
            if not sep or not name or name != name.strip():
                raise APIConnectionError(
                    f"malformed header line {text[:100]!r}", request=where
                )
            headers.append((name, value.strip()))
        status = int(code)
        if not 100 <= status < 200 or status == 101:
            return status, headers


async def _body(
    reader: asyncio.StreamReader,
    method: str,
    status: int,
    headers: list[tuple[str, str]],
    timeout: float,
    where: str,
) -> AsyncIterator[bytes]:
    """The body's bytes as they arrive, framed by chunked encoding, Content-Length or EOF."""
    fields = Headers(headers)
    if method == "HEAD" or status in (204, 304):
        return
    encoding = (header_value(fields, "transfer-encoding") or "").lower()
    if "chunked" in encoding:
        async for chunk in _chunked(reader, timeout, where):
            yield chunk
        return
    length = header_value(fields, "content-length")
    if length is not None:
        sizes = {part.strip() for part in length.split(",")}
        size = sizes.pop() if len(sizes) == 1 else ""
        if not size.isdigit():
            raise APIConnectionError(
                f"malformed Content-Length {length[:40]!r}", request=where
            )
        left = int(size)
        while left > 0:
            chunk = await _within(
                reader.read(min(left, CHUNK)), timeout, where, "reading"
            )
            if not chunk:
                raise APIConnectionError(
                    f"connection closed with {left} bytes of the body missing",
                    request=where,
                )
            left -= len(chunk)
            yield chunk
        return
    while chunk := await _within(reader.read(CHUNK), timeout, where, "reading"):
        yield chunk


async def _chunked(
    reader: asyncio.StreamReader, timeout: float, where: str
) -> AsyncIterator[bytes]:
    """Decode a chunked body (chunk extensions ignored, trailers read and dropped)."""
    while True:
        line = (await _line(reader, timeout, where)).split(b";", 1)[0].strip()
        try:
            size = int(line, 16) if line and len(line) <= 16 else -1
        except ValueError:
            size = -1
        if size < 0:
            raise APIConnectionError(
                f"malformed chunk size {line[:40]!r}", request=where
            )
        if size == 0:
            while await _line(reader, timeout, where):
                pass  # trailer fields: nothing the client uses
            return
        while size > 0:
            want = min(size, CHUNK)
            chunk = await _within(reader.readexactly(want), timeout, where, "reading")
            size -= len(chunk)
            yield chunk
        if await _line(reader, timeout, where):
            raise APIConnectionError("chunk not followed by CRLF", request=where)


class HttpxAsyncTransport:
    """Sends through a user's `httpx.AsyncClient` (proxies, HTTP/2, its connection pool).

    `HttpxAsyncTransport(httpx.AsyncClient())`; redirects are left to the client (never
    followed by httpx), httpx's errors become APIConnectionError/APITimeoutError. The package
    itself does not import httpx.
    """

    def __init__(self, client: Any) -> None:
        self._client = client

    async def aclose(self) -> None:
        """Close the httpx client (its connection pool)."""
        await self._client.aclose()

    async def send(
        self, request: Request, *, timeout: float, stream: bool
    ) -> AsyncResponse:
        """Send `request`; see `AsyncTransport.send`."""
        where = request.describe()
        built = self._client.build_request(
            request.method,
            request.url,
            headers=request.headers,
            content=(
                request.body
                if request.body is None or isinstance(request.body, bytes)
                else _async_chunks(request.body)
            ),
            timeout=timeout,
        )
        try:
            response = await self._client.send(
                built, stream=True, follow_redirects=False
            )
        except Exception as exc:
            mapped = _httpx_error(exc, where)
            if mapped is None:
                raise
            raise mapped from exc

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.aiter_bytes():
                    yield chunk
            except Exception as exc:
                mapped = _httpx_error(exc, where)
                if mapped is None:
                    raise
                raise mapped from exc

        return AsyncResponse(
            response.status_code,
            list(response.headers.multi_items()),
            chunks(),
            request=request,
            on_close=response.aclose,
        )


def _httpx_error(exc: Exception, where: str) -> APIConnectionError | None:
    """httpx's transport error as the client's, else None (told apart by class name: httpx
    is not imported)."""
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    if "TransportError" not in kinds and "StreamError" not in kinds:
        return None
    sent = not ({"ConnectError", "ConnectTimeout"} & kinds)
    if "TimeoutException" in kinds:
        return APITimeoutError(f"request timed out: {exc!r}", request=where, sent=sent)
    return APIConnectionError(f"connection error: {exc!r}", request=where, sent=sent)


async def _async_chunks(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    """A streamed form's chunks, for httpx's async client (which takes only async streams)."""
    for chunk in chunks:
        yield chunk
