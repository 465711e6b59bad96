"""HTTP runtime of the generated client: transport, errors, retries, SSE, pagination, polling."""

from __future__ import annotations

import email.utils
import enum
import http.client
import json
import math
import os
import platform
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar, final

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BaseClient",
    "ConflictError",
    "EventStream",
    "Headers",
    "InternalServerError",
    "JSONResult",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "Request",
    "Response",
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
MAX_RETRY_AFTER = 60.0
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0


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


class APIConnectionError(APIError):
    """The server could not be reached or the connection broke."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class PollTimeoutError(APITimeoutError):
    """Polling did not reach a final state in time; `last` holds the last fetched value."""

    def __init__(self, message: str, last: object) -> None:
        super().__init__(message)
        self.last = last


class APIResponseError(APIError):
    """The response body or an SSE frame is malformed."""


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


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


@dataclass
class Request:
    """An HTTP request as handed to a transport."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def describe(self) -> str:
        """Return "METHOD url" for error messages."""
        return f"{self.method} {self.url}"


class _Readable(Protocol):
    def read(self) -> bytes: ...

    def close(self) -> None: ...


class Response:
    """An HTTP response whose body is read lazily from `stream` (or given as bytes)."""

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | _Readable | None = None,
        *,
        request: Request | None = None,
    ) -> None:
        self.status = status
        self.headers: Mapping[str, str] = Headers(headers)
        self.request = request
        self._content = body if isinstance(body, bytes) else None
        self._stream = None if isinstance(body, bytes) else body

    def _guard(self, exc: Exception) -> APIConnectionError:
        where = self.request.describe() if self.request else ""
        cls = APITimeoutError if isinstance(exc, TimeoutError) else APIConnectionError
        return cls(f"error reading response body: {exc!r}", request=where)

    def read(self) -> bytes:
        """Read (and cache) the whole body, then close the connection."""
        if self._content is None:
            try:
                self._content = self._stream.read() if self._stream is not None else b""
            except (OSError, http.client.HTTPException) as exc:
                raise self._guard(exc) from exc
            finally:
                self.close()
        return self._content

    def iter_chunks(self) -> Iterator[bytes]:
        """Yield body chunks as soon as they arrive."""
        if self._content is not None or self._stream is None:
            yield self.read()
            return
        read1 = getattr(self._stream, "read1", None)
        try:
            while chunk := (read1(65536) if read1 is not None else self._stream.read()):
                yield chunk
        except (OSError, http.client.HTTPException) as exc:
            raise self._guard(exc) from exc

    def iter_lines(self) -> Iterator[bytes]:
        """Yield body lines without terminators, splitting on CRLF, LF and CR."""
        return split_lines(self.iter_chunks())

    def close(self) -> None:
        """Release the underlying connection."""
        if self._stream is not None:
            self._stream.close()


class Transport(Protocol):
    """Sends one request; must return non-2xx responses rather than raise."""

    def send(self, request: Request, *, timeout: float, stream: bool) -> Response:
        """Send `request`; raise APIConnectionError/APITimeoutError when no response came."""
        ...


class UrllibTransport:
    """Default transport over urllib.request (honours *_proxy environment variables)."""

    def __init__(self, opener: urllib.request.OpenerDirector | None = None) -> None:
        self._opener = opener or urllib.request.build_opener()

    def send(self, request: Request, *, timeout: float, stream: bool) -> Response:
        """Send `request` with a per-socket-operation timeout."""
        raw = urllib.request.Request(
            request.url,
            data=request.body,
            headers=request.headers,
            method=request.method,
        )
        try:
            resp = self._opener.open(raw, timeout=timeout)
        except urllib.error.HTTPError as exc:
            body: bytes | _Readable = exc if exc.fp is not None else b""
            return Response(exc.code, list(exc.headers.items()), body, request=request)
        except TimeoutError as exc:
            raise APITimeoutError(
                f"request timed out: {exc}", request=request.describe()
            ) from exc
        except urllib.error.URLError as exc:
            cls = (
                APITimeoutError
                if isinstance(exc.reason, TimeoutError)
                else APIConnectionError
            )
            msg = f"connection error: {exc.reason}"
            raise cls(msg, request=request.describe()) from exc
        except (OSError, http.client.HTTPException) as exc:
            msg = f"connection error: {exc!r}"
            raise APIConnectionError(msg, request=request.describe()) from exc
        return Response(resp.status, list(resp.headers.items()), resp, request=request)


def quote_path_param(value: object) -> str:
    """Percent-encode a path parameter, including "/"."""
    return urllib.parse.quote(_scalar(value), safe="")


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
    except (ValueError, UnicodeDecodeError) as exc:
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
    except ValueError:
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


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Server-requested delay from retry-after-ms / Retry-After, capped at MAX_RETRY_AFTER."""
    delay: float | None = None
    if (ms := _header(headers, "retry-after-ms")) is not None:
        try:
            delay = float(ms) / 1000
        except ValueError:
            pass
    if delay is None and (value := _header(headers, "retry-after")) is not None:
        try:
            delay = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            delay = when.timestamp() - time.time()
    if delay is None or math.isnan(delay):
        return None
    return min(max(delay, 0.0), MAX_RETRY_AFTER)


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


def split_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Split a chunked byte stream into lines on CRLF, LF or CR (a final partial line is kept)."""
    buf, skip_lf = b"", False
    for chunk in chunks:
        if not chunk:
            continue
        if skip_lf and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        skip_lf = False
        buf += chunk
        start = 0
        while True:
            cr, lf = buf.find(b"\r", start), buf.find(b"\n", start)
            if cr < 0 and lf < 0:
                break
            end = lf if cr < 0 or 0 <= lf < cr else cr
            yield buf[start:end]
            if buf[end] == 13 and end + 1 < len(buf) and buf[end + 1] == 10:
                end += 1
            elif buf[end] == 13 and end + 1 == len(buf):
                skip_lf = True
            start = end + 1
        buf = buf[start:]
    if buf:
        yield buf


def parse_sse(
    lines: Iterable[bytes | str], origin: str = ""
) -> Iterator[ServerSentEvent]:
    """Parse SSE lines per WHATWG; an unterminated final event at EOF is discarded (as specified)."""
    event: str | None = None
    data: list[str] = []
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
            event, data, retry = None, [], None
            continue
        if line.startswith(":"):
            continue
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)


def iter_sse(response: Response, origin: str = "") -> Iterator[ServerSentEvent]:
    """Parse the SSE events of a streaming response."""
    return parse_sse(response.iter_lines(), origin)


@final
class EventStream(Iterator[ServerSentEvent]):
    """Iterator over the SSE events of a response; closes the response when done or closed."""

    def __init__(
        self, response: Response, where: str, raise_on_error: bool = True
    ) -> None:
        self.response = response
        self._events = self._generate(where, raise_on_error)

    def _generate(
        self, where: str, raise_on_error: bool
    ) -> Generator[ServerSentEvent, None, None]:
        try:
            for sse in iter_sse(self.response, where):
                if raise_on_error and sse.event == "error":
                    raise _stream_error(sse, where)
                yield sse
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


class BaseClient:
    """Shared request machinery of generated clients."""

    user_agent = f"runmodels-client/0.1 Python/{platform.python_version()}"

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 600.0,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        transport: Transport | None = None,
        default_base_url: str = "",
        fixed_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.api_key = (
            api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        )
        url = base_url or os.environ.get("OPENAI_BASE_URL") or default_base_url
        if not url:
            raise ValueError("no base_url given and OPENAI_BASE_URL is not set")
        self.base_url = url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self._headers = {**(fixed_headers or {}), **(default_headers or {})}
        self._transport: Transport = transport or UrllibTransport()
        self._sleep: Callable[[float], None] = time.sleep
        self._random: Callable[[], float] = random.random
        self._clock: Callable[[], float] = time.monotonic

    def _build_url(self, path: str, query: Mapping[str, Any] | None) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}"
        pairs: list[tuple[str, str]] = []
        for key, value in (query or {}).items():
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
    ) -> Request:
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
        hdrs.update(headers or {})
        return Request(method.upper(), self._build_url(path, query), hdrs, data)

    def _retry_delay(self, attempt: int, headers: Mapping[str, str] | None) -> float:
        """Delay before retry number `attempt` (0-based)."""
        if headers is not None and (delay := _retry_after(headers)) is not None:
            return delay
        base = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
        return base * (1 - 0.25 * self._random())

    @staticmethod
    def _should_retry(response: Response) -> bool:
        forced = (_header(response.headers, "x-should-retry") or "").lower()
        if forced in ("true", "false"):
            return forced == "true"
        return response.status in (408, 409, 429) or response.status >= 500

    def _send(self, request: Request, stream: bool, timeout: float | None) -> Response:
        """Send with retries; non-streaming bodies are read inside the retry loop."""
        timeout = self.timeout if timeout is None else timeout
        attempt = 0
        while True:
            headers: Mapping[str, str] | None = None
            try:
                response = self._transport.send(request, timeout=timeout, stream=stream)
                if 200 <= response.status < 300:
                    if not stream:
                        response.read()
                    return response
                body = response.read()
                if attempt >= self.max_retries or not self._should_retry(response):
                    raise make_status_error(response, body, request.describe())
                headers = response.headers
            except APIConnectionError:
                if attempt >= self.max_retries:
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
    ) -> Response:
        """Perform a request with retries; raise the mapped APIError for non-2xx."""
        request = self._build_request(method, path, query, body, stream, headers)
        return self._send(request, stream, timeout)

    def _request_json(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> JSONResult:
        """Perform a request and decode its JSON body (None for an empty body)."""
        response = self._request(
            method, path, query=query, body=body, headers=headers, timeout=timeout
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
    ) -> EventStream:
        """Perform a streaming request (retried only before a 2xx arrives) and return its events."""
        request = self._build_request(method, path, query, body, True, headers)
        response = self._send(request, True, timeout)
        ctype = _header(response.headers, "content-type") or ""
        if not ctype.startswith("text/event-stream"):
            content = response.read()
            raise APIResponseError(
                f"expected text/event-stream from {request.describe()}, got {ctype!r}",
                status_code=response.status,
                body=content,
                request=request.describe(),
            )
        return EventStream(response, request.describe(), raise_on_error)

    def _paginate(
        self, fetch_page: Callable[[str | None], tuple[list[T], bool, str | None]]
    ) -> Iterator[T]:
        """Lazily iterate over all items, fetching the next page only when needed."""
        after: str | None = None
        while True:
            items, has_more, last_id = fetch_page(after)
            yield from items
            if not has_more or not items or last_id is None or last_id == after:
                return
            after = last_id

    def _poll(
        self,
        fetch: Callable[[], tuple[T, Mapping[str, str]]],
        is_done: Callable[[T], bool],
        *,
        interval: float = 1.0,
        timeout: float | None = None,
    ) -> T:
        """Fetch until `is_done`, sleeping `openai-poll-after-ms` (or `interval`) in between."""
        deadline = None if timeout is None else self._clock() + timeout
        while True:
            value, headers = fetch()
            if is_done(value):
                return value
            delay = interval
            try:
                delay = float(_header(headers, "openai-poll-after-ms") or "") / 1000
            except ValueError:
                pass
            if deadline is not None:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise PollTimeoutError(
                        f"polling timed out after {timeout} s", value
                    )
                delay = min(delay, remaining)
            self._sleep(max(delay, 0.0))
