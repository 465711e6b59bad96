"""The generated client's safety against hostile servers, over real sockets on 127.0.0.1.

runs_v2 as generated (no idempotency keys: its POSTs are not resent once they reached the
server) and a copy of its spec with `x-runmodels-idempotency: true` at the root (generated keys
on every POST, resent safely). Redirects go to a second fake server; path parameters, keys,
poll headers and cursors are hostile.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from fake_runs_server import FakeState, start_fake_server
from test_http_runtime import strict_sleep

from runmodels.api import generate
from runmodels.build.client_plan import idempotency_header
from runmodels.build.package_ir import build_package
from runmodels.errors import SpecError

ROOT = Path(__file__).resolve().parents[1]
PLAIN, KEYED = "safe_runs_v2", "safe_keyed_runs_v2"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, ModuleType]]:
    out = tmp_path_factory.mktemp("safe_pkgs")
    spec = yaml.safe_load((ROOT / "specs" / "runs_v2.yaml").read_text(encoding="utf-8"))
    spec["x-runmodels-idempotency"] = True  # the default of every operation
    keyed = out / "keyed.yaml"
    keyed.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    generate(ROOT / "specs" / "runs_v2.yaml", out, PLAIN)
    generate(keyed, out, KEYED)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PLAIN), importlib.import_module(KEYED)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n.split(".")[0] in (PLAIN, KEYED)]:
            del sys.modules[name]


def make(pkg: ModuleType, base_url: str, **kwargs: Any) -> Any:
    client = pkg.Client(base_url, kwargs.pop("api_key", "sk-test"), timeout=5.0, **kwargs)
    client.sleeps = []
    client._sleep = strict_sleep(client.sleeps)
    return client


@pytest.fixture
def plain(packages: tuple[ModuleType, ModuleType], server: tuple[str, FakeState]) -> Any:
    return make(packages[0], server[0])


@pytest.fixture
def keyed(packages: tuple[ModuleType, ModuleType], server: tuple[str, FakeState]) -> Any:
    return make(packages[1], server[0])


def test_keyed_post_is_resent_with_one_key_per_call(keyed: Any, state: FakeState) -> None:
    tid = state.create_thread()["id"]
    state.reset(2)
    run = keyed.create_run(tid, assistant_id="asst_1")
    state.fail(503)
    keyed.cancel_run(tid, run.id)
    keys = [r.headers["idempotency-key"] for r in state.requests]
    assert len(keys) == 5 and len(set(keys[:3])) == 1 and len(set(keys[3:])) == 1
    assert keys[0] != keys[3]
    assert all("idempotency-key" not in r.headers for r in state.requests
               if r.method == "GET")  # nothing for idempotent methods
    state.reset()
    events = list(keyed.stream_run(tid, assistant_id="asst_1"))
    assert events and state.requests[-1].headers["idempotency-key"] == \
        state.requests[-2].headers["idempotency-key"]


def test_plain_post_is_not_resent(plain: Any, state: FakeState) -> None:
    tid = state.create_thread()["id"]
    state.reset(3)
    with pytest.raises(Exception) as info:
        plain.create_run(tid, assistant_id="asst_1")
    assert type(info.value).__name__ == "APIConnectionError" and len(state.requests) == 1
    assert "idempotency-key" not in state.requests[0].headers and plain.sleeps == []


def test_keys_can_be_turned_off(packages: tuple[ModuleType, ModuleType],
                                server: tuple[str, FakeState]) -> None:
    client = make(packages[1], server[0], idempotency_keys=False)
    tid = server[1].create_thread()["id"]
    server[1].fail(500)
    with pytest.raises(packages[1].InternalServerError):
        client.create_run(tid, assistant_id="asst_1")
    assert len(server[1].requests) == 1
    assert "idempotency-key" not in server[1].requests[0].headers


def test_redirects_to_another_server_are_not_followed(packages: tuple[ModuleType, ModuleType],
                                                      plain: Any, state: FakeState) -> None:
    tid = state.create_thread()["id"]
    run = state.create_run(tid, {"assistant_id": "a"})
    with start_fake_server() as (other_url, other):
        state.fail(302, headers={"Location": f"{other_url}/threads/{tid}/runs/{run['id']}"},
                   body="")
        with pytest.raises(packages[0].APIRedirectError) as info:
            plain.get_run(tid, run["id"])
        assert info.value.location.startswith(other_url)
        state.fail(303, headers={"Location": f"{other_url}/threads/{tid}/runs/{run['id']}"},
                   body="")
        with pytest.raises(packages[0].APIRedirectError):
            plain.cancel_run(tid, run["id"])  # not silently turned into a GET
        assert other.requests == [] and run["status"] == "queued"


@pytest.mark.parametrize(("thread_id", "run_id", "path"), [
    ("..", "..", "/v1/threads/%2E%2E/runs/%2E%2E/cancel"),
    (".", "run_1", "/v1/threads/%2E/runs/run_1/cancel"),
    ("a/../b", "r?x#y", "/v1/threads/a%2F..%2Fb/runs/r%3Fx%23y/cancel"),
])
def test_dot_segments_are_encoded(packages: tuple[ModuleType, ModuleType], plain: Any,
                                  state: FakeState, thread_id: str, run_id: str,
                                  path: str) -> None:
    with pytest.raises(packages[0].NotFoundError):
        plain.cancel_run(thread_id, run_id)
    assert [r.path for r in state.requests] == [path]


@pytest.mark.parametrize(("thread_id", "run_id", "named"), [
    ("", "run_1", "thread_id"), ("thread_1", "", "run_id"), (None, "run_1", "thread_id"),
])
def test_empty_path_params_are_refused_before_sending(
        packages: tuple[ModuleType, ModuleType], plain: Any, state: FakeState,
        thread_id: Any, run_id: Any, named: str) -> None:
    with pytest.raises(packages[0].ClientValueError) as info:
        plain.cancel_run(thread_id, run_id)
    assert f"'{named}'" in str(info.value) and state.requests == []


def test_key_from_a_file_works_and_bad_keys_are_refused(
        packages: tuple[ModuleType, ModuleType], server: tuple[str, FakeState],
        tmp_path: Path) -> None:
    (tmp_path / "key").write_text("sk-test\n", encoding="utf-8")
    client = make(packages[0], server[0], api_key=(tmp_path / "key").read_text("utf-8"))
    tid = server[1].create_thread()["id"]
    assert client.create_run(tid, assistant_id="a").status == "queued"
    with pytest.raises(packages[0].ClientValueError) as info:
        make(packages[0], server[0], api_key="sk-t\u00e9st-secret")
    assert "secret" not in str(info.value)
    with pytest.raises(packages[0].ClientValueError) as bad_header:
        client.list_runs(tid, extra_headers={"X-A": "1\r\nX-B: 2"})
    assert "line break" in str(bad_header.value)


def test_hostile_poll_headers(plain: Any, state: FakeState) -> None:
    tid = state.create_thread()["id"]
    for value, slept in (("-1", 0.5), ("nan", 0.5), ("1000000000000", 60.0)):
        state.poll_after_ms = value
        plain.sleeps.clear()
        run = plain.create_run_and_poll(tid, assistant_id="a", poll_interval=0.5)
        assert run.status == "requires_action" and plain.sleeps == [slept]


def test_cursor_cycle_stops_iter_runs(packages: tuple[ModuleType, ModuleType], plain: Any,
                                      state: FakeState) -> None:
    tid = state.create_thread()["id"]
    runs = [state.create_run(tid, {"assistant_id": "a"}) for _ in range(2)]
    pages = [[runs[0]], [runs[1]], [runs[0]], [runs[1]]]
    for items in pages:
        state.fail(200, body={"object": "list", "data": [dict(r) for r in items],
                              "first_id": items[0]["id"], "last_id": items[-1]["id"],
                              "has_more": True})
    seen = []
    with pytest.raises(packages[0].APIResponseError) as info:
        seen.extend(run.id for run in plain.iter_runs(tid))
    assert seen == [runs[0]["id"], runs[1]["id"], runs[0]["id"]]
    assert "cursor" in str(info.value) and len(state.requests) == 3


def test_default_query_and_base_url_checks(packages: tuple[ModuleType, ModuleType],
                                           server: tuple[str, FakeState]) -> None:
    client = make(packages[0], server[0], default_query={"api-version": "1"})
    tid = server[1].create_thread()["id"]
    client.list_runs(tid, limit=2)
    assert server[1].requests[-1].query == {"api-version": ["1"], "limit": ["2"]}
    for url in (f"{server[0]}?api-version=1", "file:///tmp", f"{server[0]}#x"):
        with pytest.raises(packages[0].ClientValueError):
            make(packages[0], url)


def test_idempotency_header_from_the_spec(tmp_path: Path) -> None:
    spec = tmp_path / "idem.yaml"
    spec.write_text(textwrap.dedent("""\
        openapi: 3.1.0
        info: {title: Idem, version: "1"}
        x-runmodels-idempotency: false
        paths:
          /declared:
            post:
              operationId: declared
              x-runmodels-idempotency: true
              parameters:
                - {name: X-Idempotency-Key, in: header, schema: {type: string}}
              responses: {"204": {description: ok}}
          /named:
            post:
              operationId: named
              x-runmodels-idempotency: Request-Key
              responses: {"204": {description: ok}}
          /refused:
            patch:
              operationId: refused
              x-runmodels-idempotency: false
              parameters:
                - {name: Idempotency-Key, in: header, schema: {type: string}}
              responses: {"204": {description: ok}}
          /plain:
            post:
              operationId: plain
              responses: {"204": {description: ok}}
            put:
              operationId: put
              x-runmodels-idempotency: true
              responses: {"204": {description: ok}}
    """), encoding="utf-8")
    pkg = build_package(spec, "idem")
    found = {op.operation_id: idempotency_header(op) for op in pkg.operations}
    assert found == {"declared": "X-Idempotency-Key", "named": "Request-Key", "refused": None,
                     "plain": None, "put": None}
    for bad in ("{header: 1}", '"Bad Header"'):
        spec.write_text(spec.read_text(encoding="utf-8").replace("Request-Key", bad),
                        encoding="utf-8")
        with pytest.raises(SpecError, match="x-runmodels-idempotency"):
            for op in build_package(spec, "idem").operations:
                idempotency_header(op)
        spec.write_text(spec.read_text(encoding="utf-8").replace(bad, "Request-Key"),
                        encoding="utf-8")


def test_declared_and_named_idempotency_headers_are_sent(
        tmp_path: Path, server: tuple[str, FakeState]) -> None:
    spec = tmp_path / "idem.yaml"
    spec.write_text(textwrap.dedent("""\
        openapi: 3.1.0
        info: {title: Idem, version: "1"}
        paths:
          /declared:
            post:
              operationId: declared
              parameters:
                - {name: Idempotency-Key, in: header, schema: {type: string}}
              responses: {"204": {description: ok}}
          /named:
            patch:
              operationId: named
              x-runmodels-idempotency: Request-Key
              responses: {"204": {description: ok}}
    """), encoding="utf-8")
    generate(spec, tmp_path / "out", "idem_pkg", cache_dir=tmp_path / "cache")
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        pkg = importlib.import_module("idem_pkg")
        client = make(pkg, server[0], api_key="")
        state = server[1]
        state.api_key = state.beta = None
        state.fail(503)  # then the fake server's 404 for an unknown path
        with pytest.raises(pkg.NotFoundError):
            client.declared()
        with pytest.raises(pkg.NotFoundError):
            client.declared(idempotency_key="mine")
        state.reset()
        with pytest.raises(pkg.NotFoundError):
            client.named()
    finally:
        sys.path.remove(str(tmp_path / "out"))
        for name in [n for n in sys.modules if n.split(".")[0] == "idem_pkg"]:
            del sys.modules[name]
    sent = [(r.method, r.headers.get("idempotency-key") or r.headers.get("request-key"))
            for r in state.requests]
    assert [m for m, _ in sent] == ["POST", "POST", "POST", "PATCH", "PATCH"]
    generated = {key for _, key in sent} - {"mine"}
    assert sent[0][1] == sent[1][1] and sent[2][1] == "mine" and sent[3][1] == sent[4][1]
    assert len(generated) == 2 and all(str(k).startswith("runmodels-") for k in generated)
