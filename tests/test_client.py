"""The generated API client, driven over real sockets against tests/fake_runs_server.py.

runs_v2 (and runs_v1) are generated into a temporary folder under unique package names, imported,
and exercised through the default urllib transport: the run lifecycle through the poll helpers,
lazy pagination, streaming (the server's frames, the corpus spec's SSE examples and one written
here), faults (429 + Retry-After, 500, dropped connections, malformed JSON, slow replies,
malformed SSE frames, error events), and the request shape (fixed beta header, absent arguments
not sent, bodies validated before sending). Sleeps between retries and polls are recorded
instead of slept so the file stays fast; the network is real.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_runs_server import FakeState, frame, start_fake_server
from test_http_runtime import strict_sleep

from runmodels.api import generate
from runmodels.build.package_ir import build_package
from runmodels.errors import SpecError
from runmodels.options import Options

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "openai-openapi" / (
    "2024-04-25-assistants-v2.yaml")
V2, V1 = "client_runs_v2", "client_runs_v1"


# ---- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("client_pkgs")
    # the default black cache: the models are formatted exactly as in generated/, so warm runs
    # take about a second (a cold cache costs some 20 s of black)
    generate(ROOT / "specs" / "runs_v2.yaml", out, V2)
    generate(ROOT / "specs" / "runs_v1.yaml", out, V1)
    sys.path.insert(0, str(out))
    try:
        yield out
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n.split(".")[0] in (V2, V1)]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def v2(generated: Path) -> ModuleType:
    return importlib.import_module(V2)


@pytest.fixture(scope="session")
def v1(generated: Path) -> ModuleType:
    return importlib.import_module(V1)


def make_client(pkg: ModuleType, base_url: str, **kwargs: Any) -> Any:
    """A client whose retry/poll sleeps are recorded in `.sleeps` rather than slept."""
    kwargs.setdefault("timeout", 5.0)
    client = pkg.Client(base_url, kwargs.pop("api_key", "sk-test"), **kwargs)
    client.sleeps = []
    client._sleep = strict_sleep(client.sleeps)
    return client


@pytest.fixture
def client(v2: ModuleType, server: tuple[str, FakeState]) -> Any:
    return make_client(v2, server[0])


def thread(state: FakeState) -> str:
    return str(state.create_thread()["id"])


# ---- surface -------------------------------------------------------------------------------

OPERATIONS = ("create_run", "create_thread_and_run", "list_runs", "get_run", "modify_run",
              "cancel_run", "submit_tool_outputs_to_run", "list_run_steps", "get_run_step")
COMPANIONS = ("iter_runs", "iter_run_steps", "poll_run", "create_run_and_poll",
              "submit_tool_outputs_and_poll", "stream_run", "stream_thread_and_run",
              "stream_submit_tool_outputs")


def test_surface_and_signatures(v2: ModuleType) -> None:
    for name in OPERATIONS + COMPANIONS:
        assert callable(getattr(v2.Client, name)), name
    for error in ("APIError", "BadRequestError", "AuthenticationError", "PermissionDeniedError",
                  "NotFoundError", "ConflictError", "UnprocessableEntityError", "RateLimitError",
                  "InternalServerError", "APIConnectionError", "APITimeoutError"):
        assert issubclass(getattr(v2, error), v2.APIError)
        assert error in v2.__all__
    assert issubclass(v2.APITimeoutError, v2.APIConnectionError)
    params = inspect.signature(v2.Client.create_run).parameters
    assert params["thread_id"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert params["assistant_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["assistant_id"].default is inspect.Parameter.empty
    assert params["model"].default is v2.UNSET
    assert "open_ai_beta" not in params  # the fixed beta header is sent by the client
    assert params["stream"].default is False  # not the body member: only refuses stream=True
    listing = inspect.signature(v2.Client.list_runs).parameters
    assert [p for p in listing if listing[p].kind is inspect.Parameter.KEYWORD_ONLY][:4] == [
        "limit", "order", "after", "before"]
    assert "after" not in inspect.signature(v2.Client.iter_runs).parameters
    poll = inspect.signature(v2.Client.poll_run).parameters
    assert list(poll)[:3] == ["self", "thread_id", "run_id"]
    assert {"interval", "timeout"} <= set(poll)
    assert "Returns" in (v2.Client.get_run.__doc__ or "")
    assert "assistant_id: The ID of the assistant" in (v2.Client.create_run.__doc__ or "")


def test_base_url_and_key_fallbacks(v2: ModuleType, server: tuple[str, FakeState],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(v2.ClientValueError) as info:  # at construction, not at the first call
        v2.Client()
    assert "OPENAI_API_KEY" in str(info.value)
    assert v2.Client(api_key="").base_url == "https://api.openai.com/v1"  # the spec's server
    monkeypatch.setenv("OPENAI_BASE_URL", server[0])
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    client = v2.Client()
    assert client.base_url == server[0] and client.api_key == "sk-test"
    tid = thread(server[1])
    assert client.create_run(tid, assistant_id="asst_1").status == "queued"


# ---- lifecycle -----------------------------------------------------------------------------

def test_lifecycle_through_poll_helpers(v2: ModuleType, client: Any, state: FakeState) -> None:
    state.poll_after_ms = 250
    tid = thread(state)
    run = client.create_run_and_poll(tid, assistant_id="asst_1", instructions="Be brief.")
    assert isinstance(run, v2.Run)
    assert run.status == v2.RunStatus.REQUIRES_ACTION and run.requires_action
    assert client.sleeps == [0.25]  # queued -> (poll-after 250 ms) -> in_progress -> action
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [c.function.name for c in calls] == ["tool_0", "tool_1"]
    outputs = [v2.ToolOutput(tool_call_id=c.id, output=f"out {c.id}") for c in calls]
    done = client.submit_tool_outputs_and_poll(tid, run.id, tool_outputs=outputs,
                                               poll_interval=0.01)
    assert done.status == v2.RunStatus.COMPLETED and done.is_complete and done.usage
    submitted = [r for r in state.requests if r.path.endswith("/submit_tool_outputs")]
    assert submitted[0].body == {"tool_outputs": [o.to_dict() for o in outputs]}
    steps = list(client.iter_run_steps(tid, run.id, order="asc"))
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    assert all(isinstance(s, v2.RunStep) and s.status == "completed" for s in steps)
    one = client.get_run_step(tid, run.id, steps[0].id)
    assert one.step_details.tool_calls[0].id == calls[0].id
    renamed = client.modify_run(tid, run.id, metadata={"k": "v"})
    assert renamed.metadata == {"k": "v"} and client.get_run(tid, run.id).metadata == {"k": "v"}


def test_cancel_then_poll(client: Any, state: FakeState) -> None:
    tid = thread(state)
    run = client.create_run(tid, assistant_id="asst_1")
    assert client.cancel_run(tid, run.id).status == "cancelling"
    assert client.poll_run(tid, run.id, interval=0.01).status == "cancelled"
    assert client.sleeps == []  # the first fetch already left `cancelling`


def test_create_thread_and_run_and_poll(client: Any, state: FakeState) -> None:
    run = client.create_thread_and_run_and_poll(assistant_id="asst_1")
    assert run.status == "requires_action" and run.thread_id in state.threads


def test_poll_timeout_keeps_last_value(v2: ModuleType, client: Any, state: FakeState) -> None:
    run = client.create_run(thread(state), assistant_id="asst_1")
    with pytest.raises(v2.PollTimeoutError) as info:
        client.poll_run(run.thread_id, run.id, timeout=0)
    assert info.value.last.status == "in_progress"


def test_not_found_is_typed(v2: ModuleType, client: Any, state: FakeState) -> None:
    with pytest.raises(v2.NotFoundError) as info:
        client.get_run(thread(state), "run_nope")
    assert info.value.status_code == 404 and "run_nope" in info.value.message
    assert len(state.requests) == 1  # 404 is never retried


# ---- pagination ----------------------------------------------------------------------------

def test_pagination_is_lazy(v2: ModuleType, client: Any, state: FakeState) -> None:
    tid = thread(state)
    created = [client.create_run(tid, assistant_id="asst_1").id for _ in range(7)]
    before = len(state.requests)
    items = client.iter_runs(tid, limit=2)
    assert len(state.requests) == before  # nothing fetched yet
    first = next(items)
    assert first.id == created[-1] and len(state.requests) == before + 1
    rest = list(items)
    assert [r.id for r in [first, *rest]] == created[::-1]
    pages = state.requests[before:]
    assert len(pages) == 4
    assert [p.query.get("after") for p in pages] == [None, [created[5]], [created[3]],
                                                      [created[1]]]
    assert all(p.query["limit"] == ["2"] for p in pages)
    asc = [r.id for r in client.iter_runs(tid, limit=3, order=v2.Order.ASC)]
    assert asc == created
    page = client.list_runs(tid, limit=3)
    assert isinstance(page, v2.ListRunsResponse) and page.has_more and len(page.data) == 3
    # the openai-python habit: a list result iterates its items (this page only)
    assert [r.id for r in page] == [r.id for r in page.data] == created[::-1][:3]
    assert list(v2.ListRunsResponse.from_dict(
        {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False})) == []


# ---- request shape -------------------------------------------------------------------------

def test_fixed_beta_header_auth_and_defaults(v2: ModuleType, server: tuple[str, FakeState]
                                            ) -> None:
    url, state = server
    client = make_client(v2, url, default_headers={"X-Trace": "t1"})
    client.create_run(thread(state), assistant_id="asst_1", extra_headers={"X-Call": "c"})
    headers = state.requests[-1].headers
    assert headers["openai-beta"] == "assistants=v2"
    assert headers["authorization"] == "Bearer sk-test"
    assert headers["x-trace"] == "t1" and headers["x-call"] == "c"
    assert headers["content-type"] == "application/json"


def test_absent_arguments_are_not_sent(client: Any, state: FakeState) -> None:
    tid = thread(state)
    client.create_run(tid, assistant_id="asst_1")
    assert state.requests[-1].raw_body == b'{"assistant_id":"asst_1"}'
    client.create_run(tid, assistant_id="asst_1", model=None, metadata={"a": "b"})
    assert state.requests[-1].body == {"assistant_id": "asst_1", "model": None,
                                       "metadata": {"a": "b"}}
    client.list_runs(tid)
    assert state.requests[-1].query == {}
    client.list_runs(tid, limit=5, order="asc")
    assert state.requests[-1].query == {"limit": ["5"], "order": ["asc"]}
    client.get_run(tid, client.list_runs(tid).data[0].id)
    assert state.requests[-1].raw_body == b"" and "content-type" not in state.requests[-1].headers


def test_path_parameters_are_encoded(v2: ModuleType, client: Any, state: FakeState) -> None:
    with pytest.raises(v2.NotFoundError):
        client.get_run("thread/../x y", "run?#")
    assert state.requests[-1].path == "/v1/threads/thread%2F..%2Fx%20y/runs/run%3F%23"


def test_bodies_are_validated_before_sending(v2: ModuleType, server: tuple[str, FakeState]
                                             ) -> None:
    url, state = server
    client = make_client(v2, url)
    tid = thread(state)
    with pytest.raises(v2.DecodeError) as info:
        client.create_run(tid, assistant_id="asst_1", temperature=7.5, metadata={"k" * 70: "v"})
    text = str(info.value)
    assert "$.temperature" in text and "$.metadata" in text
    with pytest.raises(v2.DecodeError):
        client.create_run(tid, assistant_id=None)  # type: ignore[arg-type]
    with pytest.raises(v2.DecodeError, match="tool_call_id"):
        client.submit_tool_outputs_to_run(tid, "run_1", tool_outputs=[v2.ToolOutput(tool_call_id=5)])
    with pytest.raises(v2.DecodeError, match=r"tool_outputs\[0\]\.tool_call_id"):
        client.submit_tool_outputs_to_run(tid, "run_1", tool_outputs=[{"tool_call_id": 5}])
    assert state.requests == []  # nothing left the client
    lax = make_client(v2, url, validate=False)
    run = lax.create_run(tid, assistant_id="asst_1", temperature=7.5)
    assert state.requests[-1].body["temperature"] == 7.5 and run.temperature == 7.5


# ---- faults and retries --------------------------------------------------------------------

def test_429_with_retry_after_is_retried(v2: ModuleType, client: Any,
                                         state: FakeState) -> None:
    tid = thread(state)
    state.fail(429, headers={"Retry-After": "3"})
    assert client.list_runs(tid).object == "list"
    assert client.sleeps == [3.0] and len(state.requests) == 2
    state.fail(429, headers={"retry-after-ms": "120"})
    client.list_runs(tid)
    assert client.sleeps[-1] == pytest.approx(0.12)
    state.fail(429, headers={"Retry-After": "3"})  # a POST without idempotency key: not resent
    with pytest.raises(v2.RateLimitError) as info:
        client.create_run(tid, assistant_id="asst_1")
    assert info.value.headers["retry-after"] == "3" and len(state.requests) == 5


def test_500_retried_with_backoff_then_raised(v2: ModuleType, client: Any,
                                              state: FakeState) -> None:
    tid = thread(state)
    state.fail(500)
    assert client.list_runs(tid).object == "list"
    state.fail(503, count=3)
    with pytest.raises(v2.InternalServerError) as info:
        client.list_runs(tid)
    err = info.value
    assert err.status_code == 503 and err.type == "server_error" and err.request_id
    assert err.request.startswith("GET http://127.0.0.1:") and err.body
    assert len(state.requests) == 2 + 3
    backoff = client.sleeps[1:]
    assert len(backoff) == 2 and 0.375 <= backoff[0] <= 0.5 and 0.75 <= backoff[1] <= 1.0


def test_other_4xx_not_retried(v2: ModuleType, server: tuple[str, FakeState]) -> None:
    url, state = server
    client = make_client(v2, url, api_key="sk-wrong")
    with pytest.raises(v2.AuthenticationError) as info:
        client.list_runs(thread(state))
    assert info.value.code == "invalid_api_key" and info.value.status_code == 401
    state.fail(422)
    with pytest.raises(v2.UnprocessableEntityError):
        make_client(v2, url).list_runs("thread_x")
    assert len(state.requests) == 2 and client.sleeps == []


def test_dropped_connection(v2: ModuleType, client: Any, state: FakeState) -> None:
    tid = thread(state)
    state.drop_connection()  # a POST that reached the server is not sent again
    with pytest.raises(v2.APIConnectionError) as sent:
        client.create_run(tid, assistant_id="asst_1")
    assert sent.value.sent and len(state.requests) == 1 and state.runs == {}
    state.drop_connection()
    assert client.list_runs(tid).data == []
    assert len(state.requests) == 3
    state.drop_connection(3)
    with pytest.raises(v2.APIConnectionError) as info:
        client.list_runs(tid)
    assert not isinstance(info.value, v2.APITimeoutError)
    assert f"/threads/{tid}/runs" in str(info.value)


def test_malformed_json_names_the_request(v2: ModuleType, client: Any, state: FakeState) -> None:
    tid = thread(state)
    state.malformed_json()
    with pytest.raises(v2.APIResponseError) as info:
        client.list_runs(tid)
    message = str(info.value)
    assert "malformed JSON" in message and f"GET {client.base_url}/threads/{tid}/runs" in message
    assert not isinstance(info.value.__cause__, KeyError)
    state.fail(200, body="[1, 2]")
    with pytest.raises(v2.APIResponseError, match="unexpected response body from GET"):
        client.list_runs(tid)


def test_slow_reply_times_out(v2: ModuleType, server: tuple[str, FakeState]) -> None:
    url, state = server
    client = make_client(v2, url, timeout=0.2, max_retries=0)
    state.slow(2.0)
    start = time.monotonic()
    with pytest.raises(v2.APITimeoutError):
        client.list_runs("thread_x")
    assert time.monotonic() - start < 1.5
    state.slow(2.0)
    with pytest.raises(v2.APITimeoutError):  # per-call timeout overrides the client's
        make_client(v2, url, max_retries=0).list_runs("thread_x", timeout=0.2)


# ---- streaming -----------------------------------------------------------------------------

def event_names(events: list[Any]) -> list[str]:
    return [e.event for e in events]


def test_stream_run_default_frames(v2: ModuleType, client: Any, state: FakeState) -> None:
    tid = thread(state)
    with client.stream_run(tid, assistant_id="asst_1") as stream:
        events = list(stream)
    assert state.requests[-1].body == {"assistant_id": "asst_1", "stream": True}
    assert state.requests[-1].headers["accept"] == "text/event-stream"
    assert event_names(events) == [
        "thread.run.created", "thread.run.queued", "thread.run.in_progress",
        "thread.run.step.created", "thread.run.step.delta", "thread.message.delta",
        "thread.run.step.completed", "thread.run.completed"]  # `done` ends, is not yielded
    created, delta, message, last = events[0], events[4], events[5], events[-1]
    assert isinstance(created, v2.ThreadRunCreatedEvent) and isinstance(created.data, v2.Run)
    assert isinstance(delta, v2.ThreadRunStepDeltaEvent)
    assert isinstance(delta.data, v2.RunStepDelta)
    assert isinstance(events[3].data, v2.RunStep)
    assert isinstance(message, v2.UnknownEvent) and isinstance(message, v2.UnknownVariant)
    assert message.data["delta"]["content"][0]["text"]["value"] == "Hello"
    assert isinstance(last, v2.ThreadRunCompletedEvent) and last.data.status == "completed"


def test_stream_thread_and_run_and_submit(v2: ModuleType, client: Any, state: FakeState) -> None:
    events = list(client.stream_thread_and_run(assistant_id="asst_1"))
    assert events[0].event == "thread.run.created" and events[-1].data.is_complete
    run = client.create_run_and_poll(thread(state), assistant_id="asst_1")
    outputs = [v2.ToolOutput(tool_call_id=c.id, output="ok")
               for c in run.required_action.submit_tool_outputs.tool_calls]
    events = list(client.stream_submit_tool_outputs(run.thread_id, run.id, tool_outputs=outputs))
    assert events[0].event == "thread.run.step.completed"
    assert events[-1].event == "thread.run.completed"
    assert state.requests[-1].body["stream"] is True


def corpus_examples() -> list[str]:
    """Response texts of the corpus spec's x-oaiMeta examples that stream a run."""
    if not CORPUS.is_file():
        return []
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.strip() != "response: |":
            continue
        indent = len(line) - len(line.lstrip()) + 2
        block = []
        for text in lines[i + 1:]:
            if text.strip() and len(text) - len(text.lstrip()) < indent:
                break
            block.append(text[indent:])
        body = "\n".join(block).strip("\n")
        if "event: thread.run.created" in body:
            found.append(body + "\n\n")
    return found


def expected_events(text: str) -> tuple[list[str], str | None]:
    """Event names the SSE rules dispatch (blocks with a `data:` line) before `done`, and the
    first event whose data is not JSON (the corpus has some: `...}}` with a brace too many)."""
    names = []
    for block in re.split(r"\n\s*\n", text):
        fields = [line.split(":", 1) for line in block.splitlines() if ":" in line]
        event = next((v.strip() for k, v in fields if k == "event"), None)
        data = [v.removeprefix(" ") for k, v in fields if k == "data"]
        if event and data:
            if event == "done":
                break
            try:
                json.loads("\n".join(data))
            except ValueError:
                return names, event
            names.append(event)
    return names, None


EXAMPLES = corpus_examples()


@pytest.mark.skipif(not CORPUS.is_file(), reason=f"corpus spec not present: {CORPUS}")
def test_corpus_has_streaming_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("index", range(len(EXAMPLES)) if EXAMPLES else [
    pytest.param(0, marks=pytest.mark.skip(reason="corpus spec not present"))])
def test_stream_replays_corpus_examples(v2: ModuleType, client: Any, state: FakeState,
                                        index: int) -> None:
    text = EXAMPLES[index]
    state.sse_frames = [text[i:i + 700] for i in range(0, len(text), 700)]  # split mid-line too
    names, broken = expected_events(text)
    events: list[Any] = []
    if broken is None:
        events = list(client.stream_thread_and_run(assistant_id="asst_123"))
    else:  # a malformed frame raises the package's error naming request and event, mid-stream
        with pytest.raises(v2.APIResponseError) as info:
            events.extend(client.stream_thread_and_run(assistant_id="asst_123"))
        assert f"SSE event {broken!r}" in str(info.value)
        assert "POST http://127.0.0.1:" in str(info.value)
        assert isinstance(info.value.__cause__, ValueError)
    assert event_names(events) == names
    for event in events:
        if event.event.startswith("thread.run."):
            assert not isinstance(event, v2.UnknownVariant), event.event
            expected = v2.RunStepDelta if event.event == "thread.run.step.delta" else (
                v2.RunStep if event.event.startswith("thread.run.step.") else v2.Run)
            assert isinstance(event.data, expected)
        else:  # thread.created, thread.message.*: outside the spec, kept raw
            assert isinstance(event, v2.UnknownEvent) and isinstance(event.data, dict)
    runs = [e.data for e in events if e.event == "thread.run.created"]
    assert runs or broken == "thread.run.created"


def test_some_corpus_example_streams_cleanly_to_done() -> None:
    if not EXAMPLES:
        pytest.skip("corpus spec not present")
    assert any(expected_events(text)[1] is None for text in EXAMPLES)


OWN_STREAM = (
    ": a comment the client ignores\r\n"
    "retry: 1000\r\n\r\n"
    "id: 1\r\nevent: thread.run.requires_action\r\n"
    'data: {"id": "run_9", "object": "thread.run", "created_at": 1, "thread_id": "thread_9",\r\n'
    'data:  "assistant_id": "asst_9", "status": "requires_action", "future_field": [1],\r\n'
    'data:  "required_action": {"type": "submit_tool_outputs", "submit_tool_outputs":\r\n'
    'data:  {"tool_calls": [{"id": "call_1", "type": "function",\r\n'
    'data:  "function": {"name": "f", "arguments": "{}"}}]}}}\r\n\r\n'
    "event: thread.run.step.teleported\n"
    'data: {"id": "step_1", "object": "thread.run.step", "note": "a future event"}\n\n'
    "event: thread.run.step.delta\r"
    'data: {"id": "step_1", "object": "thread.run.step.delta", "delta": {"step_details": '
    '{"type": "tool_calls", "tool_calls": [{"index": 0, "type": "function", "id": "call_1", '
    '"function": {"name": "f", "arguments": "{}", "output": null}}]}}}\r\r'
    "event: done\ndata: [DONE]\n\n"
    'event: thread.run.created\ndata: {"never": "read"}\n\n'
)


def test_stream_replays_written_example(v2: ModuleType, client: Any, state: FakeState) -> None:
    state.sse_frames = [OWN_STREAM[i:i + 37] for i in range(0, len(OWN_STREAM), 37)]
    stream = client.stream_run(thread(state), assistant_id="asst_9")
    events = list(stream)
    assert event_names(events) == ["thread.run.requires_action", "thread.run.step.teleported",
                                   "thread.run.step.delta"]
    action, future, delta = events
    assert isinstance(action, v2.ThreadRunRequiresActionEvent)
    assert action.data.requires_action and action.data._extra == {"future_field": [1]}
    assert action.data.required_action.submit_tool_outputs.tool_calls[0].id == "call_1"
    assert isinstance(future, v2.UnknownEvent) and future.data["note"] == "a future event"
    assert future.tag == "thread.run.step.teleported"
    assert future.to_dict() == {"event": "thread.run.step.teleported", "data": future.data}
    assert isinstance(delta.data, v2.RunStepDelta)
    assert list(stream) == []  # `done` closed it: the frame after it is never read


def test_stream_error_event_raises(v2: ModuleType, client: Any, state: FakeState) -> None:
    state.sse_fault = "error"
    seen = []
    with pytest.raises(v2.APIError) as info:
        for event in client.stream_run(thread(state), assistant_id="asst_1"):
            seen.append(event.event)
    assert seen == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert info.value.type == "server_error" and info.value.code == "server_error"
    assert "had an error" in info.value.message


def test_stream_malformed_frame_names_the_request(v2: ModuleType, client: Any,
                                                  state: FakeState) -> None:
    state.sse_fault = "malformed"
    tid = thread(state)
    with pytest.raises(v2.APIResponseError) as info:
        list(client.stream_run(tid, assistant_id="asst_1"))
    message = str(info.value)
    assert "thread.run.step.delta" in message and f"/threads/{tid}/runs" in message
    state.sse_frames = [frame("thread.run.created", "[1, 2]"), frame("done", "[DONE]")]
    with pytest.raises(v2.APIResponseError, match="malformed SSE event 'thread.run.created'"):
        list(client.stream_run(tid, assistant_id="asst_1"))


def test_drifted_responses_are_kept_and_reported(v2: ModuleType, client: Any,
                                                 state: FakeState) -> None:
    """What the server sends outside the spec comes back whole, listed, and told to the hook."""
    tid = thread(state)
    run = state.create_run(tid, {"assistant_id": "asst_1"})
    run.update(created_at="2024-06-25", temperature="0.7", brand_new={"x": 1})
    public = {k: v for k, v in run.items() if not k.startswith("_")}  # what the server sends
    state.sse_frames = [frame("thread.run.created", json.dumps(dict(public, status="paused"))),
                        frame("done", "[DONE]")]
    seen: list[Any] = []
    previous = v2.set_deviation_hook(seen.append)
    try:
        got = client.get_run(tid, run["id"])
        page = client.list_runs(tid)
        (event,) = list(client.stream_run(tid, assistant_id="asst_1"))
    finally:
        v2.set_deviation_hook(previous)
    sent_back = got.to_dict()  # the server moves the run on; what it sent outside the spec stays
    assert sent_back["created_at"] == "2024-06-25" and sent_back["temperature"] == "0.7"
    assert sent_back["brand_new"] == {"x": 1} and got.created_at is v2.UNSET
    assert [(d.kind, d.path) for d in v2.deviations(got)] == [
        ("wrong_type", "$.created_at"), ("wrong_type", "$.temperature"),
        ("unknown_member", "$.brand_new")]
    assert [d.path for d in v2.deviations(page.data[0])][:1] == ["$.data[0].created_at"]
    assert event.data.to_dict() == dict(public, status="paused")
    assert ("unknown_enum", "$.data.status") in [(d.kind, d.path) for d in v2.deviations(event)]
    assert len(seen) == 3 + 3 + 4  # the hook heard every one, as each response was decoded


def test_stream_stalls_time_out(v2: ModuleType, server: tuple[str, FakeState]) -> None:
    url, state = server
    state.sse_frame_delay = 2.0
    client = make_client(v2, url, timeout=0.3, max_retries=0)
    stream = client.stream_run(thread(state), assistant_id="asst_1")
    start = time.monotonic()
    assert next(stream).event == "thread.run.created"
    with pytest.raises(v2.APITimeoutError):
        next(stream)
    assert time.monotonic() - start < 1.5


def test_stream_post_is_not_resent(v2: ModuleType, client: Any, state: FakeState) -> None:
    state.fail(429, headers={"Retry-After": "1"})  # keyed streams are resent: test_client_safety
    with pytest.raises(v2.RateLimitError):
        client.stream_run(thread(state), assistant_id="asst_1")
    assert client.sleeps == [] and len(state.requests) == 1


# ---- runs_v1 -------------------------------------------------------------------------------

def test_v1_client(v1: ModuleType) -> None:
    with start_fake_server(FakeState(beta="assistants=v1")) as (url, state):
        client = make_client(v1, url)
        assert not hasattr(client, "stream_run")
        run = client.create_run_and_poll(thread(state), assistant_id="asst_1")
        assert isinstance(run, v1.Run) and run.status == "requires_action"
        assert state.requests[-1].headers["openai-beta"] == "assistants=v1"
        outputs = [v1.ToolOutput(tool_call_id=c.id, output="ok")
                   for c in run.required_action.submit_tool_outputs.tool_calls]
        done = client.submit_tool_outputs_and_poll(run.thread_id, run.id, tool_outputs=outputs)
        assert done.status == "completed"
        assert len(list(client.iter_run_steps(run.thread_id, run.id, limit=1))) == 2


# ---- custom transport (the one docs/client.md shows) ---------------------------------------

def test_httpx_transport_from_the_docs(v2: ModuleType, server: tuple[str, FakeState]) -> None:
    httpx = pytest.importorskip("httpx")
    docs = (ROOT / "docs" / "client.md").read_text(encoding="utf-8")
    snippet = re.search(r"```python\n(# httpx transport\n.*?)```", docs, re.DOTALL)
    assert snippet is not None, "docs/client.md lost its httpx transport example"
    source = snippet.group(1).replace("from runs_v2 import", f"from {V2} import")
    namespace: dict[str, Any] = {"httpx": httpx}
    exec(compile(source, "docs/client.md", "exec"), namespace)  # noqa: S102 (our own docs)
    url, state = server
    client = v2.Client(url, "sk-test", transport=namespace["HttpxTransport"]())
    run = client.create_run(thread(state), assistant_id="asst_1")
    assert run.status == "queued"
    events = list(client.stream_run(run.thread_id, assistant_id="asst_1"))
    assert events[-1].event == "thread.run.completed"
    state.fail(404)
    with pytest.raises(v2.NotFoundError):
        client.get_run(run.thread_id, run.id)


# ---- generator: selection, typing ----------------------------------------------------------

def test_selection_of_operations() -> None:
    spec = ROOT / "specs" / "runs_v2.yaml"
    every = build_package(Options(spec, "p"))
    assert [op.name for op in every.operations] == [
        "create_thread_and_run", "list_runs", "create_run", "get_run", "modify_run",
        "cancel_run", "submit_tool_outputs_to_run", "list_run_steps", "get_run_step"]
    assert every.fixed_headers == (("OpenAI-Beta", "assistants=v2"),)
    assert every.servers == ("https://api.openai.com/v1",)
    assert len(build_package(Options(spec, "p", ["tag:Assistants"])).operations) == 9
    steps = build_package(Options(spec, "p", ["path:/threads/{thread_id}/runs/{run_id}/steps"]))
    assert [op.name for op in steps.operations] == ["list_run_steps", "get_run_step"]
    assert "RunStep" in steps.entities and "CreateRunRequest" not in steps.entities
    models_only = build_package(Options(spec, "p", ["Run"]))
    assert models_only.operations == () and "Run" in models_only.entities
    with pytest.raises(SpecError, match="tag 'Nope'"):
        build_package(Options(spec, "p", ["tag:Nope"]))
    with pytest.raises(SpecError, match="path '/nope'"):
        build_package(Options(spec, "p", ["path:/nope"]))


def test_operation_edge_cases(tmp_path: Path) -> None:
    spec = tmp_path / "edge.yaml"
    spec.write_text(textwrap.dedent("""\
        openapi: 3.1.0
        info: {title: Edge, version: "1"}
        servers: [{url: "https://{host}/api", variables: {host: {default: example.test}}}]
        paths:
          /items/{class}:
            parameters:
              - {name: class, in: path, required: true, schema: {type: string}}
            get:
              parameters:
                - {name: X-Mode, in: header, required: true, schema: {type: string, enum: [m]}}
                - {name: page-size, in: query, schema: {type: integer}}
                - {name: Accept, in: header, schema: {type: string}}
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {type: object, properties: {id: {type: string}}}
            delete:
              responses: {"204": {description: gone}}
          /other/{class}:
            get:
              operationId: getItems
              parameters:
                - {name: class, in: path, required: true, schema: {type: string}}
              x-runmodels-poll: {name: poll_x, until: is_done}
              responses: {"200": {description: ok}}
    """), encoding="utf-8")
    pkg = build_package(Options(spec, "edge"))
    first, gone, other = pkg.operations
    assert (first.name, gone.name, other.name) == ("get_items_class", "delete_items_class",
                                                    "get_items")
    assert [p.name for p in first.parameters] == ["class_", "page_size", "x_mode"]
    assert first.result is not None and first.result.ref == "GetItemsClassResponse"
    assert gone.result is None
    assert pkg.servers == ("https://example.test/api",)
    assert pkg.fixed_headers == ()  # only one operation sends X-Mode
    assert any("x-runmodels-poll names status helper 'is_done'" in w.message for w in pkg.warnings)
    out = tmp_path / "out"
    generate(spec, out, "edge_pkg", cache_dir=tmp_path / "cache")
    source = (out / "edge_pkg" / "client.py").read_text(encoding="utf-8")
    assert "def poll_x" not in source and '"X-Mode": "m"' in source
    assert 'f"items/{_http.quote_path_param(class_, \'class_\')}"' in source


@pytest.mark.slow
def test_generated_client_passes_mypy_strict(generated: Path, tmp_path: Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(textwrap.dedent(f"""\
        from {V2} import Client, Run, RunStep, ThreadRunCompletedEvent, ToolOutput, UnknownEvent


        def drive(client: Client) -> str:
            run: Run = client.create_run_and_poll("thread_1", assistant_id="asst_1")
            if run.required_action is not None:
                calls = run.required_action.submit_tool_outputs.tool_calls
                outputs = [ToolOutput(tool_call_id=c.id, output="ok") for c in calls]
                run = client.submit_tool_outputs_and_poll(run.thread_id, run.id,
                                                          tool_outputs=outputs)
            steps: list[RunStep] = list(client.iter_run_steps(run.thread_id, run.id, limit=5))
            for event in client.stream_run("thread_1", assistant_id="asst_1"):
                if isinstance(event, ThreadRunCompletedEvent):
                    return event.data.id
                if isinstance(event, UnknownEvent):
                    print(event.event, event.data)
            return str(len(steps))
    """), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(generated / ".mypy_cache"), str(generated / V2), str(usage)],
        cwd=generated, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_client_passes_ruff(generated: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache",
         str(generated / V2 / "client.py"), str(generated / V1 / "client.py")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
