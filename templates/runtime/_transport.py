"""The synchronous transport: Request, Response, the Transport protocol and UrllibTransport.

The default transport never follows redirects, bounds each read by its timeout and the whole
exchange by the request's deadline (a watchdog shuts the socket down when it passes).
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._errors import (
    STATUS_ERRORS,
    APIConnectionError,
    APIError,
    APITimeoutError,
    Headers,
    InternalServerError,
    ResponseTooLargeError,
    header_value,
    is_credential,
    is_object,
    opt_str,
)

__all__ = [
    "LineSplitter",
    "RawBody",
    "Request",
    "Response",
    "Transport",
    "UrllibTransport",
    "make_status_error",
    "split_lines",
]


@dataclass(frozen=True)
class RawBody:
    """A request body already encoded (a form): sent as it is, with its content type.

    `data` is bytes, or byte chunks iterated anew for each attempt, so a large file is streamed
    from disk rather than held in memory; `length` is the size in bytes when known (otherwise
    the body goes chunked). A body that can be read only once (`replayable` false: a pipe, say)
    is never resent, so its request is not retried once it may have reached the server.
    """

    content_type: str
    data: bytes | Iterable[bytes]
    length: int | None = None
    replayable: bool = True


@dataclass(repr=False)
class Request:
    """An HTTP request as handed to a transport.

    `deadline` is the `time.monotonic()` by which the response must have arrived (its headers,
    and its whole body unless streaming); None means no total deadline.
    """

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict[str, str])
    body: bytes | Iterable[bytes] | None = None  # chunks: a streamed form (see RawBody)
    deadline: float | None = None
    replayable: bool = True  # whether `body` can be sent again (a retry, a redirect)

    def describe(self) -> str:
        """Return "METHOD url" for error messages."""
        return f"{self.method} {self.url}"

    def __repr__(self) -> str:
        shown = {
            k: "<redacted>" if is_credential(k) else v for k, v in self.headers.items()
        }
        size = (
            "None"
            if self.body is None
            else (
                f"<{len(self.body)} bytes>"
                if isinstance(self.body, bytes)
                else "<streamed>"
            )
        )
        return f"Request({self.method!r}, {self.url!r}, headers={shown!r}, body={size})"

    def timed_out(self) -> bool:
        """Whether the deadline has passed."""
        return self.deadline is not None and time.monotonic() >= self.deadline


class _Readable(Protocol):
    def read(self) -> bytes: ...

    def close(self) -> None: ...


class Response:
    """An HTTP response whose body is read lazily from `stream` (or given as bytes).

    `on_close` is called once when the response is closed (the default transport stops the
    request's deadline watchdog with it).
    """

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | _Readable | None = None,
        *,
        request: Request | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.status = status
        self.headers: Mapping[str, str] = Headers(headers)
        self.request = request
        self._content = body if isinstance(body, bytes) else None
        self._stream = None if isinstance(body, bytes) else body
        self._on_close = on_close

    def _where(self) -> str:
        return self.request.describe() if self.request else ""

    def _guard(self, exc: Exception) -> APIConnectionError:
        where = self._where()
        if self.request is not None and self.request.timed_out():
            return APITimeoutError(
                "deadline passed reading response body", request=where
            )
        cls = APITimeoutError if isinstance(exc, TimeoutError) else APIConnectionError
        return cls(f"error reading response body: {exc!r}", request=where)

    def _bounded(self, limit: int | None, cut: bool) -> bytes:
        """The body, at most `limit` bytes: beyond, cut it or raise ResponseTooLargeError."""
        data = bytearray()
        for chunk in self.iter_chunks():
            data += chunk
            if limit is not None and len(data) > limit:
                if cut:
                    return bytes(data[:limit])
                raise ResponseTooLargeError(
                    f"response body of {self._where()} exceeds {limit} bytes",
                    status_code=self.status,
                    request=self._where(),
                )
            self._check_deadline()
        self._check_deadline()  # a watchdog's shutdown reads as an early end of the body
        return bytes(data)

    def _check_deadline(self) -> None:
        if self.request is not None and self.request.timed_out():
            raise APITimeoutError(
                "deadline passed reading response body", request=self._where()
            )

    def read(self, limit: int | None = None) -> bytes:
        """Read (and cache) the whole body, then close the connection.

        A body longer than `limit` bytes raises ResponseTooLargeError.
        """
        if self._content is None:
            try:
                self._content = self._bounded(limit, cut=False)
            finally:
                self.close()
        return self._content

    def read_prefix(self, limit: int) -> bytes:
        """Read (and cache) at most `limit` bytes of the body, then close the connection."""
        if self._content is None:
            try:
                self._content = self._bounded(limit, cut=True)
            finally:
                self.close()
        return self._content[:limit]

    def iter_chunks(self) -> Iterator[bytes]:
        """Yield body chunks as soon as they arrive."""
        if self._content is not None or self._stream is None:
            yield self._content or b""
            return
        read1 = getattr(self._stream, "read1", None)
        try:
            while chunk := (read1(65536) if read1 is not None else self._stream.read()):
                yield chunk
        except (OSError, http.client.HTTPException) as exc:
            raise self._guard(exc) from exc

    def iter_lines(self, max_line_size: int | None = None) -> Iterator[bytes]:
        """Yield body lines without terminators, splitting on CRLF, LF and CR."""
        return split_lines(self.iter_chunks(), max_line_size)

    def close(self) -> None:
        """Release the underlying connection."""
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()
        if self._stream is not None:
            self._stream.close()


class Transport(Protocol):
    """Sends one request; must return non-2xx responses (redirects included) rather than raise.

    A transport must not follow redirects itself: the client decides which to follow.
    """

    def send(self, request: Request, *, timeout: float, stream: bool) -> Response:
        """Send `request`, waiting at most `timeout` seconds to connect and for each read.

        Raise APIConnectionError/APITimeoutError when no response came (with `sent=False` when
        the connection could not even be opened).
        """
        ...


class _ConnectError(OSError):
    """Opening the connection failed: nothing of the request was sent."""


class _Watchdog:
    """Shuts a request's socket down at its deadline, so no read can outlive the deadline."""

    def __init__(self, deadline: float | None, read_timeout: float) -> None:
        self.deadline = deadline
        self.read_timeout = read_timeout
        self.fired = False
        self._done = False
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def watch(self, sock: socket.socket) -> None:
        """Start watching `sock` (just connected); reads on it wait `read_timeout` each."""
        sock.settimeout(self.read_timeout)
        if self.deadline is None:
            return
        timer = threading.Timer(
            max(self.deadline - time.monotonic(), 0.0), self._fire, (sock,)
        )
        timer.daemon = True
        with self._lock:
            if self._done:
                return
            self._timer = timer
        timer.start()

    def _fire(self, sock: socket.socket) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed: nothing left to interrupt

    def stop(self) -> None:
        """Stop watching (the response is complete or closed)."""
        with self._lock:
            self._done = True
            timer = self._timer
        if timer is not None:
            timer.cancel()


def _connect(conn: http.client.HTTPConnection, connect: Callable[[], None]) -> None:
    """Open `conn` within its deadline, marking failures as connect errors, and hand the socket
    to its watchdog."""
    watchdog = getattr(conn, "watchdog", None)
    if not isinstance(watchdog, _Watchdog):
        watchdog = None
    deadline = watchdog.deadline if watchdog is not None else None
    if deadline is not None and isinstance(conn.timeout, float):
        conn.timeout = min(conn.timeout, max(deadline - time.monotonic(), 0.001))
    try:
        connect()
    except OSError as exc:
        raise _ConnectError(f"could not connect: {exc}") from exc
    if watchdog is not None and conn.sock is not None:
        watchdog.watch(conn.sock)


class _WatchedHTTPConnection(http.client.HTTPConnection):
    def __init__(
        self, *args: Any, watchdog: _Watchdog | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.watchdog = watchdog

    def connect(self) -> None:
        _connect(self, super().connect)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self, *args: Any, watchdog: _Watchdog | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.watchdog = watchdog

    def connect(self) -> None:
        _connect(self, super().connect)


class _UrllibRequest(urllib.request.Request):
    watchdog: _Watchdog | None = None


def _watchdog_of(req: urllib.request.Request) -> _Watchdog | None:
    return req.watchdog if isinstance(req, _UrllibRequest) else None


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_WatchedHTTPConnection, req, watchdog=_watchdog_of(req))


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        super().__init__(context=context)
        self._tls = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            _WatchedHTTPSConnection, req, context=self._tls, watchdog=_watchdog_of(req)
        )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hands every redirect back as a response: the client decides what to follow."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class UrllibTransport:
    """Default transport over urllib.request (honours *_proxy environment variables).

    It never follows redirects, bounds each read by `timeout` and the whole exchange by the
    request's `deadline` (a watchdog shuts the socket down when it passes).
    """

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._opener = urllib.request.build_opener(
            _NoRedirects, _HTTPHandler, _HTTPSHandler(ssl_context)
        )

    def send(self, request: Request, *, timeout: float, stream: bool) -> Response:
        """Send `request`; see `Transport.send`."""
        watchdog = _Watchdog(request.deadline, timeout)
        raw = _UrllibRequest(
            request.url,
            data=request.body,
            headers=request.headers,
            method=request.method,
        )
        raw.watchdog = watchdog
        try:
            resp = self._opener.open(raw, timeout=timeout)
        except urllib.error.HTTPError as exc:
            # typed as always there, but None when the error carries no body
            body: bytes | _Readable = (
                exc if getattr(exc, "fp", None) is not None else b""
            )
            return Response(
                exc.code,
                list(exc.headers.items()),
                body,
                request=request,
                on_close=watchdog.stop,
            )
        except (OSError, http.client.HTTPException) as exc:
            watchdog.stop()
            raise transport_error(exc, request, watchdog.fired) from exc
        if stream:
            watchdog.stop()  # a stream's deadline ends with its headers
        return Response(
            resp.status,
            list(resp.headers.items()),
            resp,
            request=request,
            on_close=watchdog.stop,
        )


def transport_error(
    exc: BaseException, request: Request, fired: bool
) -> APIConnectionError:
    """The APIConnectionError for a failed send; `sent` is False for connect failures."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    sent = not isinstance(reason, _ConnectError)
    cause = reason.__cause__ if isinstance(reason, _ConnectError) else reason
    where = request.describe()
    if fired or request.timed_out():
        return APITimeoutError("request deadline passed", request=where, sent=sent)
    if isinstance(cause, TimeoutError):
        return APITimeoutError(f"request timed out: {reason}", request=where, sent=sent)
    text = str(reason) if isinstance(reason, _ConnectError) else repr(reason)
    return APIConnectionError(f"connection error: {text}", request=where, sent=sent)


class Answer(Protocol):
    """What an error is built from: a sync or async response's status and headers."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


def make_status_error(response: Answer, body: bytes, where: str) -> APIError:
    """Build the APIError subclass matching a non-2xx response."""
    status = response.status
    text = body.decode("utf-8", "replace").strip()
    message = text or f"HTTP {status}"
    info: dict[str, Any] = {}
    try:
        data = json.loads(body) if text else None
    except (ValueError, RecursionError):
        data = None
    if is_object(data):
        err = data.get("error", data)
        if is_object(err):
            info = err
            message = str(err["message"]) if err.get("message") is not None else message
        elif isinstance(err, str):
            message = err
    cls = STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIError)
    return cls(
        message,
        status_code=status,
        type=opt_str(info.get("type")),
        code=opt_str(info.get("code")),
        param=opt_str(info.get("param")),
        request_id=header_value(response.headers, "x-request-id"),
        body=body,
        request=where,
        headers=response.headers,
    )


def too_long(what: str, limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(f"{what} exceeds {limit} bytes")


class LineSplitter:
    """Splits a byte stream fed chunk by chunk into lines on CRLF, LF or CR.

    Each byte is scanned once; a line longer than `max_line_size` raises ResponseTooLargeError.
    """

    def __init__(self, max_line_size: int | None = None) -> None:
        self.max_line_size = max_line_size
        self._buf = bytearray()
        self._skip_lf = False

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        """The lines `chunk` completes, without their terminators."""
        if not chunk:
            return
        buf, limit = self._buf, self.max_line_size
        if self._skip_lf and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        self._skip_lf = False
        scan = len(buf)  # what is already buffered holds no line terminator
        buf += chunk
        start = 0
        cr, lf = buf.find(b"\r", scan), buf.find(b"\n", scan)
        while cr >= 0 or lf >= 0:
            end = lf if cr < 0 or 0 <= lf < cr else cr
            if limit is not None and end - start > limit:
                raise too_long("SSE line", limit)
            yield bytes(buf[start:end])
            if buf[end] == 13 and end + 1 < len(buf) and buf[end + 1] == 10:
                end += 1
            elif buf[end] == 13 and end + 1 == len(buf):
                self._skip_lf = True
            start = end + 1
            if 0 <= cr < start:
                cr = buf.find(b"\r", start)
            if 0 <= lf < start:
                lf = buf.find(b"\n", start)
        del buf[:start]
        if limit is not None and len(buf) > limit:
            raise too_long("SSE line", limit)

    def finish(self) -> Iterator[bytes]:
        """The final partial line, if any (the stream ended)."""
        if self._buf:
            yield bytes(self._buf)
            self._buf.clear()


def split_lines(
    chunks: Iterable[bytes], max_line_size: int | None = None
) -> Iterator[bytes]:
    """Split a chunked byte stream into lines on CRLF, LF or CR (a final partial line is kept).

    Each byte is scanned once; a line longer than `max_line_size` raises ResponseTooLargeError.
    """
    splitter = LineSplitter(max_line_size)
    for chunk in chunks:
        yield from splitter.feed(chunk)
    yield from splitter.finish()
