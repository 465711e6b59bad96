"""Follow a run's stream of Assistants events: the run, its steps, its messages and tool calls
as they build up, with callbacks for the deltas, and the same stream continued after tool
outputs are submitted.

    with RunStream(client.stream_run(thread_id, assistant_id=...), client=client) as stream:
        stream.on_text_delta = lambda text, message_id: print(text, end="")
        for call in stream.until_done().required_tool_calls():
            ...
        stream.submit_tool_outputs([...]).until_done()
        print(stream.final_run().status, stream.text)

Deltas (`thread.run.step.delta`, `thread.message.delta`) are merged into plain JSON the way the
API builds them: strings are joined (a function's `arguments`, a text's `value`), list items
with an `index` are merged into the item at that index, anything else is replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

# is_dict/is_list narrow JSON values to dict[str, Any] / list[Any] (isinstance: dict[Unknown, ...])
from ._runtime import is_dict, is_list

_R = TypeVar("_R")
_REPLACED = frozenset({"id", "index", "type", "object", "name", "role", "status"})


def merge_delta(into: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """Merge one delta fragment into what was assembled so far (in place); returns `into`."""
    for key, value in delta.items():
        old = into.get(key)
        if is_dict(old) and is_dict(value):
            merge_delta(old, value)
        elif is_list(old) and is_list(value):
            _merge_items(old, value)
        elif isinstance(old, str) and isinstance(value, str) and key not in _REPLACED:
            into[key] = old + value
        elif is_dict(value):
            into[key] = merge_delta({}, value)
        elif is_list(value):
            into[key] = _merge_items([], value)
        else:
            into[key] = value
    return into


def _merge_items(into: list[Any], items: list[Any]) -> list[Any]:
    for item in items:
        index = item.get("index") if is_dict(item) else None
        if (
            isinstance(index, int)
            and not isinstance(index, bool)
            and 0 <= index <= len(into)
        ):
            if index == len(into):
                into.append(merge_delta({}, item))
            elif is_dict(into[index]):
                merge_delta(into[index], item)
            else:
                into[index] = merge_delta({}, item)
        else:
            into.append(merge_delta({}, item) if is_dict(item) else item)
    return into


def _json(value: Any) -> Any:
    """Typed event data (a model) or data outside the spec (plain JSON), as plain JSON."""
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


class RunStream(Generic[_R]):
    """The events of one run, possibly over several streams (after tool outputs are submitted).

    Iterate over it to see each event as it arrives, or call `until_done()`. Afterwards:
    `final_run()` (the run as its last event described it), `steps` (by id, as their last
    event described them), `messages` and `tool_calls` (assembled from deltas, as JSON) and
    `text` (every text delta, in order). Callbacks, each optional: `on_event(event)`,
    `on_text_delta(text, message_id)`, `on_tool_call_delta(fragment, call_so_far)`.
    """

    def __init__(self, events: Iterable[Any], *, client: Any = None) -> None:
        self.client = client
        self._streams: list[Any] = [events]
        self._iterator: Iterator[Any] | None = None
        self.run: _R | None = None
        self.steps: dict[str, Any] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.tool_calls: dict[str, list[dict[str, Any]]] = {}  # step id -> its calls
        self._text: list[str] = []
        self.on_event: Callable[[Any], object] | None = None
        self.on_text_delta: Callable[[str, str], object] | None = None
        self.on_tool_call_delta: (
            Callable[[dict[str, Any], dict[str, Any]], object] | None
        ) = None

    @property
    def text(self) -> str:
        """Every text delta of every message, joined in the order they arrived."""
        return "".join(self._text)

    def __iter__(self) -> Iterator[Any]:
        while self._streams:
            stream = self._streams[0]
            for event in stream:
                self._take(event)
                yield event
            self._streams.pop(0)

    def until_done(self) -> RunStream[_R]:
        """Read every event (of this stream and of those submit_tool_outputs started)."""
        for _ in self:
            pass
        return self

    def final_run(self) -> _R:
        """The run after the stream ended; raises if no run event came."""
        self.until_done()
        if self.run is None:
            raise ValueError("the stream ended without any thread.run.* event")
        return self.run

    def final_messages(self) -> list[dict[str, Any]]:
        """The messages the run wrote, as JSON, in the order they started."""
        self.until_done()
        return list(self.messages.values())

    def required_tool_calls(self) -> list[Any]:
        """The tool calls the run waits for (`requires_action`), else an empty list."""
        action = getattr(self.run, "required_action", None)
        outputs = getattr(action, "submit_tool_outputs", None)
        calls = getattr(outputs, "tool_calls", None)
        return list(calls) if is_list(calls) else []

    def submit_tool_outputs(self, tool_outputs: Any) -> RunStream[_R]:
        """Send the outputs and follow the stream of the run that goes on."""
        if self.client is None:
            raise ValueError(
                "RunStream(…, client=client) is needed to submit tool outputs"
            )
        run = self.run
        if run is None:
            raise ValueError("no run yet: read the stream first (until_done())")
        thread_id, run_id = getattr(run, "thread_id", None), getattr(run, "id", None)
        self._streams.append(
            self.client.stream_submit_tool_outputs(
                thread_id, run_id, tool_outputs=tool_outputs
            )
        )
        return self

    def close(self) -> None:
        """Release every stream still open."""
        for stream in self._streams:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        self._streams.clear()

    def __enter__(self) -> RunStream[_R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _take(self, event: Any) -> None:
        name = getattr(event, "event", None)
        data = getattr(event, "data", None)
        if not isinstance(name, str):
            pass
        elif name == "thread.run.step.delta":
            self._step_delta(_json(data))
        elif name.startswith("thread.run.step."):
            step_id = getattr(data, "id", None)
            if isinstance(step_id, str):
                self.steps[step_id] = data
        elif name.startswith("thread.run."):
            self.run = data
        elif name == "thread.message.delta":
            self._message_delta(_json(data))
        elif name.startswith("thread.message."):
            message = _json(data)
            if is_dict(message) and isinstance(message.get("id"), str):
                assembled = self.messages.setdefault(message["id"], {})
                assembled.update(message)
        if self.on_event is not None:
            self.on_event(event)

    def _step_delta(self, data: Any) -> None:
        if not is_dict(data) or not isinstance(data.get("id"), str):
            return
        delta: Any = data.get("delta") or {}
        details: Any = delta.get("step_details") if is_dict(delta) else None
        fragments = details.get("tool_calls") if is_dict(details) else None
        if not is_list(fragments):
            return
        calls = self.tool_calls.setdefault(data["id"], [])
        _merge_items(calls, [f for f in fragments if is_dict(f)])
        if self.on_tool_call_delta is not None:
            for fragment in fragments:
                index = fragment.get("index") if is_dict(fragment) else None
                if isinstance(index, int) and 0 <= index < len(calls):
                    self.on_tool_call_delta(fragment, calls[index])

    def _message_delta(self, data: Any) -> None:
        if not is_dict(data) or not isinstance(data.get("id"), str):
            return
        delta: Any = data.get("delta")
        message = self.messages.setdefault(data["id"], {"id": data["id"]})
        if is_dict(delta):
            merge_delta(message, delta)
            parts: Any = delta.get("content") or []
            for part in parts:
                text = part.get("text") if is_dict(part) else None
                value = text.get("value") if is_dict(text) else None
                if isinstance(value, str):
                    self._text.append(value)
                    if self.on_text_delta is not None:
                        self.on_text_delta(value, data["id"])
