"""The async client runtime (AsyncBaseClient, AsyncioTransport, HttpxAsyncTransport) over real
sockets against the fake runs server; each test runs its own event loop with `asyncio.run`.

The same requests go through the sync client where the two must agree (request shape, SSE
events, retry decisions), so the two cannot drift.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_runs_server import FakeState, frame, start_fake_server
from runtime_loader import load_runtime
from test_http_runtime import Client, strict_sleep
from test_http_safety import certificate  # noqa: F401 (a fixture)

h = load_runtime()
T = TypeVar("T")


class AsyncClient(h.AsyncBaseClient):  # type: ignore[misc,name-defined]
    """AsyncBaseClient with recorded (not real) sleeps."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        kwargs.setdefault("api_key", "sk-test")
        kwargs.setdefault("timeout", 5.0)
        super().__init__(base_url, fixed_headers={"OpenAI-Beta": "assistants=v2"}, **kwargs)
        self.sleeps: list[float] = []
        record = strict_sleep(self.sleeps)

        async def sleep(seconds: float) -> None:
            record(seconds)

        self._sleep = sleep


OPEN: list[AsyncClient] = []  # clients made by the running test, closed by `run`


def run(main: Callable[[], Awaitable[T]]) -> T:
    """Run `main` in a new event loop, then close the clients it made (in that loop)."""

    async def closing() -> T:
        try:
            return await main()
        finally:
            while OPEN:
                await OPEN.pop().aclose()

    return asyncio.run(closing())


@pytest.fixture(params=["asyncio", "httpx"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make(base_url: str, kind: str = "asyncio", **kwargs: Any) -> AsyncClient:
    """An async client on the standard-library transport, or on httpx's (made inside the
    loop that uses it)."""
    if kind == "httpx":
        httpx = pytest.importorskip("httpx")
        kwargs["transport"] = h.HttpxAsyncTransport(httpx.AsyncClient())
    client = AsyncClient(base_url, **kwargs)
    OPEN.append(client)
    return client


def new_thread(state: FakeState) -> str:
    return str(state.create_thread()["id"])


def test_json_request_shape_matches_the_sync_client(server: tuple[str, FakeState],
                                                    transport: str) -> None:
    base_url, state = server
    tid = new_thread(state)
    body = {"assistant_id": "asst_1", "metadata": {"k": "é"}}
    Client(base_url)._request_json("POST", f"threads/{tid}/runs", body=body)
    sync = state.requests[-1]

    async def go() -> Any:
        client = make(base_url, transport)
        return await client._request_json("POST", f"threads/{tid}/runs", body=body)

    data, headers = run(go)
    rec = state.requests[-1]
    assert data["object"] == "thread.run" and data["metadata"] == {"k": "é"}
    assert headers["X-Request-ID"].startswith("req_")
    assert (rec.method, rec.path, rec.raw_body) == (sync.method, sync.path, sync.raw_body)
    for name in ("authorization", "openai-beta", "content-type", "accept", "user-agent"):
        assert rec.headers[name] == sync.headers[name], name


def test_get_with_query_and_error_mapping(server: tuple[str, FakeState],
                                          transport: str) -> None:
    base_url, state = server
    tid = new_thread(state)

    async def go() -> None:
        client = make(base_url, transport)
        page = await client._request_json("GET", f"threads/{tid}/runs",
                                          query={"limit": 2, "order": "asc"})
        assert page.data["object"] == "list" and page.data["data"] == []
        with pytest.raises(h.NotFoundError) as info:
            await client._request_json("GET", f"threads/{tid}/runs/run_missing")
        assert info.value.status_code == 404 and info.value.request_id.startswith("req_")

    run(go)
    assert state.requests[0].query == {"limit": ["2"], "order": ["asc"]}


def test_retry_after_is_honoured_then_succeeds(server: tuple[str, FakeState],
                                               transport: str) -> None:
    base_url, state = server
    tid = new_thread(state)
    state.fail(429, headers={"Retry-After": "2"})
    state.fail(503)

    async def go() -> tuple[Any, list[float]]:
        client = make(base_url, transport)
        result = await client._request_json("GET", f"threads/{tid}/runs")
        return result.data, client.sleeps

    data, sleeps = run(go)
    assert data["object"] == "list"
    assert sleeps[0] == 2.0 and 0.375 <= sleeps[1] <= 1.0  # Retry-After, then backoff n=1
    assert len(state.requests) == 3


def test_post_is_not_resent_without_an_idempotency_key(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    tid = new_thread(state)
    state.fail(500, count=3)

    async def go(key: str | None) -> Any:
        client = make(base_url)
        return await client._request_json("POST", f"threads/{tid}/runs",
                                          body={"assistant_id": "a"}, idempotency_key=key)

    with pytest.raises(h.InternalServerError):
        run(lambda: go(None))
    assert len(state.requests) == 1
    state.requests.clear()
    state.faults.clear()
    state.fail(500, count=2)
    assert run(lambda: go("key-1")).data["status"] == "queued"
    assert [r.headers["idempotency-key"] for r in state.requests] == ["key-1"] * 3


def test_connect_failure_is_retried_even_for_post() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def go() -> AsyncClient:
        client = make(f"http://127.0.0.1:{port}/v1", max_retries=2)
        with pytest.raises(h.APIConnectionError) as info:
            await client._request_json("POST", "threads", body={})
        assert info.value.sent is False
        return client

    assert len(run(go).sleeps) == 2


def test_sse_events_match_the_sync_client(server: tuple[str, FakeState],
                                          transport: str) -> None:
    base_url, state = server
    tid = new_thread(state)
    body = {"assistant_id": "asst_1", "stream": True}
    sync = [(e.event, e.json()["object"]) for e in
            Client(base_url)._stream("POST", f"threads/{tid}/runs", body=body)
            if e.data != "[DONE]"]

    async def go() -> list[tuple[str | None, str]]:
        client = make(base_url, transport)
        events = await client._stream("POST", f"threads/{tid}/runs", body=body)
        out = []
        async with events:
            async for sse in events:
                if sse.data != "[DONE]":
                    out.append((sse.event, sse.json()["object"]))
        return out

    events = run(go)
    assert events == sync
    assert events[0] == ("thread.run.created", "thread.run") and len(events) >= 3
    assert state.requests[-1].headers["accept"] == "text/event-stream"


def test_sse_error_event_and_limits(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    tid = new_thread(state)
    state.sse_frames = [frame("thread.run.created", {"id": "run_1"}),
                        frame("error", {"error": {"message": "boom", "type": "server_error"}})]

    async def go() -> None:
        client = make(base_url)
        events = await client._stream("POST", f"threads/{tid}/runs",
                                      body={"assistant_id": "a", "stream": True})
        assert (await events.__anext__()).event == "thread.run.created"
        with pytest.raises(h.APIError) as info:
            await events.__anext__()
        assert info.value.message == "boom"
        small = make(base_url, limits=h.Limits(max_sse_line_size=16))
        events = await small._stream("POST", f"threads/{tid}/runs",
                                     body={"assistant_id": "a", "stream": True})
        with pytest.raises(h.ResponseTooLargeError):
            await events.__anext__()

    run(go)


def test_total_deadline_bounds_a_slow_response(server: tuple[str, FakeState],
                                               transport: str) -> None:
    base_url, state = server
    state.slow(3.0)

    async def go() -> None:
        client = make(base_url, transport, timeout=0.5, max_retries=0)
        with pytest.raises(h.APITimeoutError):
            await client._request_json("GET", "threads/x/runs")

    start = time.monotonic()
    run(go)
    assert time.monotonic() - start < 2.5


def test_trickled_body_cannot_outlive_the_deadline(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    state.trickle(b'{"object": "list", "data": []}', 0.1, whole=True)

    async def go() -> None:
        client = make(base_url, timeout=1.0, max_retries=0)
        with pytest.raises(h.APITimeoutError):
            await client._request_json("GET", "threads/x/runs")

    start = time.monotonic()
    run(go)
    assert time.monotonic() - start < 2.5


def test_bodies_are_bounded_chunked_or_not(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    tid = new_thread(state)
    state.endless(b"[1, " * 1024)  # chunked, never ending

    async def go() -> None:
        client = make(base_url, limits=h.Limits(max_response_size=10_000), max_retries=0)
        with pytest.raises(h.ResponseTooLargeError):
            await client._request_json("GET", f"threads/{tid}/runs")
        with pytest.raises(h.ResponseTooLargeError):  # Content-Length framed
            await make(base_url, limits=h.Limits(max_response_size=10))._request_json(
                "GET", f"threads/{tid}/runs")

    run(go)


def test_redirects_follow_the_sync_rules(server: tuple[str, FakeState], transport: str) -> None:
    base_url, state = server
    tid = new_thread(state)
    state.fail(307, headers={"Location": f"/v1/threads/{tid}/runs"}, body="")

    async def go() -> None:
        client = make(base_url, transport)
        assert (await client._request_json("GET", "threads/old/runs")).data["object"] == "list"
        state.fail(307, headers={"Location": "http://elsewhere.invalid/"}, body="")
        with pytest.raises(h.APIRedirectError) as info:
            await client._request_json("GET", f"threads/{tid}/runs")
        assert info.value.location == "http://elsewhere.invalid/"

    run(go)
    assert [r.path for r in state.requests[:2]] == ["/v1/threads/old/runs",
                                                    f"/v1/threads/{tid}/runs"]


def test_dropped_connection_is_a_connection_error(server: tuple[str, FakeState],
                                                  transport: str) -> None:
    base_url, state = server
    state.drop_connection(3)

    async def go() -> AsyncClient:
        client = make(base_url, transport, max_retries=2)
        with pytest.raises(h.APIConnectionError) as info:
            await client._request_json("GET", "threads/x/runs")
        assert info.value.sent is True
        return client

    assert len(run(go).sleeps) == 2 and len(state.requests) == 3


def test_pagination_and_polling(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    tid = new_thread(state)
    ids = [state.create_run(tid, {"assistant_id": "a"})["id"] for _ in range(5)]
    state.poll_after_ms = 250

    async def go() -> tuple[list[str], str, list[float]]:
        client = make(base_url)

        async def page(after: str | None) -> tuple[list[str], bool, str | None]:
            query = {"limit": 2, "order": "asc", "after": after}
            data = (await client._request_json("GET", f"threads/{tid}/runs", query=query)).data
            return [r["id"] for r in data["data"]], data["has_more"], data["last_id"]

        seen = [item async for item in client._paginate(page)]

        async def fetch() -> tuple[dict[str, Any], Any]:
            res = await client._request_json("GET", f"threads/{tid}/runs/{ids[0]}")
            return res.data, res.headers

        final = await client._poll(fetch, lambda r: r["status"] == "requires_action")
        return seen, final["status"], client.sleeps

    seen, status, sleeps = run(go)
    assert seen == ids and status == "requires_action"
    assert sleeps == [0.25]  # openai-poll-after-ms, between the two GETs


def test_raw_response_of_an_async_call(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    tid = new_thread(state)
    state.fail(500)

    async def go() -> Any:
        client = make(base_url)

        async def list_runs() -> Any:
            return (await client._request_json("GET", f"threads/{tid}/runs")).data

        client.list_runs = list_runs  # a stand-in for a generated method
        return await client.with_raw_response.list_runs()

    raw = run(go)
    assert raw.status_code == 200 and raw.retries_taken == 1
    assert raw.request_id.startswith("req_") and raw.elapsed.total_seconds() > 0
    assert raw.parse()["object"] == "list" and raw.http_request.method == "GET"


def test_https_with_the_standard_library_transport(
        certificate: tuple[Path, Path]) -> None:  # noqa: F811
    cert, key = certificate
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))
    with start_fake_server(tls=served) as (secure_url, state):
        tid = new_thread(state)

        async def go() -> None:
            client = make(secure_url, transport=h.AsyncioTransport(trusting))
            page = await client._request_json("GET", f"threads/{tid}/runs")
            assert page.data["object"] == "list"
            events = await client._stream("POST", f"threads/{tid}/runs",
                                          body={"assistant_id": "a", "stream": True})
            async with events:
                assert (await events.__anext__()).event == "thread.run.created"
            untrusting = make(secure_url, max_retries=0)  # the system's roots: not this cert
            with pytest.raises(h.APIConnectionError) as info:
                await untrusting._request_json("POST", "threads", body={})
            assert info.value.sent is False  # the handshake failed: nothing was sent

        run(go)
    assert [r.method for r in state.requests] == ["GET", "POST"]


def test_a_redirect_target_that_cannot_be_sent_is_refused(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    state.fail(307, headers={"Location": "/v1/threads/a b"}, body="")

    async def go() -> None:
        client = make(base_url, max_retries=0)
        with pytest.raises(h.APIConnectionError, match="request line"):
            await client._request_json("GET", "threads/x/runs")

    run(go)
    assert len(state.requests) == 1


# ---- the HTTP/1.1 reader against exact bytes -------------------------------------------------

def on_wire(reply: bytes, method: str = "GET", **kwargs: Any) -> Any:
    """Send one request to a server on 127.0.0.1 that answers `reply` verbatim, then closes;
    the decoded JSON body (or the exception raised) and the request bytes it received."""
    received: list[bytes] = []

    async def main() -> Any:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            received.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(reply)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = make(f"http://127.0.0.1:{port}/v1", max_retries=0, **kwargs)
        try:
            return (await client._request_json(method, "things")).data
        except h.APIError as exc:
            return exc
        finally:
            server.close()
            await server.wait_closed()

    return run(main), b"".join(received)


JSON = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def test_wire_framings_of_a_body() -> None:
    chunked = (JSON + b"Transfer-Encoding: chunked\r\n\r\n"
               b"4;name=value\r\n{\"a\"\r\n5\r\n: [1]\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n")
    assert on_wire(chunked)[0] == {"a": [1]}  # extensions ignored, trailers dropped
    assert on_wire(JSON + b"Content-Length: 8, 8\r\n\r\n{\"a\": 1}")[0] == {"a": 1}
    assert on_wire(JSON + b"\r\n{\"until\": \"close\"}")[0] == {"until": "close"}
    interim = b"HTTP/1.1 100 Continue\r\n\r\n" + JSON + b"Content-Length: 2\r\n\r\n{}"
    assert on_wire(interim)[0] == {}
    folded = JSON + b"X-Long: a\r\n  b\r\nContent-Length: 2\r\n\r\n{}"
    assert on_wire(folded)[0] == {}
    assert on_wire(b"HTTP/1.1 204 No Content\r\n\r\n")[0] is None


def test_wire_request_line_and_headers() -> None:
    _, request = on_wire(JSON + b"Content-Length: 2\r\n\r\n{}", "POST")
    head = request.decode("latin-1").split("\r\n")
    assert head[0] == "POST /v1/things HTTP/1.1"
    fields = dict(line.split(": ", 1) for line in head[1:] if line)
    assert fields["Host"].startswith("127.0.0.1:") and fields["Connection"] == "close"
    assert fields["Content-Length"] == "0" and fields["Authorization"] == "Bearer sk-test"


@pytest.mark.parametrize(("reply", "error"), [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", "8 bytes of the body missing"),
    (JSON + b"Content-Length: 2, 3\r\n\r\n{}", "Content-Length"),
    (JSON + b"Content-Length: -1\r\n\r\n{}", "Content-Length"),
    (JSON + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size"),
    (JSON + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n", "CRLF"),
    (JSON + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}", "closed"),
    (b"SPDY/3 200 OK\r\n\r\n", "status line"),
    (b"HTTP/1.1 2x0 OK\r\n\r\n", "status line"),
    (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "header line"),
    (b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 201 + b"\r\n", "headers"),
    (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", "line exceeds"),
    (b"HTTP/1.1 200 OK\r\nContent-Le", "closed"),
], ids=["short", "lengths-differ", "negative-length", "bad-chunk-size", "chunk-without-crlf",
        "chunked-cut", "not-http", "bad-status", "no-colon", "too-many-headers", "huge-header",
        "cut-in-headers"])
def test_wire_malformed_responses_are_errors(reply: bytes, error: str) -> None:
    result, _ = on_wire(reply)
    assert isinstance(result, h.APIConnectionError | h.ResponseTooLargeError), result
    assert error in str(result)


def test_wire_exactly_the_header_limit_is_accepted() -> None:
    limit = load_runtime("_async_transport").MAX_HEADERS
    reply = JSON + b"X-A: b\r\n" * (limit - 2) + b"Content-Length: 2\r\n\r\n{}"
    assert on_wire(reply)[0] == {}
