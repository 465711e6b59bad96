"""Arguments named after what a generated method body uses (its locals `_path`, `page`, `result`,
the page function's `after`, the decoders it calls, keywords and builtins) never collide with it.

By construction: every name a method body binds is private (`_fetched`, `_result`, `_after`), and
every other name it reads is one no argument can take (private, capitalised, or a name argument
naming never hands out, such as `self` or `str`).  Checked on the generated source of the
golden clients and of tests/local_defects/method_locals.yaml, whose methods are then all called,
sync and async, against a local HTTP server, each value checked on the wire.
"""

from __future__ import annotations

import ast
import asyncio
import http.server
import json
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest
from _hostile import imported, unique_package

from runmodels.api import generate
from runmodels.build.names import RESERVED_FIELD_NAMES

ROOT = Path(__file__).resolve().parent.parent
SPEC = Path(__file__).resolve().parent / "local_defects" / "method_locals.yaml"
GOLDEN_CLIENTS = sorted((ROOT / "generated").glob("*/client.py"))


class _Items(http.server.BaseHTTPRequestHandler):
    """Answers the spec's four paths; records (method, path, query, chosen headers, body)."""

    seen: ClassVar[list[tuple[str, str, dict[str, str], dict[str, str], Any]]] = []
    fetches: ClassVar[dict[str, int]] = {}

    def _record(self) -> tuple[list[str], dict[str, str], Any]:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        headers = {k.lower(): v for k, v in self.headers.items() if k.startswith("_")}
        self.seen.append((self.command, url.path, query, headers, body))
        return url.path.split("/")[2:], query, body

    def _answer(self, value: Any) -> None:
        data = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parts, query, _ = self._record()
        if parts[-1] == "items":  # a list page
            first = "after" not in query
            item = {"id": "i1" if first else "i2", "status": "done"}
            self._answer({"data": [item], "has_more": first, "last_id": item["id"]})
        else:  # one item: pending on its first fetch
            key = "/".join(parts)
            self.fetches[key] = self.fetches.get(key, 0) + 1
            status = "pending" if self.fetches[key] == 1 else "done"
            self._answer({"id": parts[-1], "status": status})

    def do_POST(self) -> None:
        parts, _, body = self._record()
        if parts[0] == "shapes":
            self._answer(body)
        elif body.get("stream") is True:
            events = b'data: {"id": "s1", "status": "done"}\n\ndata: [DONE]\n\n'
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(events)))
            self.end_headers()
            self.wfile.write(events)
        else:
            self._answer({"id": "c1", "status": "pending"})

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    out = tmp_path_factory.mktemp("locals")
    package = unique_package("method_locals")
    generate(SPEC, out, package, cache_dir=out / "cache")
    with imported(out, package) as pkg:
        yield out / package, pkg


@pytest.fixture
def server() -> Iterator[str]:
    _Items.seen, _Items.fetches = [], {}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Items)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


# ---- by construction: what a method body binds and reads -------------------------------------


def _unsafe_names(method: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Names the body binds that are not private, and names it reads that an argument could
    take without being one of the method's arguments."""
    own = {a.arg for a in [*method.args.args, *method.args.kwonlyargs]}
    bad = []
    for statement in method.body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                name = node.id
                if isinstance(node.ctx, ast.Store) and not name.startswith("_"):
                    bad.append(f"binds {name}")
                elif (isinstance(node.ctx, ast.Load) and name not in own
                      and not name.startswith("_") and name == name.lower()
                      and name not in RESERVED_FIELD_NAMES):
                    bad.append(f"reads {name}")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                bound = [a.arg for a in [*node.args.args, *node.args.kwonlyargs]]
                if not isinstance(node, ast.Lambda):
                    bound.append(node.name)
                bad += [f"binds {name}" for name in bound if not name.startswith("_")]
    return bad


def _check_client_source(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)
               and n.name in ("Client", "AsyncClient")]
    assert len(classes) == 2
    problems = {}
    for cls in classes:
        for method in cls.body:
            if (isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and method.name != "__init__"):
                bad = _unsafe_names(method)
                if bad:
                    problems[f"{cls.name}.{method.name}"] = bad
    assert problems == {}


@pytest.mark.parametrize("client", GOLDEN_CLIENTS, ids=lambda p: p.parent.name)
def test_golden_method_bodies_use_no_name_an_argument_can_take(client: Path) -> None:
    _check_client_source(client)


def test_every_local_named_argument_type_checks(generated: tuple[Path, ModuleType]) -> None:
    where, _ = generated
    _check_client_source(where / "client.py")
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                             "-p", where.name], cwd=where.parent, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_the_checker_sees_a_colliding_local() -> None:
    method = ast.parse("def f(self, *, page: str) -> None:\n"
                       "    def _page(after: str) -> None:\n"
                       "        page = self.g(page=page, after=after)\n").body[0]
    assert isinstance(method, ast.FunctionDef)
    assert sorted(_unsafe_names(method)) == ["binds after", "binds page", "reads after"]


# ---- every method called, sync and async ----------------------------------------------------

LIST_QUERY = {"_page": "pq", "result": "r", "data": "d", "value": "v", "fetched": "f",
              "tuple": "t", "str": "s", "bool": "b", "class": "c", "_query": "q", "limit": "1"}
LIST_ARGS: dict[str, Any] = {"page_query": "pq", "result": "r", "data": "d", "value": "v",
                             "fetched": "f", "tuple": "t", "str_": "s", "bool_": "b",
                             "class_": "c", "query": "q", "headers": "h", "limit": 1}
CREATE_ARGS: dict[str, Any] = {"res": "R", "path": "P", "name": "n", "body": "B", "events": "E",
                               "page": "PG", "value": "V", "self_": "S", "lambda_": "L",
                               "json": "J", "enc": "N", "tuple": "T", "id": "I",
                               "decode_shape": "D"}
CREATE_BODY = {"name": "n", "_body": "B", "_events": "E", "page": "PG", "value": "V",
               "self": "S", "lambda": "L", "json": "J", "enc": "N", "tuple": "T", "id": "I",
               "decode_shape": "D"}
BOX = "/v1/boxes/pg/af/items"
EXPECTED_REQUESTS = [
    ("GET", BOX, LIST_QUERY, {"_headers": "h"}, None),  # iter_items: two pages
    ("GET", BOX, {**LIST_QUERY, "after": "i1"}, {"_headers": "h"}, None),
    ("GET", BOX, {**LIST_QUERY, "after": "x"}, {"_headers": "h"}, None),  # list_items
    ("POST", "/v1/boxes/r1/items", {"_res": "R"}, {"_path": "P"}, CREATE_BODY),  # create_item
    ("POST", "/v1/boxes/r1/items", {"_res": "R"}, {"_path": "P"},  # stream_item
     {**CREATE_BODY, "stream": True}),
    ("GET", "/v1/boxes/r1/items/g1", {"_value": "v", "type": "t"}, {}, None),  # get_item
    ("GET", "/v1/boxes/r1/items/p1", {"_value": "v", "type": "t"}, {}, None),  # poll_item
    ("GET", "/v1/boxes/r1/items/p1", {"_value": "v", "type": "t"}, {}, None),
    ("POST", "/v1/boxes/r1/items", {"_res": "R"}, {"_path": "P"}, CREATE_BODY),  # *_and_poll
    ("GET", "/v1/boxes/r1/items/c1", {}, {}, None),
    ("GET", "/v1/boxes/r1/items/c1", {}, {}, None),
    ("POST", "/v1/shapes", {"decode_shape": "D", "_decode": "X"}, {},  # make_shape
     {"kind": "circle", "radius": 2.0}),
]
EXPECTED_RESULTS = [["i1", "i2"], ["i2"], "c1", ["s1"], "pending", "done", ("c1", "done"), 2.0]


def test_sync_client_calls_every_method(generated: tuple[Path, ModuleType], server: str) -> None:
    _, pkg = generated
    client = pkg.Client(base_url=server, api_key="k", max_retries=0)
    results: list[Any] = [[i.id for i in client.iter_items("pg", "af", **LIST_ARGS)]]
    results.append([i.id for i in client.list_items("pg", "af", after_query="x",
                                                    **LIST_ARGS).data])
    results.append(client.create_item("r1", **CREATE_ARGS).id)
    with pytest.raises(TypeError, match="stream_item"):
        client.create_item("r1", **CREATE_ARGS, stream=True)
    with client.stream_item("r1", **CREATE_ARGS) as events:
        results.append([e.id for e in events])
    results.append(client.get_item("r1", "g1", value="v", type="t").status)
    results.append(client.poll_item("r1", "p1", value="v", type="t", interval=0.01).status)
    done = client.create_item_and_poll("r1", **CREATE_ARGS, poll_interval=0.01)
    results.append((done.id, done.status))
    results.append(client.make_shape(decode_shape="D", decode="X",
                                     body=pkg.Circle(kind="circle", radius=2.0)).radius)
    assert results == EXPECTED_RESULTS
    assert _Items.seen == EXPECTED_REQUESTS


def test_async_client_calls_every_method(generated: tuple[Path, ModuleType],
                                         server: str) -> None:
    _, pkg = generated

    async def main() -> list[Any]:
        client = pkg.AsyncClient(base_url=server, api_key="k", max_retries=0)
        results: list[Any] = [[i.id async for i in client.iter_items("pg", "af", **LIST_ARGS)]]
        page = await client.list_items("pg", "af", after_query="x", **LIST_ARGS)
        results.append([i.id for i in page.data])
        results.append((await client.create_item("r1", **CREATE_ARGS)).id)
        with pytest.raises(TypeError, match="stream_item"):
            await client.create_item("r1", **CREATE_ARGS, stream=True)
        async with await client.stream_item("r1", **CREATE_ARGS) as events:
            results.append([e.id async for e in events])
        results.append((await client.get_item("r1", "g1", value="v", type="t")).status)
        polled = await client.poll_item("r1", "p1", value="v", type="t", interval=0.01)
        results.append(polled.status)
        done = await client.create_item_and_poll("r1", **CREATE_ARGS, poll_interval=0.01)
        results.append((done.id, done.status))
        shape = await client.make_shape(decode_shape="D", decode="X",
                                        body=pkg.Circle(kind="circle", radius=2.0))
        results.append(shape.radius)
        await client.aclose()
        return results

    assert asyncio.run(main()) == EXPECTED_RESULTS
    assert _Items.seen == EXPECTED_REQUESTS
