"""HTTP runtime of the generated client: transport, errors, retries, SSE, pagination, polling.

Safe by default against a hostile or broken server: redirects are never followed to another
origin nor with a changed method; the API key is checked once and never shown; POST and PATCH
are retried only when they provably did not reach the server or carry an idempotency key; every
request has a total deadline, every body and SSE frame a size limit, every server-suggested
delay a clamp; URLs are built from a base URL checked once and percent-encoded parameters.
"""

from __future__ import annotations

import email.utils
import enum
import http.client
import json
import math
import os
import platform
import random
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol, TypeVar, final

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
# Server-suggested delays are clamped: Retry-After / retry-after-ms to [0, MAX_RETRY_AFTER]
# seconds, openai-poll-after-ms to [MIN_POLL_DELAY, MAX_POLL_DELAY]; non-finite, negative or
# unparsable values are ignored (the client's own backoff or poll interval applies).
MAX_RETRY_AFTER = 60.0
MIN_POLL_DELAY = 0.1
MAX_POLL_DELAY = 60.0
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_REDIRECTS = 3  # same-origin 307/308 hops followed within one attempt
# Methods a server may receive twice without harm (RFC 9110 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "api-key", "x-api-key"}
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_HEADER_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class APIError(Exception):
    """Base error of the client; `status_code` is None when no HTTP response was received."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        body: bytes | None = None,
        request: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.body = body
        self.request = request
        self.headers: Mapping[str, str] = headers if headers is not None else Headers()

    def __str__(self) -> str:
        parts = [
            f"{self.status_code}: {self.message}" if self.status_code else self.message
        ]
        if self.request:
            parts.append(f"[{self.request}]")
        if self.request_id:
            parts.append(f"(request_id={self.request_id})")
        return " ".join(parts)


class ClientValueError(APIError, ValueError):
    """A value given to the client cannot be sent: API key, base_url, header, path parameter.

    The message names the value's role, never the value itself (it may be a secret).
    """


class BadRequestError(APIError):
    """HTTP 400."""


class AuthenticationError(APIError):
    """HTTP 401."""


class PermissionDeniedError(APIError):
    """HTTP 403."""


class NotFoundError(APIError):
    """HTTP 404."""


class ConflictError(APIError):
    """HTTP 409."""


class UnprocessableEntityError(APIError):
    """HTTP 422."""


class RateLimitError(APIError):
    """HTTP 429."""


class InternalServerError(APIError):
    """HTTP 5xx."""


class APIRedirectError(APIError):
    """The server redirected and the client did not follow; `location` is the target."""

    def __init__(self, message: str, *, location: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


class APIConnectionError(APIError):
    """The server could not be reached or the connection broke.

    `sent` is False only when the request provably never left (the connection could not be
    opened); a non-idempotent request is retried only then, or when it has an idempotency key.
    """

    def __init__(self, message: str, *, sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent


class APITimeoutError(APIConnectionError):
    """The request timed out (a read took too long, or the request's total deadline passed)."""


class PollTimeoutError(APITimeoutError):
    """Polling did not reach a final state in time; `last` holds the last fetched value."""

    def __init__(self, message: str, last: object) -> None:
        super().__init__(message)
        self.last = last


class APIResponseError(APIError):
    """The response body or an SSE frame is malformed."""


class ResponseTooLargeError(APIResponseError):
    """A response body, SSE line or SSE event exceeded its limit (see `Limits`)."""


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


@dataclass(frozen=True)
class Limits:
    """How much the client reads from a server before giving up with ResponseTooLargeError.

    `max_error_size` bounds what is kept of an error body: the rest is dropped and the status
    error raised as usual.
    """

    max_response_size: int = 64 * 2**20
    max_error_size: int = 2**20
    max_sse_line_size: int = 2**20
    max_sse_event_size: int = 16 * 2**20

    def __post_init__(self) -> None:
        for name in (
            "max_response_size",
            "max_error_size",
            "max_sse_line_size",
            "max_sse_event_size",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ClientValueError(f"Limits.{name} must be a positive int")


@dataclass(frozen=True)
class ClientOptions:
    """Per-client settings, immutable so a copy of a client can change some and share the rest.

    `timeout` is the total deadline of one attempt (connect, headers and, unless streaming, the
    whole body); `read_timeout` bounds each wait for data (default: `timeout`), and for a stream
    the wait between chunks. `default_query` pairs go into every URL (`api-version` style).
    """

    timeout: float = 600.0
    read_timeout: float | None = None
    max_retries: int = 2
    idempotency_keys: bool = True
    default_query: tuple[tuple[str, str], ...] = ()
    limits: Limits = Limits()

    def __post_init__(self) -> None:
        for name in ("timeout", "read_timeout"):
            value = getattr(self, name)
            if value is None and name == "read_timeout":
                continue
            if not isinstance(value, (int, float)) or not 0 < value < math.inf:
                raise ClientValueError(
                    f"{name} must be a positive, finite number of seconds"
                )
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise ClientValueError("max_retries must be an int")
        if not isinstance(self.limits, Limits):
            raise ClientValueError("limits must be a Limits")

    def read_wait(self, total: float) -> float:
        """Seconds a single read may wait in a request whose total deadline is `total`."""
        return total if self.read_timeout is None else self.read_timeout


class Headers(Mapping[str, str]):
    """Read-only, case-insensitive header mapping (repeated headers are joined with ", ")."""

    def __init__(
        self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    ) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._data: dict[str, tuple[str, str]] = {}
        for key, value in pairs:
            old = self._data.get(key.lower())
            self._data[key.lower()] = (key, f"{old[1]}, {value}" if old else value)

    def __getitem__(self, key: str) -> str:
        return self._data[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._data.values())

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup in any mapping."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value


def _is_credential(name: str) -> bool:
    """Whether a header is one whose value must never be shown."""
    low = name.lower()
    return low in CREDENTIAL_HEADERS or any(
        word in low for word in ("token", "secret", "key", "auth")
    )


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
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] | None = None  # chunks: a streamed form (see RawBody)
    deadline: float | None = None
    replayable: bool = True  # whether `body` can be sent again (a retry, a redirect)

    def describe(self) -> str:
        """Return "METHOD url" for error messages."""
        return f"{self.method} {self.url}"

    def __repr__(self) -> str:
        shown = {
            k: "<redacted>" if _is_credential(k) else v for k, v in self.headers.items()
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
            body: bytes | _Readable = exc if exc.fp is not None else b""
            return Response(
                exc.code,
                list(exc.headers.items()),
                body,
                request=request,
                on_close=watchdog.stop,
            )
        except (OSError, http.client.HTTPException) as exc:
            watchdog.stop()
            raise _transport_error(exc, request, watchdog.fired) from exc
        if stream:
            watchdog.stop()  # a stream's deadline ends with its headers
        return Response(
            resp.status,
            list(resp.headers.items()),
            resp,
            request=request,
            on_close=watchdog.stop,
        )


def _transport_error(
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


def quote_path_param(value: object, name: str = "") -> str:
    """Percent-encode a path parameter as one segment: "/" and the dot segments included.

    None and "" are refused (ClientValueError): they would change which resource is meant.
    """
    label = f"path parameter {name!r}" if name else "a path parameter"
    if value is None:
        raise ClientValueError(f"{label} is None")
    text = urllib.parse.quote(_scalar(value), safe="")
    if not text:
        raise ClientValueError(f"{label} is empty")
    if text in (".", ".."):
        text = text.replace(".", "%2E")
    return text


def _scalar(value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decode_json(data: bytes, where: str, what: str = "response body") -> Any:
    """Decode JSON, raising APIResponseError that names the request."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        snippet = data[:200].decode("utf-8", "replace")
        raise APIResponseError(
            f"malformed JSON in {what} of {where}: {exc} (got {snippet!r})",
            request=where,
            body=data,
        ) from exc


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def make_status_error(response: Response, body: bytes, where: str) -> APIError:
    """Build the APIError subclass matching a non-2xx response."""
    status = response.status
    text = body.decode("utf-8", "replace").strip()
    message, info = text or f"HTTP {status}", {}
    try:
        data = json.loads(body) if text else None
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            info = err
            message = str(err["message"]) if err.get("message") is not None else message
        elif isinstance(err, str):
            message = err
    cls = _STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIError)
    return cls(
        message,
        status_code=status,
        type=_opt_str(info.get("type")),
        code=_opt_str(info.get("code")),
        param=_opt_str(info.get("param")),
        request_id=_header(response.headers, "x-request-id"),
        body=body,
        request=where,
        headers=response.headers,
    )


def _seconds(value: str | None, scale: float = 1.0) -> float | None:
    """A finite, non-negative number of seconds from a header value, else None."""
    if value is None:
        return None
    try:
        delay = float(value.strip()) * scale
    except ValueError:
        return None
    return delay if math.isfinite(delay) and delay >= 0 else None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Server-requested delay from retry-after-ms / Retry-After, clamped to [0, MAX_RETRY_AFTER].

    An HTTP date in the past means "now" (0); garbage, negative or non-finite values: None.
    """
    delay = _seconds(_header(headers, "retry-after-ms"), 0.001)
    value = _header(headers, "retry-after")
    if delay is None and value is not None:
        delay = _seconds(value)
        if delay is None:
            try:
                when = email.utils.parsedate_to_datetime(value)
                delay = max(when.timestamp() - time.time(), 0.0)
            except (TypeError, ValueError, OverflowError, IndexError):
                return None
    return None if delay is None else min(delay, MAX_RETRY_AFTER)


def _poll_delay(headers: Mapping[str, str], interval: float) -> float:
    """openai-poll-after-ms clamped to [MIN_POLL_DELAY, MAX_POLL_DELAY], else `interval`."""
    delay = _seconds(_header(headers, "openai-poll-after-ms"), 0.001)
    if delay is None:
        return interval
    return min(max(delay, MIN_POLL_DELAY), MAX_POLL_DELAY)


@dataclass
class ServerSentEvent:
    """One dispatched SSE event; `event` is None when the frame had no `event:` field."""

    event: str | None
    data: str
    id: str | None = None
    retry: int | None = None
    origin: str = field(default="", repr=False, compare=False)

    def json(self) -> Any:
        """Decode `data` as JSON, raising APIResponseError when malformed."""
        where = self.origin or "SSE stream"
        return _decode_json(self.data.encode(), where, f"SSE event {self.event!r}")


def _too_long(what: str, limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(f"{what} exceeds {limit} bytes")


def split_lines(
    chunks: Iterable[bytes], max_line_size: int | None = None
) -> Iterator[bytes]:
    """Split a chunked byte stream into lines on CRLF, LF or CR (a final partial line is kept).

    Each byte is scanned once; a line longer than `max_line_size` raises ResponseTooLargeError.
    """
    buf, skip_lf = bytearray(), False
    for chunk in chunks:
        if not chunk:
            continue
        if skip_lf and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        skip_lf = False
        scan = len(buf)  # what is already buffered holds no line terminator
        buf += chunk
        start = 0
        cr, lf = buf.find(b"\r", scan), buf.find(b"\n", scan)
        while cr >= 0 or lf >= 0:
            end = lf if cr < 0 or 0 <= lf < cr else cr
            if max_line_size is not None and end - start > max_line_size:
                raise _too_long("SSE line", max_line_size)
            yield bytes(buf[start:end])
            if buf[end] == 13 and end + 1 < len(buf) and buf[end + 1] == 10:
                end += 1
            elif buf[end] == 13 and end + 1 == len(buf):
                skip_lf = True
            start = end + 1
            if 0 <= cr < start:
                cr = buf.find(b"\r", start)
            if 0 <= lf < start:
                lf = buf.find(b"\n", start)
        del buf[:start]
        if max_line_size is not None and len(buf) > max_line_size:
            raise _too_long("SSE line", max_line_size)
    if buf:
        yield bytes(buf)


def parse_sse(
    lines: Iterable[bytes | str], origin: str = "", max_event_size: int | None = None
) -> Iterator[ServerSentEvent]:
    """Parse SSE lines per WHATWG; an unterminated final event at EOF is discarded (as specified).

    An event whose data exceeds `max_event_size` bytes raises ResponseTooLargeError.
    """
    event: str | None = None
    data: list[str] = []
    size = 0
    last_id: str | None = None
    retry: int | None = None
    first = True
    for raw in lines:
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if first:
            line, first = line.removeprefix("\ufeff"), False
        if not line:
            if data:
                yield ServerSentEvent(event, "\n".join(data), last_id, retry, origin)
            event, data, retry, size = None, [], None, 0
            continue
        if line.startswith(":"):
            continue
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            event = value
        elif name == "data":
            size += len(value) + 1
            if max_event_size is not None and size > max_event_size:
                raise _too_long(f"SSE event in {origin or 'stream'}", max_event_size)
            data.append(value)
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)


def iter_sse(
    response: Response, origin: str = "", limits: Limits | None = None
) -> Iterator[ServerSentEvent]:
    """Parse the SSE events of a streaming response, within `limits` (default: `Limits()`)."""
    limits = limits or Limits()
    lines = response.iter_lines(limits.max_sse_line_size)
    return parse_sse(lines, origin, limits.max_sse_event_size)


@final
class EventStream(Iterator[ServerSentEvent]):
    """Iterator over the SSE events of a response; closes the response when done or closed."""

    def __init__(
        self,
        response: Response,
        where: str,
        raise_on_error: bool = True,
        limits: Limits | None = None,
    ) -> None:
        self.response = response
        self._events = self._generate(where, raise_on_error, limits)

    def _generate(
        self, where: str, raise_on_error: bool, limits: Limits | None
    ) -> Generator[ServerSentEvent, None, None]:
        try:
            for sse in iter_sse(self.response, where, limits):
                if raise_on_error and sse.event == "error":
                    raise _stream_error(sse, where)
                yield sse
        except ResponseTooLargeError as exc:
            exc.request = exc.request or where
            raise
        finally:
            self.response.close()

    def __next__(self) -> ServerSentEvent:
        return next(self._events)

    def close(self) -> None:
        """Stop iterating and release the connection."""
        self._events.close()
        self.response.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _stream_error(sse: ServerSentEvent, where: str) -> APIError:
    """Turn an `event: error` frame into an APIError."""
    data = sse.json()
    err = data.get("error", data) if isinstance(data, dict) else None
    if not isinstance(err, dict):
        raise APIResponseError(
            f"malformed error event in {where}: {sse.data!r}", request=where
        )
    return APIError(
        str(err.get("message") or "error event in stream"),
        type=_opt_str(err.get("type")),
        code=_opt_str(err.get("code")),
        param=_opt_str(err.get("param")),
        body=sse.data.encode(),
        request=where,
    )


class JSONResult(NamedTuple):
    """Decoded JSON body plus the response headers."""

    data: Any
    headers: Mapping[str, str]


def _check_api_key(key: str | None) -> str:
    """The key without surrounding whitespace; refused (without showing it) when unsendable.

    None means "read OPENAI_API_KEY"; "" means "this API needs no key" (no Authorization).
    """
    if key is None:
        key = os.environ.get("OPENAI_API_KEY") or None
        if key is None:
            raise ClientValueError(
                "no API key: pass api_key=... or set the OPENAI_API_KEY environment "
                'variable (api_key="" for an API that needs none)'
            )
    if not isinstance(key, str):
        raise ClientValueError(f"api_key must be a str, not {type(key).__name__}")
    stripped = key.strip()
    if key and not stripped:
        raise ClientValueError("api_key is blank (only whitespace)")
    for index, char in enumerate(stripped):
        if not " " <= char <= "~":
            kind = "non-ASCII" if ord(char) > 127 else "control"
            raise ClientValueError(
                f"api_key has a {kind} character at position {index}; "
                "check how the key was read (file encoding, pasted text)"
            )
    return stripped


def _check_base_url(url: str) -> tuple[str, tuple[str, str, int]]:
    """(base URL without trailing "/", its origin); refused when it cannot be an API root.

    Messages show it without query and fragment (which might hold a key) and never with
    credentials.
    """
    if not isinstance(url, str):
        raise ClientValueError(f"base_url must be a str, not {type(url).__name__}")
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ClientValueError(f"base_url is not a valid URL: {exc}") from exc
    if "@" in parts.netloc:
        raise ClientValueError(
            "base_url must not hold credentials (user:password@host): pass api_key= or "
            "default_headers= instead"
        )
    shown = url.partition("?")[0].partition("#")[0]
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ClientValueError(
            f"base_url must start with http:// or https://, got {shown!r}"
        )
    if any(not "!" <= char <= "~" for char in url):
        raise ClientValueError(
            f"base_url {shown!r} has spaces, control or non-ASCII characters "
            "(percent-encode them; IDNA-encode a non-ASCII host)"
        )
    if not parts.hostname:
        raise ClientValueError(f"base_url {shown!r} has no host")
    if "?" in url:
        raise ClientValueError(
            f"base_url {shown!r} must not have a query: use default_query= for parameters "
            "every request sends (like api-version)"
        )
    if "#" in url:
        raise ClientValueError(f"base_url {shown!r} must not have a fragment")
    base = urllib.parse.urlunsplit((scheme, parts.netloc, parts.path, "", ""))
    return base.rstrip("/"), _origin_of(scheme, parts.hostname, port)


def _origin_of(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    default = 443 if scheme == "https" else 80
    return scheme, host.lower(), port if port is not None else default


def _url_origin(url: str) -> tuple[str, str, int] | None:
    """The (scheme, host, port) of an absolute http(s) URL, else None."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    return _origin_of(scheme, parts.hostname, port)


def _check_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as http.client will send them; a bad one raises ClientValueError naming it."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ClientValueError(f"header name {name!r} is not a valid HTTP token")
        shown = "(value hidden)" if _is_credential(name) else repr(value)
        if not isinstance(value, str):
            raise ClientValueError(f"header {name!r} must be a str {shown}")
        if _BAD_HEADER_VALUE.search(value):
            raise ClientValueError(
                f"header {name!r} has a line break or control character {shown}"
            )
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ClientValueError(
                f"header {name!r} has characters outside Latin-1 {shown}"
            ) from None
        out[name] = value
    return out


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
        self.api_key = _check_api_key(api_key)
        url = base_url or os.environ.get("OPENAI_BASE_URL") or default_base_url
        if not url:
            raise ClientValueError("no base_url given and OPENAI_BASE_URL is not set")
        self.base_url, self._origin = _check_base_url(url)
        query = tuple((str(k), _scalar(v)) for k, v in (default_query or {}).items())
        self.options = ClientOptions(
            timeout,
            read_timeout,
            max(0, max_retries),
            idempotency_keys,
            query,
            limits or Limits(),
        )
        self._headers = _check_headers(
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
            pairs.extend((key, _scalar(v)) for v in values if v is not None)
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
        data: bytes | Iterable[bytes] | None = None
        replayable = True
        if isinstance(body, RawBody):
            replayable = body.replayable
            hdrs["Content-Type"] = body.content_type
            if body.length is not None:
                hdrs["Content-Length"] = str(body.length)
            data = body.data
        elif body is not None:
            hdrs["Content-Type"] = "application/json"
            text = json.dumps(
                body, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            )
            data = text.encode("utf-8")
        hdrs.update(_check_headers(headers or {}))
        if (
            idempotency_header
            and self.options.idempotency_keys
            and method not in IDEMPOTENT_METHODS
            and _header(hdrs, idempotency_header) is None
        ):
            hdrs[idempotency_header] = f"runmodels-{uuid.uuid4()}"
        return Request(
            method, self._build_url(path, query), hdrs, data, replayable=replayable
        )

    def _retry_delay(self, attempt: int, headers: Mapping[str, str] | None) -> float:
        """Delay before retry number `attempt` (0-based)."""
        if headers is not None and (delay := _retry_after(headers)) is not None:
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
        return (_header(response.headers, "x-should-retry") or "").lower() != "false"

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
            location = _header(response.headers, "location")
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
        if _url_origin(target) != self._origin:
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
        safe = request.replayable and (
            request.method in IDEMPOTENT_METHODS
            or (
                idempotency_header is not None
                and _header(request.headers, idempotency_header) is not None
            )
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
        data = _decode_json(content, where) if content.strip() else None
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
        ctype = _header(response.headers, "content-type") or ""
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
            delay = _poll_delay(headers, interval)
            if deadline is not None:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise PollTimeoutError(
                        f"polling timed out after {timeout} s", value
                    )
                delay = min(delay, remaining)
            self._sleep(delay)
