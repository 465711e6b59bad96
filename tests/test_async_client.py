"""The generated `AsyncClient`, over real sockets against tests/fake_runs_server.py, each test in
its own event loop (`asyncio.run`, no third-party plugin); and its parity with `Client`: both
are rendered from one client plan, so their methods and arguments cannot drift."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_runs_server import FakeState
from test_http_runtime import strict_sleep

from runmodels.api import generate
from runmodels.build.package_ir import build_package

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "runs_v2.yaml"
PACKAGE = "async_client_runs_v2"
T = TypeVar("T")


@pytest.fixture(scope="module")
def v2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("async_client")
    generate(SPEC, out, PACKAGE)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def run_async(v2: ModuleType, base_url: str, body: Callable[[Any], Awaitable[T]]) -> tuple[T, Any]:
    """Run `body(client)` in a fresh event loop with an AsyncClient whose poll and retry sleeps
    are recorded (in `client.sleeps`) instead of slept; the client is closed in that loop."""

    async def main() -> tuple[T, Any]:
        client = v2.AsyncClient(base_url, "sk-test", timeout=5.0)
        client.sleeps = []
        record = strict_sleep(client.sleeps)

        async def sleep(seconds: float) -> None:
            record(seconds)

        client._sleep = sleep
        try:
            return await body(client), client
        finally:
            await client.aclose()

    return asyncio.run(main())


def thread(state: FakeState) -> str:
    return str(state.create_thread()["id"])


# ---- parity with Client ----------------------------------------------------------------------


def _shape(method: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(method).parameters.values()]


def test_async_client_has_every_planned_method_with_the_same_arguments(v2: ModuleType) -> None:
    plan = build_package(SPEC, PACKAGE).client
    planned = [m.name for m in plan.methods]
    for cls in (v2.Client, v2.AsyncClient):
        own = [n for n, v in vars(cls).items() if inspect.isfunction(v) and n != "__init__"]
        assert own == planned, cls.__name__  # the plan's methods, in its order, nothing else
    for m in plan.methods:
        sync, agen = getattr(v2.Client, m.name), getattr(v2.AsyncClient, m.name)
        assert _shape(sync) == _shape(agen), m.name
        expected = [a.name for a in m.arguments] + list(m.options) + (
            ["stream"] if m.stream_variant else [])
        assert [p for p, _, _ in _shape(sync)][1:] == expected, m.name
        # iterators are plain functions returning async iterators; everything else awaits
        assert inspect.iscoroutinefunction(agen) == (m.kind != "iter"), m.name
        assert not inspect.iscoroutinefunction(sync)
    assert _shape(v2.Client.__init__) == _shape(v2.AsyncClient.__init__)


# ---- over the wire ---------------------------------------------------------------------------


def test_lifecycle_through_async_poll_helpers(v2: ModuleType, server: tuple[str, FakeState],
                                              state: FakeState) -> None:
    state.poll_after_ms = 250
    tid = thread(state)

    async def body(client: Any) -> Any:
        run = await client.create_run_and_poll(tid, assistant_id="asst_1")
        assert run.status == v2.RunStatus.REQUIRES_ACTION
        calls = run.required_action.submit_tool_outputs.tool_calls
        outputs = [v2.ToolOutput(tool_call_id=c.id, output="22C") for c in calls]
        done = await client.submit_tool_outputs_and_poll(tid, run.id, tool_outputs=outputs,
                                                         poll_interval=0.01)
        steps = [s async for s in client.iter_run_steps(tid, run.id, order="asc")]
        return run, done, steps

    (run, done, steps), client = run_async(v2, server[0], body)
    assert isinstance(run, v2.Run) and client.sleeps[0] == 0.25  # openai-poll-after-ms
    assert done.status == v2.RunStatus.COMPLETED and done.is_complete
    submitted = [r for r in state.requests if r.path.endswith("/submit_tool_outputs")]
    assert submitted[0].body["tool_outputs"][0]["output"] == "22C"
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]


def test_async_pagination_is_lazy(v2: ModuleType, server: tuple[str, FakeState],
                                  state: FakeState) -> None:
    tid = thread(state)

    async def body(client: Any) -> Any:
        created = [(await client.create_run(tid, assistant_id="asst_1")).id for _ in range(5)]
        before = len(state.requests)
        items = client.iter_runs(tid, limit=2)
        unfetched = len(state.requests) - before
        first = await items.__anext__()
        after_first = len(state.requests) - before
        rest = [r.id async for r in items]
        return created, unfetched, after_first, [first.id, *rest], len(state.requests) - before

    (created, unfetched, after_first, seen, pages), _ = run_async(v2, server[0], body)
    assert unfetched == 0 and after_first == 1  # a page only when needed
    assert seen == created[::-1] and pages == 3


def test_async_stream_run(v2: ModuleType, server: tuple[str, FakeState],
                          state: FakeState) -> None:
    tid = thread(state)

    async def body(client: Any) -> Any:
        stream = await client.stream_run(tid, assistant_id="asst_1")
        async with stream:
            return [event async for event in stream]

    events, _ = run_async(v2, server[0], body)
    assert state.requests[-1].body == {"assistant_id": "asst_1", "stream": True}
    assert events[0].event == "thread.run.created"
    assert events[-1].event == "thread.run.completed"  # `done` ends it, is not yielded
    assert isinstance(events[0], v2.ThreadRunCreatedEvent) and isinstance(events[0].data, v2.Run)


def test_async_poll_times_out_and_errors_are_typed(v2: ModuleType,
                                                   server: tuple[str, FakeState],
                                                   state: FakeState) -> None:
    tid = thread(state)

    async def body(client: Any) -> Any:
        run = await client.create_run(tid, assistant_id="asst_1")
        with pytest.raises(v2.PollTimeoutError) as timed_out:
            await client.poll_run(tid, run.id, timeout=0)
        with pytest.raises(v2.NotFoundError) as missing:
            await client.get_run(tid, "run_nope")
        return timed_out.value, missing.value

    (timed_out, missing), _ = run_async(v2, server[0], body)
    assert timed_out.last.status == "in_progress"
    assert missing.status_code == 404 and "run_nope" in missing.message


def test_async_bodies_are_validated_before_sending(v2: ModuleType,
                                                   server: tuple[str, FakeState],
                                                   state: FakeState) -> None:
    tid = thread(state)

    async def body(client: Any) -> Any:
        before = len(state.requests)
        with pytest.raises(v2.DecodeError):
            await client.create_run(tid, assistant_id="asst_1", temperature=9.0)
        return len(state.requests) - before

    sent, _ = run_async(v2, server[0], body)
    assert sent == 0


def test_async_stream_error_event_and_malformed_frame(v2: ModuleType,
                                                      server: tuple[str, FakeState],
                                                      state: FakeState) -> None:
    tid = thread(state)

    async def body(client: Any) -> Any:
        seen = []
        state.sse_fault = "error"
        with pytest.raises(v2.APIError) as failed:
            async for event in await client.stream_run(tid, assistant_id="asst_1"):
                seen.append(event.event)
        state.sse_fault = "malformed"
        with pytest.raises(v2.APIResponseError) as malformed:
            async for _ in await client.stream_run(tid, assistant_id="asst_1"):
                pass
        return seen, failed.value, str(malformed.value)

    (seen, failed, malformed), _ = run_async(v2, server[0], body)
    assert seen == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert failed.type == "server_error" and "had an error" in failed.message
    assert "thread.run.step.delta" in malformed and f"/threads/{tid}/runs" in malformed
