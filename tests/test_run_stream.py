"""RunStream: a run's events followed to the end over real HTTP (the fake server), text and
tool calls assembled from deltas — also from the real OpenAI spec's own stream example — and the
stream continued after tool outputs are submitted."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from corpus import V2_2024, corpus_file, iter_examples
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
