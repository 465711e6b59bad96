"""The HTTP runtime against hostile and broken servers, over real sockets on 127.0.0.1.

Redirects to a second server, keys and headers that must not leak, writes that must not be
duplicated, slow, endless and oversized bodies (the memory-bound ones in a child process under
an address-space limit), hostile retry and poll headers, cursor cycles, dot-segment and empty
path parameters, and base URLs that cannot be an API root.
"""

from __future__ import annotations

import email.utils
import http.client
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_runs_server import FakeState, start_fake_server
from runtime_loader import CHILD_PRELUDE, load_runtime
from test_http_runtime import Client, h, new_thread

KEY = "sk-test"


@pytest.fixture
def client(server: tuple[str, FakeState]) -> Client:
    return Client(server[0])


@pytest.fixture
def other() -> Iterator[tuple[str, FakeState]]:
    """A second server, on another port: where hostile redirects point."""
    with start_fake_server() as pair:
        yield pair


def post_thread(client: Client) -> Any:
    """A POST without an idempotency key."""
    return client._request_json("POST", "threads", body={})


# ---- redirects -----------------------------------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_cross_origin_redirect_is_not_followed(client: Client, state: FakeState,
                                               other: tuple[str, FakeState], status: int,
                                               method: str) -> None:
    target = f"{other[0]}/threads"
    state.fail(status, headers={"Location": target}, body="")
    with pytest.raises(h.APIRedirectError) as info:
        client._request_json(method, "threads", body={} if method == "POST" else None)
    assert info.value.location == target and target in str(info.value)
    assert info.value.status_code == status
    assert other[1].requests == []  # the key never reached the other port
    assert len(state.requests) == 1 and client.sleeps == []


def test_same_origin_307_308_followed_with_method_and_body(client: Client,
                                                           state: FakeState) -> None:
    state.fail(307, headers={"Location": "/v1/threads"}, body="")
    state.fail(308, headers={"Location": f"{client.base_url}/threads"}, body="")
    thread = client._request_json("POST", "elsewhere", body={"metadata": {"k": "v"}}).data
    assert thread["metadata"] == {"k": "v"}
    assert [(r.method, r.path, r.raw_body) for r in state.requests] == [
        ("POST", "/v1/elsewhere", b'{"metadata":{"k":"v"}}'),
        ("POST", "/v1/threads", b'{"metadata":{"k":"v"}}'),
        ("POST", "/v1/threads", b'{"metadata":{"k":"v"}}'),
    ]
    assert state.requests[-1].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("status", [301, 302, 303])
def test_same_origin_method_changing_redirect_is_refused(client: Client, state: FakeState,
                                                         status: int) -> None:
    state.fail(status, headers={"Location": "/v1/threads"}, body="")
    with pytest.raises(h.APIRedirectError) as info:
        client._request_json("POST", "threads/t/runs/r/cancel")
    assert "307/308" in str(info.value) and len(state.requests) == 1


def test_redirect_loop_is_bounded(client: Client, state: FakeState) -> None:
    state.fail(307, count=10, headers={"Location": "/v1/loop"}, body="")
    with pytest.raises(h.APIRedirectError) as info:
        client._request_json("GET", "loop")
    assert "redirects" in str(info.value) and len(state.requests) == load_runtime("_policy").MAX_REDIRECTS + 1


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed: no certificate for an https server")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_https_is_never_downgraded(certificate: tuple[Path, Path],
                                   other: tuple[str, FakeState]) -> None:
    cert, key = certificate
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))
    with start_fake_server(tls=served) as (secure_url, state):
        client = Client(secure_url, transport=h.UrllibTransport(trusting))
        state.fail(307, headers={"Location": f"{secure_url}/threads"}, body="")
        assert post_thread(client).data["object"] == "thread"  # same origin: followed
        other_port = other[0].split(":")[2]  # "<port>/v1"
        for target in (other[0] + "/threads",  # http, another port
                       f"https://127.0.0.1:{other_port}/threads",  # https, another port
                       secure_url.replace("https:", "http:") + "/threads"):  # downgrade only
            state.fail(308, headers={"Location": target}, body="")
            with pytest.raises(h.APIRedirectError) as info:
                post_thread(client)
            assert "origin" in str(info.value) and info.value.location == target
        assert other[1].requests == [] and len(state.requests) == 5


def test_scheme_change_is_another_origin(server: tuple[str, FakeState]) -> None:
    port = server[0].split(":")[2].split("/")[0]
    secure = Client(f"https://127.0.0.1:{port}/v1")
    assert "origin" in secure._unfollowed(307, f"http://127.0.0.1:{port}/v1/x", 0)
    assert "origin" in secure._unfollowed(307, f"https://127.0.0.1:{int(port) + 1}/v1", 0)
    assert secure._unfollowed(307, f"https://127.0.0.1:{port}/v1/x", 0) == ""
    assert "origin" in Client(server[0])._unfollowed(307, f"https://127.0.0.1:{port}/v1", 0)


# ---- secrets -------------------------------------------------------------------------------

def test_key_with_surrounding_whitespace_is_stripped(server: tuple[str, FakeState]) -> None:
    client = Client(server[0], api_key=f"  {KEY}\n")
    assert client.api_key == KEY
    new_thread(client)
    assert server[1].requests[-1].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("key", ["sk-se\x00cret", "sk-se\ncret", "sk-se\r\nX-A: bcret",
                                 "sk-séecret", "sk-se\u2028cret", "sk-se\x7fcret"])
def test_unsendable_key_is_refused_without_showing_it(server: tuple[str, FakeState],
                                                      key: str) -> None:
    with pytest.raises(h.ClientValueError) as info:
        Client(server[0], api_key=key)
    assert "secret" not in str(info.value) and "sk-se" not in str(info.value)
    assert "api_key" in str(info.value) and isinstance(info.value, ValueError)
    assert server[1].requests == []


def test_missing_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch,
                                           server: tuple[str, FakeState]) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(h.ClientValueError) as info:
        h.BaseClient(server[0])
    assert "OPENAI_API_KEY" in str(info.value)
    monkeypatch.setenv("OPENAI_API_KEY", "")
    with pytest.raises(h.ClientValueError):
        h.BaseClient(server[0])
    monkeypatch.setenv("OPENAI_API_KEY", f"{KEY}\n")
    assert h.BaseClient(server[0]).api_key == KEY
    server[1].api_key = None  # an API without keys: api_key="" sends no Authorization
    keyless = h.BaseClient(server[0], "", fixed_headers={"OpenAI-Beta": "assistants=v2"})
    keyless._request_json("POST", "threads", body={})
    assert "authorization" not in server[1].requests[-1].headers


def test_key_not_in_repr_or_errors(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url, max_retries=0, timeout=0.5)
    request = client._build_request("POST", "threads", None, {}, False,
                                    {"X-Api-Key": "sk-other", "Cookie": "s=sk-c"})
    shown = repr(request)
    assert KEY not in shown and "sk-other" not in shown and "sk-c" not in shown
    assert "<redacted>" in shown and "threads" in shown
    assert KEY not in repr(client) and KEY not in repr(client.options)
    errors = []
    for fault in (lambda: state.fail(500), state.drop_connection, state.reset,
                  lambda: state.slow(2.0), lambda: state.fail(307, headers={"Location": "http://elsewhere.invalid/"})):
        fault()
        with pytest.raises(h.APIError) as info:
            post_thread(client)
        errors.append(info.value)
    assert [type(e).__name__ for e in errors] == [
        "InternalServerError", "APIConnectionError", "APIConnectionError", "APITimeoutError",
        "APIRedirectError"]
    assert all(KEY not in str(e) and KEY not in repr(e) for e in errors)


@pytest.mark.parametrize(("headers", "what"), [
    ({"X-Note": "a\r\nInjected: 1"}, "line break"),
    ({"X-Note": "a\nb"}, "line break"),
    ({"X-Note": "caf\u00e9 \u2713"}, "Latin-1"),
    ({"Bad Name": "v"}, "token"),
    ({"X-Note:": "v"}, "token"),
])
def test_bad_extra_headers_raise_the_package_error(client: Client, state: FakeState,
                                                   headers: dict[str, str], what: str) -> None:
    with pytest.raises(h.ClientValueError) as info:
        client._request_json("GET", "threads", headers=headers)
    assert what in str(info.value) and state.requests == []


def test_bad_credential_header_value_is_not_shown(client: Client) -> None:
    with pytest.raises(h.ClientValueError) as info:
        client._request_json("GET", "threads", headers={"X-Api-Key": "sk-\u2713secret"})
    assert "secret" not in str(info.value) and "hidden" in str(info.value)


def test_latin1_header_value_is_sent(client: Client, state: FakeState) -> None:
    client._request_json("POST", "threads", body={}, headers={"X-Note": "caf\u00e9"})
    assert state.requests[-1].headers["x-note"] == "caf\u00e9"  # decoded as Latin-1


# ---- retries that cannot duplicate work ----------------------------------------------------

@pytest.mark.parametrize("fault", ["reset", "drop"])
def test_post_that_reached_the_server_is_not_resent(client: Client, state: FakeState,
                                                    fault: str) -> None:
    getattr(state, {"reset": "reset", "drop": "drop_connection"}[fault])(3)
    with pytest.raises(h.APIConnectionError) as info:
        post_thread(client)
    assert info.value.sent is True
    assert len(state.requests) == 1 and state.requests[0].raw_body == b"{}"
    assert client.sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 409, 429])
def test_post_answered_with_a_failure_is_not_resent(client: Client, state: FakeState,
                                                    status: int) -> None:
    state.fail(status, headers={"x-should-retry": "true"})
    with pytest.raises(h.APIError) as info:
        post_thread(client)
    assert info.value.status_code == status and len(state.requests) == 1


def test_keyed_post_answered_with_a_failure_is_resent(client: Client,
                                                     state: FakeState) -> None:
    state.fail(429, headers={"Retry-After": "0"})
    state.fail(503)
    assert new_thread(client).startswith("thread_")
    assert len(state.requests) == 3 and client.sleeps[0] == 0.0


def test_post_that_never_left_is_retried() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens here once closed
    client = Client(f"http://127.0.0.1:{port}/v1")
    with pytest.raises(h.APIConnectionError) as info:
        post_thread(client)
    assert info.value.sent is False and len(client.sleeps) == 2


def test_get_that_was_reset_is_retried(client: Client, state: FakeState) -> None:
    tid = new_thread(client)
    state.reset(2)
    client._request_json("GET", f"threads/{tid}/runs")
    assert [r.method for r in state.requests] == ["POST", "GET", "GET", "GET"]


def test_idempotency_key_is_reused_across_retries_only(client: Client,
                                                       state: FakeState) -> None:
    state.reset(2)
    new_thread(client)
    state.fail(500)
    new_thread(client)
    keys = [r.headers["idempotency-key"] for r in state.requests]
    assert len(keys) == 5 and keys[0] == keys[1] == keys[2] and keys[3] == keys[4]
    assert keys[0] != keys[3] and all(k.startswith("runmodels-") for k in keys)
    assert len(state.threads) == 2


def test_caller_key_is_kept_and_keys_can_be_turned_off(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url)
    state.reset()
    client._request_json("POST", "threads", body={}, idempotency_header="Idempotency-Key",
                         headers={"idempotency-key": "mine"})
    assert [r.headers["idempotency-key"] for r in state.requests] == ["mine", "mine"]
    off = Client(base_url, idempotency_keys=False)
    state.reset()
    with pytest.raises(h.APIConnectionError):
        off._request_json("POST", "threads", body={}, idempotency_header="Idempotency-Key")
    assert "idempotency-key" not in state.requests[-1].headers and len(state.requests) == 3
    got = off._build_request("GET", "x", None, None, False, None, "Idempotency-Key")
    assert "Idempotency-Key" not in got.headers  # only non-idempotent methods get one


# ---- time bounds ---------------------------------------------------------------------------

def elapsed(call: Any) -> tuple[float, BaseException]:
    start = time.monotonic()
    with pytest.raises(h.APIError) as info:
        call()
    return time.monotonic() - start, info.value


@pytest.mark.parametrize("whole", [False, True])
def test_trickling_answer_hits_the_total_deadline(server: tuple[str, FakeState],
                                                  whole: bool) -> None:
    base_url, state = server
    client = Client(base_url, timeout=1.0, max_retries=0)
    state.trickle(b'{"object": "list", "data": []}' * 10, 0.2, whole=whole)
    took, err = elapsed(lambda: client._request_json("GET", "threads/t/runs"))
    assert isinstance(err, h.APITimeoutError) and 0.9 <= took < 2.0, took
    assert "deadline" in str(err)


class HttpClientTransport:
    """A transport of one's own over http.client that knows nothing of deadlines."""

    def send(self, request: Any, *, timeout: float, stream: bool) -> Any:
        split = urllib.parse.urlsplit(request.url)
        conn = http.client.HTTPConnection(split.hostname, split.port, timeout=timeout)
        conn.request(request.method, split.path, body=request.body, headers=request.headers)
        reply = conn.getresponse()
        return h.Response(reply.status, reply.getheaders(), reply, request=request)


def test_deadline_holds_with_a_transport_that_ignores_it(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url, timeout=1.0, max_retries=0, transport=HttpClientTransport())
    state.trickle(b"x" * 40, 0.2)
    took, err = elapsed(lambda: client._request_json("GET", "threads/t/runs"))
    assert isinstance(err, h.APITimeoutError) and took < 2.0, took


def test_stream_headers_are_within_the_deadline(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url, timeout=1.0, max_retries=0)
    state.trickle(b"data: x\n\n" * 10, 0.2, whole=True)
    took, err = elapsed(lambda: client._stream("POST", "threads/t/runs", body={}))
    assert isinstance(err, h.APITimeoutError) and took < 2.0, took


def test_read_timeout_is_separate_from_the_deadline(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url, timeout=10.0, read_timeout=0.3, max_retries=0)
    state.slow(2.0)
    took, err = elapsed(lambda: client._request_json("GET", "threads/t/runs"))
    assert isinstance(err, h.APITimeoutError) and took < 1.0
    patient = Client(base_url, timeout=1.0, read_timeout=5.0, max_retries=0)
    state.trickle(b"x" * 40, 0.3)
    took, err = elapsed(lambda: patient._request_json("GET", "threads/t/runs"))
    assert isinstance(err, h.APITimeoutError) and took < 2.0


def test_a_stream_waits_read_timeout_between_chunks(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    state.sse_frames = [f"data: {i}\n\n" for i in range(3)]
    state.sse_frame_delay = 0.4  # each longer than the deadline, all together far longer
    client = Client(base_url, timeout=0.3, read_timeout=2.0)
    body = {"assistant_id": "a", "stream": True}
    path = f"threads/{new_thread(client)}/runs"
    assert [e.data for e in client._stream("POST", path, body=body)] == ["0", "1", "2"]
    stalled = Client(base_url, timeout=5.0, read_timeout=0.2, max_retries=0)
    with pytest.raises(h.APITimeoutError):
        list(stalled._stream("POST", path, body=body))


def test_per_call_timeout_overrides_the_deadline(client: Client, state: FakeState) -> None:
    state.trickle(b"x" * 40, 0.2)
    took, err = elapsed(lambda: client._request_json("POST", "threads", timeout=0.5))
    assert isinstance(err, h.APITimeoutError) and took < 1.5


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_unusable_timeouts_are_refused(server: tuple[str, FakeState], bad: float) -> None:
    with pytest.raises(h.ClientValueError):
        Client(server[0], timeout=bad)
    with pytest.raises(h.ClientValueError):
        Client(server[0], read_timeout=bad)
    with pytest.raises(h.ClientValueError):
        Client(server[0])._request_json("GET", "threads", timeout=bad)


# ---- size bounds ---------------------------------------------------------------------------

def test_size_limits_at_the_boundary(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    body = b'{"object": "list", "data": [], "pad": "' + b"x" * 100 + b'"}'
    for limit, ok in ((len(body), True), (len(body) + 1, True), (len(body) - 1, False)):
        client = Client(base_url, max_retries=0, limits=h.Limits(max_response_size=limit))
        state.fail(200, body=body)
        if ok:
            assert client._request_json("GET", "threads/t/runs").data["object"] == "list"
        else:
            with pytest.raises(h.ResponseTooLargeError) as info:
                client._request_json("GET", "threads/t/runs")
            assert str(limit) in str(info.value) and "GET" in str(info.value)


def test_error_bodies_are_cut_at_their_limit(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url, max_retries=0, limits=h.Limits(max_error_size=10))
    state.fail(500, body="0123456789abcdef")
    with pytest.raises(h.InternalServerError) as info:
        client._request_json("GET", "threads/t/runs")
    assert info.value.body == b"0123456789"


def test_sse_line_and_event_limits_at_the_boundary() -> None:
    line = b"data: " + b"x" * 94  # 100 bytes
    assert list(h.split_lines([line + b"\n"], 100)) == [line]
    assert list(h.split_lines([line[:50], line[50:], b"\r\n"], 100)) == [line]
    for chunks in ([line + b"y\n"], [line, b"y"], [line[:60], line[60:] + b"y", b"\n"]):
        with pytest.raises(h.ResponseTooLargeError):
            list(h.split_lines(chunks, 100))
    event = [b"data: " + b"x" * 9] * 10  # 10 data lines of 9 bytes: 100 with the newlines
    assert len(list(h.parse_sse([*event, b""], max_event_size=100))) == 1
    with pytest.raises(h.ResponseTooLargeError):
        list(h.parse_sse([*event, b"data: ", b""], max_event_size=100))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, None])
def test_limits_must_be_positive_ints(bad: Any) -> None:
    with pytest.raises(h.ClientValueError):
        h.Limits(max_sse_line_size=bad)


CHILD = """
import resource
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
{prelude}
client = h.BaseClient({base_url!r}, "sk-test", timeout=20.0, max_retries=0,
                      fixed_headers={{"OpenAI-Beta": "assistants=v2"}})
try:
    if {stream!r}:
        for _ in client._stream("POST", "threads/x/runs", body={{"stream": True}}):
            pass
    else:
        client._request_json("GET", "threads/x/runs")
except h.APIError as exc:
    print(type(exc).__name__, len(exc.body or b""))
"""


@pytest.mark.parametrize(("status", "chunk", "ctype", "stream", "expected"), [
    (200, b"[1, " * 4096, "application/json", False, "ResponseTooLargeError 0"),
    (500, b"x" * 16384, "text/html", False, f"InternalServerError {2**20}"),
    (200, b"data: " + b"x" * 16384, "text/event-stream", True, "ResponseTooLargeError 0"),
    (200, b"data: " + b"x" * 16384 + b"\n", "text/event-stream", True,
     "ResponseTooLargeError 0"),
    (200, b"x" * 8191 + b"\r", "text/event-stream", True, "ResponseTooLargeError 0"),
], ids=["json", "error-body", "sse-line", "sse-event", "sse-cr-line"])
def test_endless_bodies_stay_bounded_under_a_memory_limit(
        server: tuple[str, FakeState], status: int, chunk: bytes, ctype: str, stream: bool,
        expected: str) -> None:
    pytest.importorskip("resource", reason="no resource module: no memory limit to run under")
    base_url, state = server
    if chunk.endswith(b"\r"):  # endless CR-terminated lines: an endless event of them
        chunk = b"data: " + chunk
    state.endless(chunk, status=status, content_type=ctype)
    script = CHILD.format(limit=512 * 2**20, prelude=CHILD_PRELUDE, base_url=base_url,
                          stream=stream)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == expected
    assert time.monotonic() - start < 30


# ---- server-supplied delays ----------------------------------------------------------------

def past(seconds: float) -> str:
    return email.utils.formatdate(time.time() - seconds, usegmt=True)


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Retry-After": past(30)}, 0.0),
    ({"Retry-After": past(10**8)}, 0.0),
    ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, 60.0),
    ({"Retry-After": "0"}, 0.0),
    ({"Retry-After": "59.999"}, 59.999),
    ({"Retry-After": "60"}, 60.0),
    ({"Retry-After": "60.001"}, 60.0),
    ({"Retry-After": "1000000000000"}, 60.0),
    ({"Retry-After": "-1"}, 0.5),
    ({"Retry-After": "-0.001"}, 0.5),
    ({"Retry-After": "nan"}, 0.5),
    ({"Retry-After": "inf"}, 0.5),
    ({"Retry-After": "-inf"}, 0.5),
    ({"Retry-After": "1e400"}, 0.5),
    ({"retry-after-ms": "-1", "Retry-After": "2"}, 2.0),
    ({"retry-after-ms": "nan", "Retry-After": "2"}, 2.0),
    ({"retry-after-ms": "inf"}, 0.5),
    ({"retry-after-ms": "60000"}, 60.0),
    ({"retry-after-ms": "60001"}, 60.0),
    ({"retry-after-ms": "1e300"}, 60.0),
    ({"retry-after-ms": "0"}, 0.0),
])
def test_hostile_retry_delays_are_clamped(client: Client, state: FakeState,
                                          headers: dict[str, str], expected: float) -> None:
    client._random = lambda: 0.0
    state.fail(429, headers=headers)
    new_thread(client)
    assert client.sleeps == [pytest.approx(expected, abs=1e-9)]


@pytest.mark.parametrize(("value", "expected"), [
    ("1000000000000", 60.0), ("60000", 60.0), ("60001", 60.0), ("59999", 59.999),
    ("nan", 0.7), ("inf", 0.7), ("-inf", 0.7), ("-1", 0.7), ("garbage", 0.7), ("1e400", 0.7),
    ("0", 0.1), ("99", 0.1), ("100", 0.1), ("101", 0.101),
])
def test_hostile_poll_delays_are_clamped(client: Client, state: FakeState, value: str,
                                         expected: float) -> None:
    state.poll_after_ms = value
    tid = new_thread(client)
    run_id = client._request_json("POST", f"threads/{tid}/runs",
                                  body={"assistant_id": "a"}).data["id"]
    path = f"threads/{tid}/runs/{run_id}"
    client._poll(lambda: tuple(client._request_json("GET", path)),
                 lambda run: run["status"] == "requires_action", interval=0.7)
    assert client.sleeps == [pytest.approx(expected, abs=1e-9)]


@pytest.mark.parametrize("interval", [-1.0, float("nan"), float("inf")])
def test_unusable_poll_interval_is_refused(client: Client, interval: float) -> None:
    with pytest.raises(h.ClientValueError):
        client._poll(lambda: (1, {}), lambda v: False, interval=interval)


# ---- pagination ----------------------------------------------------------------------------

def page(ids: list[str], has_more: bool = True) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": i} for i in ids], "first_id": ids[0],
            "last_id": ids[-1], "has_more": has_more}


def test_cursor_cycle_stops_with_an_error(client: Client, state: FakeState) -> None:
    for ids in (["x", "a"], ["y", "b"], ["z", "a"], ["w", "b"]):
        state.fail(200, body=page(ids))

    def fetch(after: str | None) -> tuple[list[Any], bool, str | None]:
        data = client._request_json("GET", "threads/t/runs", query={"after": after}).data
        return data["data"], data["has_more"], data["last_id"]

    seen = []
    with pytest.raises(h.APIResponseError) as info:
        seen.extend(item["id"] for item in client._paginate(fetch))
    assert seen == ["x", "a", "y", "b", "z", "a"] and "'a'" in str(info.value)
    assert [r.query.get("after") for r in state.requests] == [None, ["a"], ["b"]]


# ---- URLs ----------------------------------------------------------------------------------

def test_path_params_dot_segments_and_empties() -> None:
    assert h.quote_path_param(".") == "%2E" and h.quote_path_param("..") == "%2E%2E"
    assert h.quote_path_param("...") == "..." and h.quote_path_param("a.b") == "a.b"
    assert h.quote_path_param("../x") == "..%2Fx" and h.quote_path_param(0) == "0"
    for bad in ("", None):
        with pytest.raises(h.ClientValueError) as info:
            h.quote_path_param(bad, "run_id")
        assert "'run_id'" in str(info.value)


def test_dot_segment_params_reach_the_server_as_one_segment(client: Client,
                                                            state: FakeState) -> None:
    with pytest.raises(h.NotFoundError):
        client._request_json("POST", f"threads/{h.quote_path_param('..')}/runs/"
                                     f"{h.quote_path_param('.')}/cancel")
    assert state.requests[-1].path == "/v1/threads/%2E%2E/runs/%2E/cancel"


@pytest.mark.parametrize(("url", "what"), [
    ("http://127.0.0.1:1/v1?api-version=1", "default_query"),
    ("http://127.0.0.1:1/v1#frag", "fragment"),
    ("file:///etc/passwd", "http"),
    ("ftp://127.0.0.1/v1", "http"),
    ("127.0.0.1:8000/v1", "http"),
    ("http:///v1", "host"),
    ("http://127.0.0.1:99999/v1", "valid"),
    ("http://127.0.0.1/v 1", "spaces"),
    ("http://exämple.com/v1", "non-ASCII"),
])
def test_unusable_base_urls_are_refused(url: str, what: str) -> None:
    with pytest.raises(h.ClientValueError) as info:
        Client(url)
    assert what in str(info.value)


def test_credentials_in_base_url_are_refused_without_showing_them() -> None:
    with pytest.raises(h.ClientValueError) as info:
        Client("https://user:hunter2@api.example.com/v1")
    assert "hunter2" not in str(info.value) and "credentials" in str(info.value)
    for url in ("https://api.example.com/v1?api-key=hunter2", "ftp://x/v1?key=hunter2#hunter2",
                "https://api.example.com/v1#hunter2", "https://api.example.com/v 1?k=hunter2"):
        with pytest.raises(h.ClientValueError) as info:
            Client(url)
        assert "hunter2" not in str(info.value) and "://" in str(info.value)


def test_base_url_whitespace_is_stripped(server: tuple[str, FakeState]) -> None:
    assert Client(f"  {server[0]}/\n").base_url == server[0]


def test_default_query_goes_into_every_url(server: tuple[str, FakeState]) -> None:
    base_url, state = server
    client = Client(base_url + "/", default_query={"api-version": "2024-10-01", "n": 1})
    tid = new_thread(client)
    client._request_json("GET", f"threads/{tid}/runs", query={"limit": 2, "n": 5})
    assert [r.query for r in state.requests] == [
        {"api-version": ["2024-10-01"], "n": ["1"]},
        {"api-version": ["2024-10-01"], "limit": ["2"], "n": ["5"]}]
    assert client.base_url == base_url

