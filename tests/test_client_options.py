"""Per-request and per-client options, raw responses and logging of the generated client, over
real sockets against tests/fake_runs_server.py (the runs_v2 package of test_client.py).
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_runs_server import FakeState
from test_client import V2, generated, make_client, thread, v2  # noqa: F401 (fixtures)

OPTIONS = ["extra_headers", "extra_query", "extra_body", "timeout", "idempotency_key",
           "max_retries"]


def test_every_request_method_takes_the_options(v2: ModuleType) -> None:  # noqa: F811
    for name in ("create_run", "get_run", "list_runs", "cancel_run", "stream_run",
                 "submit_tool_outputs_to_run", "iter_runs", "create_run_and_poll"):
        params = inspect.signature(getattr(v2.Client, name)).parameters
        assert set(OPTIONS) <= set(params), name
        assert all(params[o].kind is inspect.Parameter.KEYWORD_ONLY for o in OPTIONS)


def test_extra_query_body_and_headers_are_sent(v2: ModuleType,  # noqa: F811
                                               server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = make_client(v2, base_url)
    tid = thread(state)
    run = client.create_run(tid, assistant_id="asst_1", metadata={"a": "1"},
                            extra_query={"trace": "on", "n": 2},
                            extra_body={"metadata": {"b": "2"}, "x_new_field": True},
                            extra_headers={"X-Trace": "t1"})
    rec = state.requests[-1]
    assert rec.query == {"trace": ["on"], "n": ["2"]}
    assert rec.body["metadata"] == {"b": "2"} and rec.body["x_new_field"] is True
    assert rec.body["assistant_id"] == "asst_1"
    assert rec.headers["x-trace"] == "t1"
    assert run.metadata == {"b": "2"}
    client.get_run(tid, run.id, extra_body={"only": "this"})  # a GET gets a body if asked
    assert state.requests[-1].body == {"only": "this"}


def test_idempotency_key_makes_a_post_retryable(v2: ModuleType,  # noqa: F811
                                                server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = make_client(v2, base_url)
    tid = thread(state)
    state.fail(500)
    with pytest.raises(v2.InternalServerError):  # no key: a POST that reached the server
        client.create_run(tid, assistant_id="a")
    assert len(state.requests) == 1 and client.sleeps == []
    state.requests.clear()
    state.fail(500)
    assert client.create_run(tid, assistant_id="a", idempotency_key="k-1").status == "queued"
    assert [r.headers.get("idempotency-key") for r in state.requests] == ["k-1", "k-1"]
    with pytest.raises(v2.ClientValueError):
        client.create_run(tid, assistant_id="a", idempotency_key="bad\nkey")


def test_max_retries_and_timeout_per_request(v2: ModuleType,  # noqa: F811
                                             server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = make_client(v2, base_url, max_retries=3)
    tid = thread(state)
    state.fail(503, count=2)
    with pytest.raises(v2.InternalServerError):
        client.list_runs(tid, max_retries=0)
    assert len(state.requests) == 1
    assert client.list_runs(tid).object == "list"  # the client's 3 retries: one 503 left
    assert len(state.requests) == 3
    state.slow(2.0)
    with pytest.raises(v2.APITimeoutError):
        client.list_runs(tid, timeout=0.3, max_retries=0)


def test_with_options_copies_the_client(v2: ModuleType,  # noqa: F811
                                        server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = make_client(v2, base_url, max_retries=2)
    patient = client.with_options(max_retries=5, initial_retry_delay=0.1, max_retry_delay=0.2,
                                  default_headers={"X-Team": "a"}, default_query={"v": "1"})
    assert type(patient) is type(client) and patient is not client
    assert (client.options.max_retries, patient.options.max_retries) == (2, 5)
    assert client.options.initial_retry_delay == 0.5  # the original is unchanged
    tid = thread(state)
    state.fail(500, count=4)
    patient.list_runs(tid)  # its sleeps are recorded where the original's are (a shallow copy)
    assert len(client.sleeps) == 4 and all(0.075 <= s <= 0.2 for s in client.sleeps)
    rec = state.requests[-1]
    assert rec.headers["x-team"] == "a" and rec.query == {"v": ["1"]}
    client.list_runs(tid)
    assert "x-team" not in state.requests[-1].headers and state.requests[-1].query == {}
    with pytest.raises(v2.ClientValueError):
        client.with_options(max_retry_delay=float("inf"))
    with pytest.raises(v2.ClientValueError):
        client.with_options(max_retries=-1)


def test_raw_response_of_a_call(v2: ModuleType,  # noqa: F811
                                server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = make_client(v2, base_url)
    tid = thread(state)
    raw = client.with_raw_response.create_run(tid, assistant_id="asst_1")
    assert raw.status_code == 200 and raw.retries_taken == 0
    assert raw.request_id is not None and raw.request_id.startswith("req_")
    assert raw.headers["content-type"] == "application/json"
    assert isinstance(raw.elapsed, datetime.timedelta) and raw.elapsed.total_seconds() > 0
    assert raw.http_request.method == "POST" and raw.http_request.url.endswith(f"{tid}/runs")
    run = raw.parse()
    assert isinstance(run, v2.Run) and run.assistant_id == "asst_1"
    state.fail(429, headers={"Retry-After": "0"})
    typed = client.raw(client.get_run)(tid, run.id)
    assert typed.parse().id == run.id and typed.retries_taken == 1
    streamed = client.with_raw_response.stream_run(tid, assistant_id="asst_1")
    assert streamed.headers["content-type"].startswith("text/event-stream")
    with streamed.parse() as events:
        assert type(next(events)).__name__ == "ThreadRunCreatedEvent"
    with pytest.raises(TypeError, match="lazily"):
        client.with_raw_response.iter_runs(tid)
    with pytest.raises(AttributeError):
        client.with_raw_response._request_json  # noqa: B018


def test_logging_records_requests_and_retries(v2: ModuleType,  # noqa: F811
                                              server: tuple[str, FakeState],
                                              caplog: pytest.LogCaptureFixture) -> None:
    base_url, state = server
    client = make_client(v2, base_url)
    tid = thread(state)
    state.fail(500)
    with caplog.at_level(logging.DEBUG, logger=V2):
        client.list_runs(tid, extra_query={"api_key": "q-secret"})
    assert {r.name for r in caplog.records} == {V2}
    text = caplog.text
    assert "retrying GET" in text and "(retry 1 of 2)" in text and '"200"' in text
    assert "<redacted>" in text and "after 1 retries" in text
    assert "q-secret" not in text and "sk-test" not in text


CHILD = """
import sys
sys.path.insert(0, {out!r})
import {package} as pkg
pkg.Client({base_url!r}, {key!r})  # a second client adds no second handler
client = pkg.Client({base_url!r}, {key!r}, max_retries=1)
client._sleep = lambda seconds: None
client.list_runs({tid!r}, extra_query={{"client_secret": "q-secret"}})
"""


@pytest.mark.parametrize("level", ["debug", "info", ""])
def test_the_environment_variable_switches_logging_on(
        generated: Path, server: tuple[str, FakeState], level: str) -> None:  # noqa: F811
    base_url, state = server
    state.api_key = "sk-very-secret"
    tid = thread(state)
    state.fail(503)
    env = {**os.environ, f"{V2.upper()}_LOG": level}
    script = CHILD.format(out=str(generated), package=V2, base_url=base_url,
                          key="sk-very-secret", tid=tid)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    log = done.stderr
    if not level:
        assert log == ""
        return
    assert f"{V2} INFO" in log and "retrying GET" in log
    assert log.count('"200"') == 1  # one line per response, however many clients
    assert ("sending GET" in log) is (level == "debug")
    assert "sk-very-secret" not in log and "q-secret" not in log
    if level == "debug":
        assert "'Authorization': '<redacted>'" in log
    assert done.stdout == ""


def test_stream_true_on_a_plain_method_says_what_to_call(v2: ModuleType,  # noqa: F811
                                                         server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = make_client(v2, base_url)
    tid = thread(state)
    with pytest.raises(TypeError, match=r"create_run\(stream=True\).*call stream_run\("):
        client.create_run(tid, assistant_id="asst_1", stream=True)
    with pytest.raises(TypeError, match=r"call stream_submit_tool_outputs\("):
        client.submit_tool_outputs_to_run(tid, "run_x", tool_outputs=[], stream=True)
    assert state.requests == []  # refused before anything was sent
    run = client.create_run(tid, assistant_id="asst_1", stream=False)
    assert "stream" not in state.requests[-1].body and run.status == "queued"
    assert "stream" not in inspect.signature(v2.Client.get_run).parameters  # no stream variant


# ---- the same through the generated AsyncClient ----------------------------------------------

def run_async(v2: ModuleType, base_url: str, body: Any, **kwargs: Any) -> Any:  # noqa: F811
    """`await body(client)` in a fresh event loop, with an AsyncClient recording its sleeps."""

    async def main() -> Any:
        client = v2.AsyncClient(base_url, "sk-test", timeout=5.0, **kwargs)
        client.sleeps = []

        async def sleep(seconds: float) -> None:
            client.sleeps.append(seconds)

        client._sleep = sleep
        try:
            return await body(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_async_options_raw_responses_and_stream_refusal(v2: ModuleType,  # noqa: F811
                                                        server: tuple[str, FakeState]) -> None:
    base_url, state = server
    tid = thread(state)
    state.fail(500)

    async def body(client: Any) -> Any:
        raw = await client.with_raw_response.create_run(
            tid, assistant_id="asst_1", extra_query={"trace": "on"},
            extra_body={"metadata": {"b": "2"}}, extra_headers={"X-Trace": "t1"},
            idempotency_key="k-async")
        typed = await client.raw(client.get_run)(tid, raw.parse().id, max_retries=0)
        with pytest.raises(TypeError, match=r"call stream_run\("):
            await client.create_run(tid, assistant_id="asst_1", stream=True)
        patient = client.with_options(max_retries=0)
        assert type(patient) is type(client) and patient.options.max_retries == 0
        return raw, typed

    raw, typed = run_async(v2, base_url, body)
    assert raw.status_code == 200 and raw.retries_taken == 1  # the key made the POST retryable
    assert raw.parse().metadata == {"b": "2"} and raw.request_id.startswith("req_")
    first, second, third = state.requests
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"] == "k-async"
    assert second.query == {"trace": ["on"]} and second.headers["x-trace"] == "t1"
    assert typed.parse().id == raw.parse().id and third.method == "GET"


def test_async_client_on_the_httpx_transport(v2: ModuleType,  # noqa: F811
                                             server: tuple[str, FakeState]) -> None:
    httpx = pytest.importorskip("httpx")
    base_url, state = server
    tid = thread(state)
    state.fail(429, headers={"Retry-After": "1"})

    async def body(client: Any) -> Any:
        page = await client.list_runs(tid)  # the 429 first: retried after its Retry-After
        run = await client.create_run_and_poll(tid, assistant_id="asst_1", poll_interval=0)
        names = []
        async with await client.stream_run(tid, assistant_id="asst_1") as events:
            async for event in events:
                names.append(type(event).__name__)
        return page, run, names, client.sleeps

    transport = v2.HttpxAsyncTransport(httpx.AsyncClient())
    page, run, names, sleeps = run_async(v2, base_url, body, transport=transport)
    assert page.object == "list" and sleeps[0] == 1.0
    assert run.status == "requires_action" and names[0] == "ThreadRunCreatedEvent"
    assert state.requests[0].headers["user-agent"].startswith("runmodels-client/")
