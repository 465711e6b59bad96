"""Server-sent events: line splitting, WHATWG event parsing and the synchronous EventStream.

Every line and event has a size limit (`Limits`), so a hostile stream cannot exhaust memory.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, final

from ._errors import APIError, APIResponseError, ResponseTooLargeError, decode_json, opt_str
from ._policy import Limits
from ._transport import Response, too_long

__all__ = ["EventStream", "ServerSentEvent", "iter_sse", "parse_sse"]


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
                raise too_long(f"SSE event in {origin or 'stream'}", max_event_size)
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
    err = data.get("error", data) if isinstance(data, dict) else None
    if not isinstance(err, dict):
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
