"""Tests of the client runtime (templates/runtime/) over real sockets against the fake server."""

from __future__ import annotations

import email.utils
import math
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_runs_server import FakeState
from runtime_loader import load_runtime

h = load_runtime()


def strict_sleep(record: list[float]) -> Any:
    """A stand-in for time.sleep that records, and rejects what time.sleep rejects."""

    def sleep(seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"sleep() got {type(seconds).__name__}")
        if math.isnan(seconds) or seconds < 0:
            raise ValueError(f"sleep length must be non-negative, got {seconds}")
        if math.isinf(seconds):
            raise OverflowError("sleep length is too large")
        record.append(seconds)

    return sleep


class Client(h.BaseClient):  # type: ignore[misc,name-defined]
    """BaseClient with recorded (not real) sleeps."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        kwargs.setdefault("api_key", "sk-test")
        kwargs.setdefault("timeout", 5.0)
        super().__init__(base_url, fixed_headers={"OpenAI-Beta": "assistants=v2"}, **kwargs)
        self.sleeps: list[float] = []
        self._sleep = strict_sleep(self.sleeps)


@pytest.fixture
def client(server: tuple[str, FakeState]) -> Client:
    return Client(server[0])


def new_thread(client: Client) -> str:
    """Create a thread with a POST that carries an idempotency key (so it may be retried)."""
    return str(client._request_json("POST", "threads", body={},
                                    idempotency_header="Idempotency-Key").data["id"])


def new_run(client: Client, thread_id: str, **body: Any) -> dict[str, Any]:
    data = client._request_json("POST", f"threads/{thread_id}/runs",
                                body={"assistant_id": "asst_1", **body}).data
    assert isinstance(data, dict)
    return data


# -- plain JSON requests ---------------------------------------------------------------------

def test_success_json_and_request_shape(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    result = client._request_json("POST", f"/threads/{tid}/runs",
                                  body={"assistant_id": "asst_1", "metadata": {"k": "é"}})
    data, headers = result
    assert data["object"] == "thread.run" and data["status"] == "queued"
    assert data["metadata"] == {"k": "é"}
    assert headers["X-Request-ID"].startswith("req_")  # case-insensitive
    assert headers["content-type"] == "application/json"
    rec = state.requests[-1]
    assert (rec.method, rec.path) == ("POST", f"/v1/threads/{tid}/runs")
    assert rec.raw_body == '{"assistant_id":"asst_1","metadata":{"k":"é"}}'.encode()
    assert rec.headers["authorization"] == "Bearer sk-test"
    assert rec.headers["openai-beta"] == "assistants=v2"
    assert rec.headers["content-type"] == "application/json"
    assert rec.headers["accept"] == "application/json"
    assert rec.headers["user-agent"].startswith("runmodels-client/")


def test_no_body_means_no_content_type(client: Client, state: FakeState) -> None:
    client._request_json("GET", f"threads/{new_thread(client)}/runs")
    assert "content-type" not in state.requests[-1].headers


def test_query_encoding(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    run = new_run(client, tid)
    client._request_json("GET", f"threads/{tid}/runs/{run['id']}/steps", query={
        "limit": 3, "order": "asc", "after": None, "include[]": ["a b", None, "c&d"],
        "flag": True, "off": False,
    })
    rec = state.requests[-1]
    assert rec.query == {"limit": ["3"], "order": ["asc"], "include[]": ["a b", "c&d"],
                         "flag": ["true"], "off": ["false"]}


def test_quote_path_param_and_not_found(client: Client, state: FakeState) -> None:
    assert h.quote_path_param("a/b c?#%") == "a%2Fb%20c%3F%23%25"
    assert h.quote_path_param(True) == "true"
    tid = new_thread(client)
    with pytest.raises(h.NotFoundError) as info:
        client._request_json("GET", f"threads/{tid}/runs/{h.quote_path_param('run/x')}")
    assert "'run/x'" in info.value.message
    assert state.requests[-1].path.endswith("/runs/run%2Fx")
    assert client.sleeps == []


def test_env_fallbacks(monkeypatch: pytest.MonkeyPatch, server: tuple[str, FakeState]) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", server[0] + "/")
    c = h.BaseClient(default_base_url="http://unused.invalid", fixed_headers={"OpenAI-Beta":
                                                                            "assistants=v2"})
    assert c.base_url == server[0] and c.api_key == "sk-test"
    assert c._request_json("POST", "threads", body={}).data["object"] == "thread"
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert h.BaseClient(default_base_url="http://x.invalid/v1/").base_url == "http://x.invalid/v1"
    with pytest.raises(ValueError):
        h.BaseClient()


def test_nan_body_is_rejected(client: Client) -> None:
    with pytest.raises(ValueError):
        client._request_json("POST", "threads", body={"x": float("nan")})


# -- error mapping ---------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "cls"), [
    (400, "BadRequestError"), (401, "AuthenticationError"), (403, "PermissionDeniedError"),
    (404, "NotFoundError"), (409, "ConflictError"), (422, "UnprocessableEntityError"),
    (429, "RateLimitError"), (500, "InternalServerError"), (503, "InternalServerError"),
    (418, "APIError"),
])
def test_error_mapping(server: tuple[str, FakeState], status: int, cls: str) -> None:
    base_url, state = server
    client = Client(base_url, max_retries=0)
    body = {"error": {"message": f"boom {status}", "type": "some_type", "param": "p",
                      "code": "some_code"}}
    state.fail(status, body=body, headers={"x-request-id": "req_abc"})
    with pytest.raises(h.APIError) as info:
        client._request_json("GET", "threads/t1/runs")
    err = info.value
    assert type(err) is getattr(h, cls)
    assert (err.status_code, err.message, err.type, err.param, err.code, err.request_id) == (
        status, f"boom {status}", "some_type", "p", "some_code", "req_abc")
    assert err.body is not None and b"boom" in err.body
    assert err.request == f"GET {base_url}/threads/t1/runs"
    assert "req_abc" in str(err) and str(status) in str(err)
    assert len(state.requests) == 1


def test_real_auth_and_beta_errors(server: tuple[str, FakeState]) -> None:
    base_url, _ = server
    with pytest.raises(h.AuthenticationError) as auth:
        Client(base_url, api_key="sk-wrong")._request_json("POST", "threads", body={})
    assert auth.value.code == "invalid_api_key" and "sk-wrong" in auth.value.message
    nobeta = h.BaseClient(base_url, "sk-test")
    with pytest.raises(h.BadRequestError) as beta:
        nobeta._request_json("POST", "threads", body={})
    assert beta.value.code == "invalid_beta" and beta.value.type == "invalid_request_error"
    assert beta.value.param is None


def test_non_json_error_body(client: Client, state: FakeState) -> None:
    client.options = h.ClientOptions(timeout=5.0, max_retries=0)
    state.fail(502, body="<html>Bad gateway</html>")
    with pytest.raises(h.InternalServerError) as info:
        client._request_json("GET", "threads/t/runs")
    assert info.value.message == "<html>Bad gateway</html>"
    assert info.value.type is None and info.value.code is None
    state.fail(400, body={"error": "plain string"})
    with pytest.raises(h.BadRequestError) as info2:
        client._request_json("GET", "threads/t/runs")
    assert info2.value.message == "plain string"


# -- retries ---------------------------------------------------------------------------------

def test_retry_429_honours_retry_after(client: Client, state: FakeState) -> None:
    state.fail(429, count=2, headers={"Retry-After": "3"})
    assert new_thread(client).startswith("thread_")
    assert client.sleeps == [3.0, 3.0]
    assert len(state.requests) == 3


@pytest.mark.parametrize(("headers", "expected"), [
    ({"retry-after-ms": "250"}, 0.25),
    ({"retry-after-ms": "250", "Retry-After": "7"}, 0.25),
    ({"Retry-After": "1.5"}, 1.5),
    ({"Retry-After": "3600"}, 60.0),
    ({"Retry-After": "garbage"}, 0.5),
])
def test_retry_after_variants(client: Client, state: FakeState, headers: dict[str, str],
                              expected: float) -> None:
    client._random = lambda: 0.0
    state.fail(429, headers=headers)
    new_thread(client)
    assert client.sleeps == [expected]


def test_retry_after_http_date(client: Client, state: FakeState) -> None:
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    state.fail(429, headers={"Retry-After": when})
    new_thread(client)
    assert len(client.sleeps) == 1 and 8.0 <= client.sleeps[0] <= 10.0


def test_retry_500_with_backoff_then_success(client: Client, state: FakeState) -> None:
    client._random = lambda: 1.0  # maximal jitter: 25 % shorter
    state.fail(500, count=2)
    new_thread(client)
    assert client.sleeps == [0.375, 0.75]


def test_backoff_is_capped(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url, max_retries=6)
    client._random = lambda: 0.0
    state.fail(503, count=6)
    new_thread(client)
    assert client.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


@pytest.mark.parametrize("status", [408, 409])
def test_retry_408_409(client: Client, state: FakeState, status: int) -> None:
    state.fail(status)
    new_thread(client)
    assert len(client.sleeps) == 1 and len(state.requests) == 2


def test_x_should_retry_header(client: Client, state: FakeState) -> None:
    # the header stops retries but never makes a 4xx retryable (408/409/429 aside)
    for status in (400, 401, 403, 404, 422):
        state.fail(status, headers={"x-should-retry": "true"})
        with pytest.raises(h.APIError):
            new_thread(client)
    assert len(state.requests) == 5 and client.sleeps == []
    state.fail(500, headers={"x-should-retry": "false"})
    with pytest.raises(h.InternalServerError):
        new_thread(client)
    state.fail(429, headers={"x-should-retry": "false"})
    with pytest.raises(h.RateLimitError):
        new_thread(client)
    assert len(state.requests) == 7 and client.sleeps == []


def test_retries_exhausted(client: Client, state: FakeState) -> None:
    state.fail(500, count=3)
    with pytest.raises(h.InternalServerError) as info:
        new_thread(client)
    assert info.value.type == "server_error"
    assert len(state.requests) == 3 and len(client.sleeps) == 2
    state.fail(429, count=3)
    with pytest.raises(h.RateLimitError):
        new_thread(client)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_no_retry_on_other_4xx(client: Client, state: FakeState, status: int) -> None:
    state.fail(status)
    with pytest.raises(h.APIError):
        new_thread(client)
    assert len(state.requests) == 1 and client.sleeps == []


def test_dropped_connection_retried(client: Client, state: FakeState) -> None:
    state.drop_connection(2)
    assert new_thread(client).startswith("thread_")
    assert len(state.requests) == 3 and len(client.sleeps) == 2


def test_dropped_connection_exhausted(client: Client, state: FakeState) -> None:
    state.drop_connection(3)
    with pytest.raises(h.APIConnectionError) as info:
        new_thread(client)
    assert not isinstance(info.value, h.APITimeoutError)
    assert info.value.status_code is None and "POST http://127.0.0.1" in str(info.value)


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = Client(f"http://127.0.0.1:{port}/v1", max_retries=1)
    with pytest.raises(h.APIConnectionError):
        client._request_json("GET", "threads")
    assert len(client.sleeps) == 1


def test_timeout_is_fast(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url, timeout=0.3, max_retries=0)
    state.slow(2.0)
    start = time.monotonic()
    with pytest.raises(h.APITimeoutError) as info:
        new_thread(client)
    assert time.monotonic() - start < 1.5
    assert isinstance(info.value, h.APIConnectionError)


def test_timeout_is_retried(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url, timeout=0.3, max_retries=1)
    state.slow(2.0)
    assert new_thread(client).startswith("thread_")
    assert len(client.sleeps) == 1


def test_malformed_json_names_request(client: Client, state: FakeState) -> None:
    state.malformed_json()
    with pytest.raises(h.APIResponseError) as info:
        client._request_json("GET", "threads/t1/runs/r1")
    assert f"GET {client.base_url}/threads/t1/runs/r1" in str(info.value)
    assert "malformed JSON" in str(info.value)
    assert info.value.body is not None and len(state.requests) == 1


# -- SSE parser ------------------------------------------------------------------------------

def parse(text: str) -> list[tuple[str | None, str, str | None, int | None]]:
    lines = h.split_lines([text.encode()])
    return [(e.event, e.data, e.id, e.retry) for e in h.parse_sse(lines)]


def test_sse_basic_and_multiline() -> None:
    text = "event: a\ndata: one\ndata:two\ndata:  three\n\ndata: x\n\n"
    assert parse(text) == [("a", "one\ntwo\n three", None, None), (None, "x", None, None)]


def test_sse_comments_fields_without_colon_and_unknown_fields() -> None:
    text = ": keep-alive\n\n:comment\ndata\ndata\nfoo: bar\nevent\n\n"
    assert parse(text) == [("", "\n", None, None)]


def test_sse_line_endings_are_equivalent() -> None:
    lf = "event: e\ndata: 1\ndata: 2\n\n: c\ndata: 3\n\n"
    expected = parse(lf)
    assert len(expected) == 2
    assert parse(lf.replace("\n", "\r\n")) == expected
    assert parse(lf.replace("\n", "\r")) == expected
    mixed = "event: e\r\ndata: 1\rdata: 2\n\r\n: c\rdata: 3\r\n\n"
    assert parse(mixed) == expected


def test_sse_id_retry_and_empty_events() -> None:
    text = ("id: 1\nretry: 250\ndata: a\n\n"
            "data: b\n\n"
            "id: bad\0id\nretry: 1x\ndata: c\n\n"
            "id\ndata: d\n\n"
            "event: only-event\n\n"
            "data:\n\n")
    assert parse(text) == [
        (None, "a", "1", 250), (None, "b", "1", None), (None, "c", "1", None),
        (None, "d", "", None), (None, "", "", None),
    ]


def test_sse_final_event_without_blank_line_is_discarded() -> None:
    assert parse("data: a\n\ndata: b\n") == [(None, "a", None, None)]
    assert parse("data: a\n\ndata: b") == [(None, "a", None, None)]


def test_sse_bom_and_utf8() -> None:
    assert parse("\ufeffdata: héllo ✓\n\n") == [(None, "héllo ✓", None, None)]


def test_split_lines_any_chunking() -> None:
    raw = "event: e\r\ndata: é1\rdata: 2\n\r\n: c\r\rdata: 3\r\n\n".encode()
    expected = list(h.split_lines([raw]))
    assert expected == [b"event: e", "data: é1".encode(), b"data: 2", b"", b": c", b"",
                        b"data: 3", b""]
    assert list(h.split_lines(raw[i:i + 1] for i in range(len(raw)))) == expected
    for cut in range(len(raw) + 1):
        assert list(h.split_lines([raw[:cut], raw[cut:]])) == expected, cut


def test_sse_json_errors_name_origin() -> None:
    event = h.ServerSentEvent("thread.run.created", "{bad", origin="POST http://x/runs")
    with pytest.raises(h.APIResponseError) as info:
        event.json()
    assert "POST http://x/runs" in str(info.value) and "thread.run.created" in str(info.value)


# -- SSE over HTTP ---------------------------------------------------------------------------

DEFAULT_EVENTS = [
    "thread.run.created", "thread.run.queued", "thread.run.in_progress",
    "thread.run.step.created", "thread.run.step.delta", "thread.message.delta",
    "thread.run.step.completed", "thread.run.completed", "done",
]


def test_stream_default_sequence(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    with client._stream("POST", f"threads/{tid}/runs",
                        body={"assistant_id": "a", "stream": True}) as stream:
        events = list(stream)
    assert [e.event for e in events] == DEFAULT_EVENTS
    assert events[-1].data == "[DONE]"
    assert events[0].json()["status"] == "queued"
    assert events[-2].json()["status"] == "completed"
    assert state.requests[-1].headers["accept"] == "text/event-stream"
    run_id = events[0].json()["id"]
    assert state.runs[run_id]["status"] == "completed"


def test_stream_submit_tool_outputs(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    run = new_run(client, tid)
    path = f"threads/{tid}/runs/{run['id']}"
    for _ in range(2):
        run = client._request_json("GET", path).data
    assert run["status"] == "requires_action"
    outputs = [{"tool_call_id": c["id"], "output": "42"}
               for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]]
    events = list(client._stream("POST", f"{path}/submit_tool_outputs",
                                 body={"tool_outputs": outputs, "stream": True}))
    assert events[0].event == "thread.run.step.completed"
    assert events[-2].event == "thread.run.completed" and events[-1].event == "done"


def test_stream_custom_raw_frames(client: Client, state: FakeState) -> None:
    state.sse_frames = [
        ": ping\r\n\r\n",
        "event: thread.run.created\r\ndata: {\"id\":",
        " \"run_1\"}\r\n\r",
        "\nevent: thread.run.step.delta\rdata: {\"a\":\rdata: 1}\r\r",
        "event: unknown.future.event\nid: 7\ndata: {}\n\n",
        "event: done\ndata: [DONE]\n\n",
        "data: trailing-without-blank-line\n",
    ]
    tid = new_thread(client)
    events = list(client._stream("POST", f"threads/{tid}/runs",
                                 body={"assistant_id": "a", "stream": True}))
    assert [(e.event, e.data, e.id) for e in events] == [
        ("thread.run.created", '{"id": "run_1"}', None),
        ("thread.run.step.delta", '{"a":\n1}', None),
        ("unknown.future.event", "{}", "7"),
        ("done", "[DONE]", "7"),
    ]
    assert events[1].json() == {"a": 1}


def test_stream_error_event_raises(client: Client, state: FakeState) -> None:
    state.sse_fault = "error"
    tid = new_thread(client)
    stream = client._stream("POST", f"threads/{tid}/runs",
                            body={"assistant_id": "a", "stream": True})
    seen = []
    with pytest.raises(h.APIError) as info:
        for event in stream:
            seen.append(event.event)
    assert seen == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert info.value.type == "server_error" and info.value.code == "server_error"
    assert "server had an error" in info.value.message
    assert f"POST {client.base_url}/threads/{tid}/runs" in str(info.value)


def test_stream_error_event_passthrough(client: Client, state: FakeState) -> None:
    state.sse_fault = "error"
    tid = new_thread(client)
    events = list(client._stream("POST", f"threads/{tid}/runs", raise_on_error=False,
                                 body={"assistant_id": "a", "stream": True}))
    assert events[-1].event == "error" and events[-1].json()["type"] == "server_error"


def test_stream_malformed_frame(client: Client, state: FakeState) -> None:
    state.sse_fault = "malformed"
    tid = new_thread(client)
    events = list(client._stream("POST", f"threads/{tid}/runs",
                                 body={"assistant_id": "a", "stream": True}))
    bad = next(e for e in events if e.event == "thread.run.step.delta")
    with pytest.raises(h.APIResponseError) as info:
        bad.json()
    assert f"POST {client.base_url}/threads/{tid}/runs" in str(info.value)
    assert "thread.run.step.delta" in str(info.value)


def test_stream_retries_before_first_byte(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    state.fail(500)
    state.drop_connection()
    events = list(client._stream("POST", f"threads/{tid}/runs", idempotency_header="Idem-Key",
                                 body={"assistant_id": "a", "stream": True}))
    assert [e.event for e in events] == DEFAULT_EVENTS and len(client.sleeps) == 2
    keys = {r.headers["idem-key"] for r in state.requests[-3:]}
    assert len(keys) == 1 and keys.pop().startswith("runmodels-")


def test_stream_http_error_is_mapped(client: Client, state: FakeState) -> None:
    with pytest.raises(h.NotFoundError):
        client._stream("POST", "threads/nope/runs", body={"assistant_id": "a", "stream": True})


def test_stream_rejects_non_event_stream(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    with pytest.raises(h.APIResponseError) as info:
        client._stream("POST", f"threads/{tid}/runs", body={"assistant_id": "a"})
    assert "text/event-stream" in str(info.value) and info.value.status_code == 200


def test_stream_is_incremental_and_closable(client: Client, state: FakeState) -> None:
    state.sse_frames = [f"data: {i}\n\n" for i in range(5)]
    state.sse_frame_delay = 0.15
    tid = new_thread(client)
    stream = client._stream("POST", f"threads/{tid}/runs",
                            body={"assistant_id": "a", "stream": True})
    first = next(stream)
    assert first.data == "0" and state.sse_frames_sent < 5  # seen before the server finished
    stream.close()
    with pytest.raises(StopIteration):
        next(stream)


# -- pagination and polling ------------------------------------------------------------------

def test_paginate_lazily(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    created = [new_run(client, tid)["id"] for _ in range(7)]
    pages: list[str | None] = []

    def fetch(after: str | None) -> tuple[list[dict[str, Any]], bool, str | None]:
        pages.append(after)
        data = client._request_json("GET", f"threads/{tid}/runs",
                                    query={"limit": 2, "order": "asc", "after": after}).data
        assert data["object"] == "list" and data["first_id"] == data["data"][0]["id"]
        return data["data"], data["has_more"], data["last_id"]

    items = client._paginate(fetch)
    assert pages == []
    got = [next(items)["id"], next(items)["id"]]
    assert pages == [None]
    got.append(next(items)["id"])
    assert pages == [None, created[1]]
    got.extend(item["id"] for item in items)
    assert got == created
    assert pages == [None, created[1], created[3], created[5]]
    assert [r.query.get("after") for r in state.requests[-4:]] == [
        None, [created[1]], [created[3]], [created[5]]]


def test_paginate_stops_on_stuck_cursor(client: Client) -> None:
    calls: list[str | None] = []

    def fetch(after: str | None) -> tuple[list[int], bool, str | None]:
        calls.append(after)
        return [1], True, "same"

    items = client._paginate(fetch)
    assert [next(items), next(items)] == [1, 1]
    with pytest.raises(h.APIResponseError) as info:
        next(items)
    assert "'same'" in str(info.value) and calls == [None, "same"]


def test_poll_honours_poll_after_header(client: Client, state: FakeState) -> None:
    state.poll_after_ms = 250
    tid = new_thread(client)
    run = new_run(client, tid)
    path = f"threads/{tid}/runs/{run['id']}"

    def fetch() -> tuple[dict[str, Any], Any]:
        return tuple(client._request_json("GET", path))

    def done(r: dict[str, Any]) -> bool:
        return r["status"] not in ("queued", "in_progress", "cancelling")

    run = client._poll(fetch, done, interval=5.0, timeout=30.0)
    assert run["status"] == "requires_action" and client.sleeps == [0.25]
    outputs = [{"tool_call_id": c["id"], "output": "ok"}
               for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]]
    client._request_json("POST", f"{path}/submit_tool_outputs", body={"tool_outputs": outputs})
    state.poll_after_ms = None
    client.sleeps.clear()
    run = client._poll(fetch, done, interval=0.5)
    assert run["status"] == "completed" and client.sleeps == []
    steps = client._request_json("GET", f"{path}/steps", query={"order": "asc"}).data["data"]
    assert [s["type"] for s in steps] == ["tool_calls", "message_creation"]
    assert all(s["status"] == "completed" for s in steps)


def test_poll_uses_interval_without_header(client: Client) -> None:
    values = iter([1, 2, 3])
    assert client._poll(lambda: (next(values), {}), lambda v: v == 3, interval=0.2) == 3
    assert client.sleeps == [0.2, 0.2]


def test_poll_timeout(server: tuple[str, FakeState]) -> None:
    client = h.BaseClient(server[0], "sk-test")
    start = time.monotonic()
    with pytest.raises(h.PollTimeoutError) as info:
        client._poll(lambda: ("pending", {"OpenAI-Poll-After-Ms": "30"}), lambda v: False,
                     interval=10.0, timeout=0.2)
    assert time.monotonic() - start < 1.0
    assert isinstance(info.value, h.APITimeoutError) and info.value.last == "pending"


def test_cancel_and_modify(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    run = new_run(client, tid)
    path = f"threads/{tid}/runs/{run['id']}"
    modified = client._request_json("POST", path, body={"metadata": {"a": "b"}}).data
    assert modified["metadata"] == {"a": "b"}
    assert client._request_json("POST", f"{path}/cancel").data["status"] == "cancelling"
    assert client._request_json("GET", path).data["status"] == "cancelled"
    with pytest.raises(h.BadRequestError):
        client._request_json("POST", f"{path}/cancel")
    created = client._request_json("POST", "threads/runs",
                                   body={"assistant_id": "a", "thread": {}}).data
    assert created["thread_id"] in state.threads
