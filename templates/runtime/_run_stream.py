"""Follow a run's stream of Assistants events: the run, its steps, its messages and tool calls
as they build up, with callbacks for the deltas, and the same stream continued after tool
outputs are submitted. `RunStream` reads a stream of the client, `AsyncRunStream` one of the
async client (or any async iterator of events).

    class Printer(RunEventHandler):
        def on_text_delta(self, text: str, message_id: str) -> None:
            print(text, end="")

    with RunStream(client.stream_run(thread_id, assistant_id=...), client=client,
                   handler=Printer()) as stream:
        for call in stream.until_done().required_tool_calls():
            ...
        stream.submit_tool_outputs([...]).until_done()
        print(stream.final_run().status, stream.text)

Deltas (`thread.run.step.delta`, `thread.message.delta`) are merged into plain JSON the way the
API builds them: strings are joined (a function's `arguments`, a text's `value`), list items
with an `index` are merged into the item at that index, anything else is replaced.
"""

from __future__ import annotations

import inspect
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
)
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


class RunEventHandler:
    """Callbacks for the events of a run, each doing nothing unless overridden (like openai's
    `AssistantEventHandler`). For `AsyncRunStream` they may also be `async def`.

    Messages and tool calls are the JSON assembled so far (see `RunStream.messages` and
    `RunStream.tool_calls`); runs and steps are the decoded models of their events.
    """

    def on_event(self, event: Any) -> Any:
        """Every event, after the stream has taken it into account."""

    def on_run(self, run: Any) -> Any:
        """The run of every `thread.run.*` event (created, requires_action, completed…)."""

    def on_text_delta(self, text: str, message_id: str) -> Any:
        """A piece of a message's text, as it arrives."""

    def on_message_done(self, message: dict[str, Any]) -> Any:
        """A message is complete (`thread.message.completed`)."""

    def on_tool_call_delta(self, fragment: dict[str, Any], call: dict[str, Any]) -> Any:
        """A fragment of a tool call (`fragment`), and the call assembled so far (`call`)."""

    def on_tool_call_done(self, call: dict[str, Any]) -> Any:
        """A tool call is whole: its step completed, or the run waits for its output."""

    def on_run_step_done(self, step: Any) -> Any:
        """A step is complete (`thread.run.step.completed`)."""

    def on_end(self) -> Any:
        """The last stream ended (after those that submit_tool_outputs started)."""


_CALLBACKS = tuple(name for name in vars(RunEventHandler) if name.startswith("on_"))


class _RunState(Generic[_R]):
    """What the events of a run built up, shared by RunStream and AsyncRunStream."""

    def __init__(self, client: Any, handler: RunEventHandler | None) -> None:
        self.client = client
        self.handler = handler
        self.run: _R | None = None
        self.steps: dict[str, Any] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.tool_calls: dict[str, list[dict[str, Any]]] = {}  # step id -> its calls
        self._text: list[str] = []
        self._calls_done: set[tuple[str, int]] = set()
        self._pending: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self._ended = False
        # one-off callbacks, as attributes (alongside or instead of a handler)
        self.on_event: Callable[[Any], object] | None = None
        self.on_text_delta: Callable[[str, str], object] | None = None
        self.on_tool_call_delta: (
            Callable[[dict[str, Any], dict[str, Any]], object] | None
        ) = None
        self.on_tool_call_done: Callable[[dict[str, Any]], object] | None = None
        self.on_message_done: Callable[[dict[str, Any]], object] | None = None

    @property
    def text(self) -> str:
        """Every text delta of every message, joined in the order they arrived."""
        return "".join(self._text)

    def message_text(self, message_id: str) -> str:
        """The text of one message: its text parts joined, as assembled so far."""
        content = self.messages.get(message_id, {}).get("content")
        parts = content if is_list(content) else []
        texts = [p.get("text") for p in parts if is_dict(p)]
        return "".join(
            t["value"] for t in texts if is_dict(t) and isinstance(t.get("value"), str)
        )

    def required_tool_calls(self) -> list[Any]:
        """The tool calls the run waits for (`requires_action`), else an empty list."""
        action = getattr(self.run, "required_action", None)
        outputs = getattr(action, "submit_tool_outputs", None)
        calls = getattr(outputs, "tool_calls", None)
        return list(calls) if is_list(calls) else []

    def _follow_up(self, tool_outputs: Any) -> Any:
        """The client's stream of the run going on after `tool_outputs`."""
        if self.client is None:
            raise ValueError(
                "RunStream(…, client=client) is needed to submit tool outputs"
            )
        run = self.run
        if run is None:
            raise ValueError("no run yet: read the stream first (until_done())")
        thread_id, run_id = getattr(run, "thread_id", None), getattr(run, "id", None)
        return self.client.stream_submit_tool_outputs(
            thread_id, run_id, tool_outputs=tool_outputs
        )

    def _emit(self, name: str, *args: Any) -> None:
        """Queue a callback: the attribute one, then the handler's (run by the caller)."""
        own = getattr(self, name, None) if name in _CALLBACKS else None
        if callable(own):
            self._pending.append((own, args))
        if self.handler is not None:
            self._pending.append((getattr(self.handler, name), args))

    def _take_pending(self) -> list[tuple[Callable[..., Any], tuple[Any, ...]]]:
        pending, self._pending = self._pending, []
        return pending

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._emit("on_end")

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
                if name == "thread.run.step.completed":
                    self._calls_finished(step_id)
                    self._emit("on_run_step_done", data)
        elif name.startswith("thread.run."):
            self.run = data
            self._emit("on_run", data)
            if name == "thread.run.requires_action":
                for step_id in self.tool_calls:
                    self._calls_finished(step_id)
        elif name == "thread.message.delta":
            self._message_delta(_json(data))
        elif name.startswith("thread.message."):
            message = _json(data)
            if is_dict(message) and isinstance(message.get("id"), str):
                assembled = self.messages.setdefault(message["id"], {})
                assembled.update(message)
                if name == "thread.message.completed":
                    self._emit("on_message_done", assembled)
        self._emit("on_event", event)

    def _calls_finished(self, step_id: str) -> None:
        for index, call in enumerate(self.tool_calls.get(step_id, [])):
            if (step_id, index) not in self._calls_done:
                self._calls_done.add((step_id, index))
                self._emit("on_tool_call_done", call)

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
        for fragment in fragments:
            index = fragment.get("index") if is_dict(fragment) else None
            if isinstance(index, int) and 0 <= index < len(calls):
                self._emit("on_tool_call_delta", fragment, calls[index])

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
                    self._emit("on_text_delta", value, data["id"])

    def _final(self) -> _R:
        if self.run is None:
            raise ValueError("the stream ended without any thread.run.* event")
        return self.run

    def all_tool_calls(self) -> list[dict[str, Any]]:
        """Every tool call assembled from the deltas, step by step, in index order."""
        return [call for calls in self.tool_calls.values() for call in calls]


class RunStream(_RunState[_R]):
    """The events of one run, possibly over several streams (after tool outputs are submitted).

    Iterate over it to see each event as it arrives, or call `until_done()`. Afterwards:
    `final_run()` (the run as its last event described it), `steps` (by id, as their last
    event described them), `messages` and `tool_calls` (assembled from deltas, as JSON),
    `message_text(id)` and `text` (every text delta, in order). Callbacks: a
    `RunEventHandler` (`handler=`), or single ones set as attributes (`on_event`,
    `on_text_delta`, `on_tool_call_delta`, `on_tool_call_done`, `on_message_done`).
    """

    def __init__(
        self,
        events: Iterable[Any],
        *,
        client: Any = None,
        handler: RunEventHandler | None = None,
    ) -> None:
        super().__init__(client, handler)
        self._streams: list[Iterable[Any]] = [events]

    def __iter__(self) -> Iterator[Any]:
        while self._streams:
            for event in self._streams[0]:
                self._take(event)
                self._run_pending()
                yield event
            self._streams.pop(0)
        self._end()
        self._run_pending()

    def _run_pending(self) -> None:
        for callback, args in self._take_pending():
            callback(*args)

    def until_done(self) -> RunStream[_R]:
        """Read every event (of this stream and of those submit_tool_outputs started)."""
        for _ in self:
            pass
        return self

    def final_run(self) -> _R:
        """The run after the stream ended; raises if no run event came."""
        self.until_done()
        return self._final()

    def final_messages(self) -> list[dict[str, Any]]:
        """The messages the run wrote, as JSON, in the order they started."""
        self.until_done()
        return list(self.messages.values())

    def final_tool_calls(self) -> list[dict[str, Any]]:
        """Every tool call of the run, assembled from its deltas (as JSON)."""
        self.until_done()
        return self.all_tool_calls()

    def submit_tool_outputs(self, tool_outputs: Any) -> RunStream[_R]:
        """Send the outputs and follow the stream of the run that goes on (same callbacks)."""
        self._streams.append(self._follow_up(tool_outputs))
        self._ended = False
        return self

    submit_tool_outputs_stream = submit_tool_outputs  # openai-python's name

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


class AsyncRunStream(_RunState[_R]):
    """`RunStream` over an async iterator of events (an async client's stream, awaited or
    not); the handler's callbacks may be coroutines, which are awaited in order.

    `async for event in stream`, `await stream.until_done()`, `await stream.final_run()`,
    `await stream.submit_tool_outputs([...])`; `async with` closes the streams.
    """

    def __init__(
        self,
        events: AsyncIterable[Any] | Awaitable[AsyncIterable[Any]],
        *,
        client: Any = None,
        handler: RunEventHandler | None = None,
    ) -> None:
        super().__init__(client, handler)
        self._streams: list[AsyncIterable[Any] | Awaitable[AsyncIterable[Any]]] = [
            events
        ]

    async def _events(self) -> AsyncIterator[Any]:
        while self._streams:
            stream = self._streams[0]
            if inspect.isawaitable(
                stream
            ):  # `aclient.stream_run(...)`, not yet awaited
                stream = self._streams[0] = await stream
            async for event in stream:
                self._take(event)
                await self._run_pending()
                yield event
            self._streams.pop(0)
        self._end()
        await self._run_pending()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._events()

    async def _run_pending(self) -> None:
        for callback, args in self._take_pending():
            result = callback(*args)
            if inspect.isawaitable(result):
                await result

    async def until_done(self) -> AsyncRunStream[_R]:
        """Read every event (of this stream and of those submit_tool_outputs started)."""
        async for _ in self._events():
            pass
        return self

    async def final_run(self) -> _R:
        """The run after the stream ended; raises if no run event came."""
        await self.until_done()
        return self._final()

    async def final_messages(self) -> list[dict[str, Any]]:
        """The messages the run wrote, as JSON, in the order they started."""
        await self.until_done()
        return list(self.messages.values())

    async def final_tool_calls(self) -> list[dict[str, Any]]:
        """Every tool call of the run, assembled from its deltas (as JSON)."""
        await self.until_done()
        return self.all_tool_calls()

    async def submit_tool_outputs(self, tool_outputs: Any) -> AsyncRunStream[_R]:
        """Send the outputs and follow the stream of the run that goes on (same callbacks)."""
        self._streams.append(self._follow_up(tool_outputs))
        self._ended = False
        return self

    submit_tool_outputs_stream = submit_tool_outputs  # openai-python's name

    async def aclose(self) -> None:
        """Release every stream still open."""
        for stream in self._streams:
            close = getattr(stream, "aclose", None) or getattr(stream, "close", None)
            if callable(close):
                result = close()
                if inspect.isawaitable(result):
                    await result
        self._streams.clear()

    async def __aenter__(self) -> AsyncRunStream[_R]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
