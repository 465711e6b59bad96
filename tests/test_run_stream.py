"""RunStream and AsyncRunStream: a run's events followed to the end over real HTTP (the fake
server), text and tool calls assembled from deltas — also from every Assistants stream example
of the real OpenAI specs — handler callbacks in order, and the stream continued after tool
outputs are submitted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest
from corpus import V2_2024, WHOLE_2026, corpus_file, iter_examples
from fake_runs_server import API_KEY, FakeState, frame, public

from runmodels.spec.tree import load_file


def client_of(runs_v2: ModuleType, server: tuple[str, FakeState]) -> Any:
    url, _ = server
    return runs_v2.Client(url, API_KEY, max_retries=0)


def test_a_run_followed_to_the_end(runs_v2: ModuleType, server: tuple[str, FakeState]) -> None:
    client = client_of(runs_v2, server)
    thread = server[1].create_thread()["id"]
    texts: list[tuple[str, str]] = []
    seen: list[str] = []
    with runs_v2.RunStream(client.stream_run(thread, assistant_id="asst_1"),
                           client=client) as stream:
        stream.on_text_delta = lambda text, message_id: texts.append((text, message_id))
        stream.on_event = lambda event: seen.append(event.event)
        run = stream.final_run()
    assert isinstance(run, runs_v2.Run) and run.status is runs_v2.RunStatus.COMPLETED
    assert seen[0] == "thread.run.created" and seen[-1] == "thread.run.completed"
    assert stream.text == "Hello" and [t for t, _ in texts] == ["Hello"]
    (message,) = stream.final_messages()
    assert message["id"] == texts[0][1] and message["content"][0]["text"]["value"] == "Hello"
    assert all(isinstance(s, runs_v2.RunStep) for s in stream.steps.values()) and stream.steps
    assert stream.required_tool_calls() == []


def _corpus_function_stream() -> list[tuple[str, str]]:
    """The (event, data) frames of the 2024 spec's streaming example with a function call."""
    doc = load_file(corpus_file(V2_2024))
    by_example: dict[str, list[tuple[str, str]]] = {}
    for example in iter_examples(doc):
        if example.event is not None:
            where = example.where.rsplit(" frame ", 1)[0]
            by_example.setdefault(where, []).append((example.event, example.text))
    for frames in by_example.values():
        events = [e for e, _ in frames]
        if "thread.run.requires_action" in events and "thread.run.step.delta" in events:
            return frames
    raise AssertionError("the corpus lost its function-calling stream example")


def test_tool_calls_assembled_from_the_real_examples_deltas(
        runs_v2: ModuleType, server: tuple[str, FakeState]) -> None:
    frames = []
    for event, data in _corpus_function_stream():
        try:
            json.loads(data)
        except ValueError:  # the published example's run frames end with a stray "}"
            continue
        frames.append((event, data))
    server[1].sse_frames = [f"event: {e}\ndata: {d}\n\n" for e, d in frames]
    client = client_of(runs_v2, server)
    thread = server[1].create_thread()["id"]
    fragments: list[str] = []
    stream = runs_v2.RunStream(client.stream_run(thread, assistant_id="asst_123"))
    stream.on_tool_call_delta = lambda fragment, call: fragments.append(
        fragment.get("function", {}).get("arguments", ""))
    stream.until_done()
    ((step_id, calls),) = stream.tool_calls.items()
    (call,) = calls
    deltas = [json.loads(d) for e, d in frames if e == "thread.run.step.delta"]
    expected = "".join(c["function"].get("arguments", "") for d in deltas
                       for c in d["delta"]["step_details"]["tool_calls"])
    assert call["function"]["arguments"] == expected == "".join(fragments)
    assert expected.startswith('{"location') and len(deltas) >= 4  # the example abbreviates
    assert call["id"].startswith("call_") and call["function"]["name"]
    assert isinstance(stream.steps[step_id], runs_v2.RunStep)


def test_outputs_submitted_and_the_same_stream_goes_on(
        runs_v2: ModuleType, server: tuple[str, FakeState]) -> None:
    client = client_of(runs_v2, server)
    state = server[1]
    state.tool_calls = 1
    thread = state.create_thread()["id"]
    run = client.create_run(thread, assistant_id="asst_1")
    while run.status is not runs_v2.RunStatus.REQUIRES_ACTION:
        run = client.get_run(thread, run.id)
    waiting = public(state.runs[run.id])
    state.sse_frames = [frame("thread.run.requires_action", waiting), frame("done", "[DONE]")]
    stream = runs_v2.RunStream(client.stream_run(thread, assistant_id="asst_1"), client=client)
    calls = stream.until_done().required_tool_calls()
    assert [c.id for c in calls] == [c.id for c in
                                     run.required_action.submit_tool_outputs.tool_calls]
    state.sse_frames = None
    outputs = [runs_v2.ToolOutput(tool_call_id=c.id, output="22C") for c in calls]
    final = stream.submit_tool_outputs(outputs).final_run()
    assert final.status is runs_v2.RunStatus.COMPLETED and final.id == run.id
    assert stream.text == "Hello"
    submitted = [r for r in state.requests if r.path.endswith("/submit_tool_outputs")]
    assert submitted[-1].body["tool_outputs"] == [{"tool_call_id": calls[0].id, "output": "22C"}]
    assert submitted[-1].body["stream"] is True


def test_submitting_needs_a_client_and_a_run(runs_v2: ModuleType) -> None:
    with pytest.raises(ValueError, match="client"):
        runs_v2.RunStream([]).submit_tool_outputs([])
    with pytest.raises(ValueError, match="no run"):
        runs_v2.RunStream([], client=object()).submit_tool_outputs([])
    with pytest.raises(ValueError, match="without any"):
        runs_v2.RunStream([]).final_run()


class Recorder:
    """A RunEventHandler that writes down every callback, in order."""

    def __init__(self, base: type) -> None:
        self.calls: list[tuple[str, Any]] = []
        recorder = self

        class Handler(base):  # type: ignore[misc, valid-type]
            def on_event(self, event: Any) -> None:
                recorder.calls.append(("event", event.event))

            def on_run(self, run: Any) -> None:
                recorder.calls.append(("run", run.status.value))

            def on_text_delta(self, text: str, message_id: str) -> None:
                recorder.calls.append(("text", text))

            def on_message_done(self, message: dict[str, Any]) -> None:
                recorder.calls.append(("message", json.dumps(message["content"])))

            def on_tool_call_delta(self, fragment: dict[str, Any], call: dict[str, Any]) -> None:
                recorder.calls.append(("fragment", fragment))

            def on_tool_call_done(self, call: dict[str, Any]) -> None:
                recorder.calls.append(("call", json.dumps(call, sort_keys=True)))

            def on_run_step_done(self, step: Any) -> None:
                recorder.calls.append(("step", step.id))

            def on_end(self) -> None:
                recorder.calls.append(("end", None))

        self.handler = Handler()

    def of(self, kind: str) -> list[Any]:
        return [value for k, value in self.calls if k == kind]


def _corpus_streams() -> list[tuple[str, list[tuple[str, Any]]]]:
    """Every Assistants stream example of the corpus specs: (where, [(event, data)]), with the
    frames whose data is not JSON left out (some run frames end with a stray "}")."""
    found = []
    for path in (V2_2024, WHOLE_2026):
        doc = load_file(corpus_file(path))
        by_example: dict[str, list[tuple[str, Any]]] = {}
        for example in iter_examples(doc):
            if example.event is None:
                continue
            where = f"{path.name} {example.where.rsplit(' frame ', 1)[0]}"
            frames = by_example.setdefault(where, [])
            try:
                frames.append((example.event, json.loads(example.text)))
            except ValueError:
                continue
        found += [(w, f) for w, f in by_example.items() if f and f[0][0].startswith("thread.")]
    return found


def test_every_corpus_stream_example_replayed_through_a_handler(
        runs_v2: ModuleType, server: tuple[str, FakeState]) -> None:
    streams = _corpus_streams()
    assert len(streams) >= 10  # five Assistants stream examples in each spec
    client = client_of(runs_v2, server)
    for where, frames in streams:
        server[1].sse_frames = [frame(e, d) for e, d in frames if e != "done"] + [
            frame("done", "[DONE]")]
        recorder = Recorder(runs_v2.RunEventHandler)
        stream = runs_v2.RunStream(client.stream_run(server[1].create_thread()["id"],
                                                     assistant_id="asst_abc"),
                                   handler=recorder.handler)
        stream.until_done()
        events = [e for e, _ in frames if e != "done"]
        assert recorder.of("event") == events, where
        assert recorder.calls[-1] == ("end", None) and len(recorder.of("end")) == 1, where
        deltas = [p["text"]["value"] for e, d in frames if e == "thread.message.delta"
                  for p in d["delta"]["content"]]
        assert recorder.of("text") == deltas and stream.text == "".join(deltas), where
        completed = [d for e, d in frames if e == "thread.message.completed"]
        assert recorder.of("message") == [json.dumps(d["content"]) for d in completed], where
        for message in completed:  # the completed event is the message's last word
            assert stream.message_text(message["id"]) == message["content"][0]["text"]["value"]
        assert recorder.of("step") == [d["id"] for e, d in frames
                                       if e == "thread.run.step.completed"], where
        for step_id, calls in stream.tool_calls.items():
            for index, call in enumerate(calls):
                pieces = [f["function"].get("arguments", "") for e, d in frames
                          if e == "thread.run.step.delta" and d["id"] == step_id
                          for f in d["delta"]["step_details"]["tool_calls"]
                          if f["index"] == index]
                assert call["function"]["arguments"] == "".join(pieces), where
        if "thread.run.requires_action" in events:
            assert recorder.of("call") == [json.dumps(c, sort_keys=True)
                                           for c in stream.final_tool_calls()], where
            assert stream.final_tool_calls(), where
        runs = [d for e, d in frames if e.startswith("thread.run.")
                and not e.startswith("thread.run.step.")]
        if runs:
            assert stream.final_run().status.value == runs[-1]["status"], where
            assert recorder.of("run") == [r["status"] for r in runs], where


def _fragmented_calls(state: FakeState, run: dict[str, Any]) -> tuple[list[str], list[str]]:
    """SSE frames of two parallel function calls whose names and arguments arrive in
    interleaved fragments, then requires_action; and the two calls' whole arguments."""
    waiting = public(run)
    ids = [c["id"] for c in waiting["required_action"]["submit_tool_outputs"]["tool_calls"]]
    step = "step_fragmented"
    whole = ['{"location": "San Francisco, CA", "unit": "°C"}',
             '{"query": "say \\"hi\\"", "n": [1, 2]}']

    def delta(index: int, **function: str) -> str:
        call: dict[str, Any] = {"index": index, "function": function}
        if "name" in function:
            call.update(id=ids[index], type="function")
        return frame("thread.run.step.delta", {
            "id": step, "object": "thread.run.step.delta",
            "delta": {"step_details": {"type": "tool_calls", "tool_calls": [call]}}})

    frames = [frame("thread.run.created", waiting),
              delta(0, name="get_weather", arguments=""),
              delta(0, arguments=whole[0][:7]),
              delta(1, name="search", arguments=whole[1][:3]),
              delta(0, arguments=whole[0][7:30]),
              delta(1, arguments=whole[1][3:]),
              delta(0, arguments=whole[0][30:]),
              frame("thread.run.requires_action", waiting),
              frame("done", "[DONE]")]
    return frames, whole


def _waiting_run(runs_v2: ModuleType, client: Any, state: FakeState) -> Any:
    state.tool_calls = 2
    thread = state.create_thread()["id"]
    run = client.create_run(thread, assistant_id="asst_1")
    while run.status is not runs_v2.RunStatus.REQUIRES_ACTION:
        run = client.get_run(thread, run.id)
    return run


def test_fragmented_parallel_tool_calls_are_assembled_and_the_stream_goes_on(
        runs_v2: ModuleType, server: tuple[str, FakeState]) -> None:
    client = client_of(runs_v2, server)
    state = server[1]
    run = _waiting_run(runs_v2, client, state)
    state.sse_frames, whole = _fragmented_calls(state, state.runs[run.id])
    recorder = Recorder(runs_v2.RunEventHandler)
    with runs_v2.RunStream(client.stream_run(run.thread_id, assistant_id="asst_1"),
                           client=client, handler=recorder.handler) as stream:
        calls = stream.final_tool_calls()
        assert [c["function"]["arguments"] for c in calls] == whole
        assert [json.loads(c["function"]["arguments"])["n" if i else "unit"]
                for i, c in enumerate(calls)] == ["°C", [1, 2]]
        assert [c["function"]["name"] for c in calls] == ["get_weather", "search"]
        assert [c["id"] for c in calls] == [c.id for c in stream.required_tool_calls()]
        assert len(recorder.of("fragment")) == 6 and len(recorder.of("call")) == 2
        assert recorder.of("end") == [None]
        state.sse_frames = None
        outputs = [runs_v2.ToolOutput(tool_call_id=c["id"], output="22C") for c in calls]
        final = stream.submit_tool_outputs_stream(outputs).final_run()
    assert final.status is runs_v2.RunStatus.COMPLETED and stream.text == "Hello"
    assert recorder.of("end") == [None, None]  # once per until_done, the same handler
    assert recorder.of("run")[-1] == "completed" and recorder.of("text") == ["Hello"]


def test_the_async_stream_assembles_the_same_and_awaits_async_callbacks(
        runs_v2: ModuleType, server: tuple[str, FakeState]) -> None:
    """AsyncRunStream over an async iterator: the events of real HTTP streams (read on a worker
    thread), replayed to an async handler; tool outputs submitted through an async client."""
    client = client_of(runs_v2, server)
    state = server[1]
    run = _waiting_run(runs_v2, client, state)
    state.sse_frames, whole = _fragmented_calls(state, state.runs[run.id])

    async def over_http(stream: Any) -> AsyncIterator[Any]:
        for event in await asyncio.to_thread(list, stream):
            await asyncio.sleep(0)
            yield event

    class AsyncClient:  # the part of an async client AsyncRunStream uses
        async def stream_submit_tool_outputs(self, thread_id: str, run_id: str, *,
                                             tool_outputs: Any) -> AsyncIterator[Any]:
            state.sse_frames = None
            return over_http(client.stream_submit_tool_outputs(
                thread_id, run_id, tool_outputs=tool_outputs))

    seen: list[str] = []

    class Handler(runs_v2.RunEventHandler):  # type: ignore[misc, name-defined]
        async def on_text_delta(self, text: str, message_id: str) -> None:
            await asyncio.sleep(0)
            seen.append(text)

        def on_tool_call_done(self, call: dict[str, Any]) -> None:
            seen.append(call["function"]["name"])

    async def main() -> Any:
        events = over_http(client.stream_run(run.thread_id, assistant_id="asst_1"))
        async with runs_v2.AsyncRunStream(events, client=AsyncClient(),
                                          handler=Handler()) as stream:
            calls = await stream.final_tool_calls()
            assert [c["function"]["arguments"] for c in calls] == whole
            outputs = [runs_v2.ToolOutput(tool_call_id=c["id"], output="22C") for c in calls]
            await stream.submit_tool_outputs(outputs)
            order = [event.event async for event in stream]
            return await stream.final_run(), order, stream.text

    final, order, text = asyncio.run(main())
    assert final.status is runs_v2.RunStatus.COMPLETED and text == "Hello"
    assert order[-1] == "thread.run.completed" and "thread.message.delta" in order
    assert seen == ["get_weather", "search", "Hello"]


def test_the_async_stream_over_asyncio_sockets(
        runs_v2: ModuleType, server: tuple[str, FakeState]) -> None:
    """AsyncRunStream fed by the package's async runtime (AsyncBaseClient over asyncio
    streams): fragmented calls assembled, outputs submitted, the run followed to the end."""
    url, state = server
    run = _waiting_run(runs_v2, client_of(runs_v2, server), state)
    state.sse_frames, whole = _fragmented_calls(state, state.runs[run.id])
    decode = runs_v2.client._event_assistant_stream_event

    class AsyncRuns(runs_v2._http.AsyncBaseClient):  # type: ignore[misc, name-defined]
        """The two streaming calls of an async client, as AsyncRunStream uses them."""

        async def _events(self, path: str, body: dict[str, Any]) -> AsyncIterator[Any]:
            events = await self._stream("POST", path, body={**body, "stream": True})
            async with events:
                async for sse in events:
                    if sse.event == "done":
                        return
                    yield decode(sse.event, sse.json())

        async def stream_run(self, thread_id: str, *, assistant_id: str
                             ) -> AsyncIterator[Any]:  # awaited by AsyncRunStream
            return self._events(f"threads/{thread_id}/runs", {"assistant_id": assistant_id})

        async def stream_submit_tool_outputs(self, thread_id: str, run_id: str, *,
                                             tool_outputs: Any) -> AsyncIterator[Any]:
            state.sse_frames = None
            outputs = [o.to_dict() for o in tool_outputs]
            return self._events(f"threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
                                {"tool_outputs": outputs})

    async def main() -> tuple[Any, list[dict[str, Any]], str]:
        client = AsyncRuns(url, API_KEY, max_retries=0,
                           fixed_headers={"OpenAI-Beta": "assistants=v2"})
        try:
            stream = runs_v2.AsyncRunStream(
                client.stream_run(run.thread_id, assistant_id="asst_1"), client=client)
            calls = await stream.final_tool_calls()
            outputs = [runs_v2.ToolOutput(tool_call_id=c["id"], output="22C") for c in calls]
            await stream.submit_tool_outputs_stream(outputs)
            return await stream.final_run(), calls, stream.text
        finally:
            await client.aclose()

    final, calls, text = asyncio.run(main())
    assert [c["function"]["arguments"] for c in calls] == whole
    assert isinstance(final, runs_v2.Run) and final.status is runs_v2.RunStatus.COMPLETED
    assert text == "Hello" and final.id == run.id


def test_the_async_stream_with_the_generated_async_client(
        runs_v2: ModuleType, server: tuple[str, FakeState]) -> None:
    """`AsyncRunStream(aclient.stream_run(...), client=aclient)`, the call not even awaited:
    the generated AsyncClient's streams over asyncio sockets, outputs submitted through it."""
    url, state = server
    run = _waiting_run(runs_v2, client_of(runs_v2, server), state)
    state.sse_frames, whole = _fragmented_calls(state, state.runs[run.id])

    async def main() -> tuple[Any, list[str], str]:
        aclient = runs_v2.AsyncClient(url, API_KEY, max_retries=0)
        try:
            async with runs_v2.AsyncRunStream(
                    aclient.stream_run(run.thread_id, assistant_id="asst_1"),
                    client=aclient) as stream:
                calls = await stream.final_tool_calls()
                state.sse_frames = None
                await stream.submit_tool_outputs(
                    [runs_v2.ToolOutput(tool_call_id=c["id"], output="22C") for c in calls])
                final = await stream.final_run()
                return final, [c["function"]["arguments"] for c in calls], stream.text
        finally:
            await aclient.aclose()

    final, arguments, text = asyncio.run(main())
    assert arguments == whole and text == "Hello"
    assert final.status is runs_v2.RunStatus.COMPLETED
    submitted = [r for r in state.requests if r.path.endswith("/submit_tool_outputs")]
    assert submitted[-1].body["stream"] is True
