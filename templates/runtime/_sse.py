"""Server-sent events: line splitting, WHATWG event parsing and the synchronous EventStream.

Every line and event has a size limit (`Limits`), so a hostile stream cannot exhaust memory.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, final

from ._errors import (
    APIError,
    APIResponseError,
    ResponseTooLargeError,
    decode_json,
    is_object,
    opt_str,
)
from ._policy import Limits
from ._transport import Response, too_long

__all__ = ["EventStream", "SSEDecoder", "ServerSentEvent", "iter_sse", "parse_sse"]


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
        return decode_json(self.data.encode(), where, f"SSE event {self.event!r}")


class SSEDecoder:
    """WHATWG event-stream parsing, one line at a time (for sync and async readers alike).

    An event whose data exceeds `max_event_size` bytes raises ResponseTooLargeError.
    """

    def __init__(self, origin: str = "", max_event_size: int | None = None) -> None:
        self.origin = origin
        self.max_event_size = max_event_size
        self._event: str | None = None
        self._data: list[str] = []
        self._size = 0
        self._last_id: str | None = None
        self._retry: int | None = None
        self._first = True

    def line(self, raw: bytes | str) -> ServerSentEvent | None:
        """Take one line (without terminator); return the event a blank line dispatches."""
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if self._first:
            line, self._first = line.removeprefix("\ufeff"), False
        if not line:
            sse = None
            if self._data:
                data = "\n".join(self._data)
                sse = ServerSentEvent(
                    self._event, data, self._last_id, self._retry, self.origin
                )
            self._event, self._data, self._retry, self._size = None, [], None, 0
            return sse
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._size += len(value) + 1
            limit = self.max_event_size
            if limit is not None and self._size > limit:
                raise too_long(f"SSE event in {self.origin or 'stream'}", limit)
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None


def parse_sse(
    lines: Iterable[bytes | str], origin: str = "", max_event_size: int | None = None
) -> Iterator[ServerSentEvent]:
    """Parse SSE lines per WHATWG; an unterminated final event at EOF is discarded (as specified).

    An event whose data exceeds `max_event_size` bytes raises ResponseTooLargeError.
    """
    decoder = SSEDecoder(origin, max_event_size)
    for raw in lines:
        sse = decoder.line(raw)
        if sse is not None:
            yield sse


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
                    raise stream_error(sse, where)
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


def stream_error(sse: ServerSentEvent, where: str) -> APIError:
    """Turn an `event: error` frame into an APIError."""
    data = sse.json()
    err = data.get("error", data) if is_object(data) else None
    if not is_object(err):
        raise APIResponseError(
            f"malformed error event in {where}: {sse.data!r}", request=where
        )
    return APIError(
        str(err.get("message") or "error event in stream"),
        type=opt_str(err.get("type")),
        code=opt_str(err.get("code")),
        param=opt_str(err.get("param")),
        body=sse.data.encode(),
        request=where,
    )


def not_an_event_stream(
    status: int, content_type: str, body: bytes, where: str
) -> APIResponseError:
    """The error for a streaming request whose 2xx response is not `text/event-stream`."""
    return APIResponseError(
        f"expected text/event-stream from {where}, got {content_type!r}",
        status_code=status,
        body=body,
        request=where,
    )
