"""Request arguments as plain dicts, over real sockets against tests/fake_runs_server.py.

Wherever a method takes a model (or a union of models, or a list or map of them) it also takes
the model's JSON form as a plain dict, typed by a TypedDict generated beside the models
(`ToolOutputParam`). The dict is decoded into the model with the model's own rules before
anything is sent, so the server receives exactly the bytes the model form sends, and a bad dict
raises DecodeError naming the argument and the JSON path. Real mypy checks the TypedDicts.
"""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_runs_server import FakeState
from test_http_runtime import strict_sleep

from runmodels.api import generate

ROOT = Path(__file__).resolve().parents[1]
V2, EDGE = "dicts_runs_v2", "dicts_edge"

# Schemas named like the TypedDicts would be (`Foo` and `FooParam`), a closed schema, a map of
# models, member names that are no Python identifiers (or are keywords or dunders), a union of enums and a model (one
# `Literal` for both enums), names whose import order differs with case (`ThingWithTitle`,
# `ThingWithoutTitle`), and a union as the whole body.
EDGE_SPEC = """\
openapi: 3.1.0
info: {title: Dict edge cases, version: "1"}
servers: [{url: "https://example.test"}]
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [foo]
              properties:
                foo: {$ref: "#/components/schemas/Foo"}
                foo_param: {$ref: "#/components/schemas/FooParam"}
                by_name:
                  type: object
                  additionalProperties: {$ref: "#/components/schemas/Foo"}
                odd: {$ref: "#/components/schemas/Odd"}
                level: {$ref: "#/components/schemas/Level"}
                plain: {$ref: "#/components/schemas/ThingWithoutTitle"}
                titled: {$ref: "#/components/schemas/ThingWithTitle"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Foo"}
  /shapes:
    post:
      operationId: addShape
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Shape"}
      responses: {"204": {description: added}}
components:
  schemas:
    Foo:
      type: object
      required: [name]
      properties:
        name: {type: string}
        size: {type: integer, minimum: 1}
    FooParam:
      type: object
      additionalProperties: false
      properties:
        flag: {type: boolean}
    Odd:
      type: object
      required: [a-b]
      properties:
        a-b: {type: string}
        class: {type: integer}
        __init__: {type: string, enum: [Any]}
    Circle:
      type: object
      required: [kind, radius]
      properties:
        kind: {type: string, enum: [circle]}
        radius: {type: number}
    Square:
      type: object
      required: [kind, side]
      properties:
        kind: {type: string, enum: [square]}
        side: {type: number}
    Level:
      oneOf:
        - {type: string, enum: [low, high]}
        - {type: integer, enum: [1, 2]}
        - {$ref: "#/components/schemas/ThingWithTitle"}
    ThingWithTitle: {type: object, properties: {title: {type: string}}}
    ThingWithoutTitle: {type: object, properties: {x: {type: string}}}
    Shape:
      oneOf:
        - {$ref: "#/components/schemas/Circle"}
        - {$ref: "#/components/schemas/Square"}
      discriminator: {propertyName: kind}
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("dict_pkgs")
    spec = out / "edge.yaml"
    spec.write_text(EDGE_SPEC, encoding="utf-8")
    generate(ROOT / "specs" / "runs_v2.yaml", out, V2)
    generate(spec, out, EDGE)
    sys.path.insert(0, str(out))
    try:
        yield out
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n.split(".")[0] in (V2, EDGE)]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def v2(generated: Path) -> ModuleType:
    return importlib.import_module(V2)


@pytest.fixture(scope="module")
def edge(generated: Path) -> ModuleType:
    return importlib.import_module(EDGE)


def make_client(pkg: ModuleType, base_url: str, **kwargs: Any) -> Any:
    client = pkg.Client(base_url, "sk-test", timeout=5.0, **kwargs)
    client.sleeps = []
    client._sleep = strict_sleep(client.sleeps)
    return client


def waiting_run(client: Any, state: FakeState) -> Any:
    """A run of the fake server that waits for the outputs of its two tool calls."""
    tid = state.create_thread()["id"]
    run = client.create_run_and_poll(tid, assistant_id="asst_1", poll_interval=0.01)
    assert run.requires_action
    return run


# ---- the same request as the models send -------------------------------------------------------

def test_tool_outputs_as_dicts_complete_a_run(v2: ModuleType,
                                              server: tuple[str, FakeState]) -> None:
    url, state = server
    client = make_client(v2, url)
    run = waiting_run(client, state)
    calls = run.required_action.submit_tool_outputs.tool_calls
    outputs = [{"tool_call_id": c.id, "output": "22C"} for c in calls]
    done = client.submit_tool_outputs_and_poll(run.thread_id, run.id, tool_outputs=outputs,
                                               poll_interval=0.01)
    assert done.is_complete
    sent = [r for r in state.requests if r.path.endswith("/submit_tool_outputs")]
    assert sent[0].body == {"tool_outputs": outputs}


def test_dicts_send_the_bytes_the_models_send(v2: ModuleType,
                                              server: tuple[str, FakeState]) -> None:
    url, state = server
    client = make_client(v2, url)
    tid = state.create_thread()["id"]
    as_models = {
        "tools": [v2.FunctionTool(type="function", function=v2.FunctionDefinition(
            name="weather", parameters={"type": "object"})), v2.CodeInterpreterTool(
            type="code_interpreter")],
        "truncation_strategy": v2.TruncationStrategy(type="last_messages", last_messages=3),
        "tool_choice": v2.NamedToolChoice(type="function",
                                          function=v2.NamedToolChoiceFunction(name="weather")),
        "response_format": v2.ResponseFormatObject(type="json_object"),
        "additional_messages": [v2.CreateMessageRequest(role="user", content="Hi")],
    }
    as_dicts = {  # keys in another order than the schema's: the body is the same all the same
        "tools": ({"function": {"parameters": {"type": "object"}, "name": "weather"},
                   "type": "function"}, {"type": "code_interpreter"}),  # any sequence
        "truncation_strategy": {"last_messages": 3, "type": "last_messages"},
        "tool_choice": {"function": {"name": "weather"}, "type": "function"},
        "response_format": {"type": "json_object"},
        "additional_messages": [{"content": "Hi", "role": "user"}],
    }
    client.create_run(tid, assistant_id="asst_1", **as_models)
    client.create_run(tid, assistant_id="asst_1", **as_dicts)
    mixed = dict(as_dicts, tools=[as_models["tools"][0], as_dicts["tools"][1]])
    client.create_run(tid, assistant_id="asst_1", **mixed)
    model_form, dict_form, mixed_form = (r.raw_body for r in state.requests)
    assert dict_form == model_form and mixed_form == model_form
    assert state.requests[0].body["truncation_strategy"] == {"type": "last_messages",
                                                             "last_messages": 3}
    with client.stream_run(tid, assistant_id="asst_1", **as_dicts) as events:
        next(events)
    streamed = state.requests[-1].body
    assert streamed == dict(state.requests[0].body, stream=True)


def test_the_async_client_takes_dicts_alike(v2: ModuleType,
                                            server: tuple[str, FakeState]) -> None:
    url, state = server
    run = waiting_run(make_client(v2, url), state)
    outputs = [{"tool_call_id": c.id, "output": "22C"}
               for c in run.required_action.submit_tool_outputs.tool_calls]

    async def main() -> Any:
        client = v2.AsyncClient(url, "sk-test", timeout=5.0)
        try:
            with pytest.raises(v2.DecodeError) as info:
                await client.submit_tool_outputs_to_run(
                    run.thread_id, run.id, tool_outputs=[{"tool_call_id": 1}])
            assert info.value.errors == [("tool_outputs[0].tool_call_id",
                                          "expected str, got int")]
            return await client.submit_tool_outputs_to_run(run.thread_id, run.id,
                                                            tool_outputs=outputs)
        finally:
            await client.aclose()

    sent = len(state.requests)
    assert asyncio.run(main()).status == "in_progress"
    assert len(state.requests) == sent + 1  # the bad call sent nothing
    assert state.requests[-1].body == {"tool_outputs": outputs}


def test_unknown_keys_are_sent_as_models_keep_them(v2: ModuleType,
                                                   server: tuple[str, FakeState]) -> None:
    url, state = server
    client = make_client(v2, url)
    run = waiting_run(client, state)
    calls = run.required_action.submit_tool_outputs.tool_calls
    outputs = [{"tool_call_id": c.id, "output": "ok", "confidence": 0.5} for c in calls]
    client.submit_tool_outputs_to_run(run.thread_id, run.id, tool_outputs=outputs)
    assert state.requests[-1].body == {"tool_outputs": outputs}


# ---- refused before sending ----------------------------------------------------------------

def test_bad_dicts_raise_naming_the_argument_before_sending(
        v2: ModuleType, server: tuple[str, FakeState]) -> None:
    url, state = server
    client = make_client(v2, url)
    with pytest.raises(v2.DecodeError) as info:
        client.submit_tool_outputs_to_run("thread_1", "run_1", tool_outputs=[
            {"tool_call_id": "call_1", "output": "22C"},
            {"tool_call_id": "call_2", "output": 22},
            {"tool_call_id": 3, "output": "x"},
        ])
    assert info.value.errors == [("tool_outputs[1].output", "expected str, got int"),
                                 ("tool_outputs[2].tool_call_id", "expected str, got int")]
    assert "tool_outputs[1].output: expected str, got int" in str(info.value)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"tools": [{"type": "function"}]}, "tools[0].function"),  # required member, in a union
        ({"tools": [{"type": "file_search", "file_search": {"max_num_results": 51}}]},
         "tools[0].file_search.max_num_results"),  # bounds
        ({"truncation_strategy": {"type": "sometimes"}}, "truncation_strategy.type"),  # enum
        ({"truncation_strategy": {"type": "auto", "last_messages": 0}},
         "truncation_strategy.last_messages"),
        ({"tool_choice": {"type": "function", "function": {}}}, "tool_choice"),  # no variant
        ({"additional_messages": [{"role": "user"}]}, "additional_messages[0].content"),
        ({"response_format": {"type": "xml"}}, "response_format"),
        ({"tools": [[]]}, ""),  # neither a model nor a dict: the models' TypeError
    ]
    for kwargs, path in cases:
        expected = v2.DecodeError if path else TypeError
        with pytest.raises(expected) as caught:
            client.create_run("thread_1", assistant_id="asst_1", **kwargs)
        if path:
            assert [p for p, _ in caught.value.errors] == [path], kwargs
    assert state.requests == []  # nothing left the client


def test_without_validation_dicts_are_sent_as_given(v2: ModuleType,
                                                    server: tuple[str, FakeState]) -> None:
    url, state = server
    lax = make_client(v2, url, validate=False)
    tid = state.create_thread()["id"]
    odd = {"type": "sometimes", "last_messages": "3"}
    lax.create_run(tid, assistant_id="asst_1", truncation_strategy=odd)
    assert state.requests[-1].body["truncation_strategy"] == odd


# ---- names, closed schemas, maps, unions as the body --------------------------------------------

def test_typed_dict_names_never_take_a_schema_name(edge: ModuleType, generated: Path) -> None:
    source = (generated / EDGE / "dicts.py").read_text(encoding="utf-8")
    assert "class FooParam2(" in source and "class FooParamParam(" in source
    assert edge.FooParam2.__required_keys__ == frozenset({"name"})
    assert edge.FooParam2.__optional_keys__ == frozenset({"size"})
    assert edge.OddParam.__required_keys__ == frozenset({"a-b"})  # not an identifier
    assert edge.OddParam.__optional_keys__ == frozenset({"class", "__init__"})  # a keyword
    assert "from typing import Any" not in source  # the value 'Any' names nothing
    assert edge.FooParam.__dataclass_fields__  # the schema's model is still the model
    assert {"FooParam2", "FooParamParam", "OddParam", "ShapeParam"} <= set(edge.__all__)


def test_edge_package_passes_ruff_and_mypy(generated: Path) -> None:
    source = (generated / EDGE / "dicts.py").read_text(encoding="utf-8")
    assert "LevelParam: TypeAlias = \"Literal['low', 'high', 1, 2] | ThingWithTitleParam\"" \
        in source
    for command in (["ruff", "check", "--isolated", "--no-cache", EDGE],
                    ["mypy", "--strict", "--no-error-summary", "--cache-dir",
                     str(generated / ".mypy_cache"), EDGE]):
        result = subprocess.run([sys.executable, "-m", *command], cwd=generated,
                                capture_output=True, text=True, timeout=180, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_closed_maps_and_union_bodies(edge: ModuleType, server: tuple[str, FakeState]) -> None:
    url, state = server
    client = make_client(edge, url, default_headers={"OpenAI-Beta": "assistants=v2"})
    with pytest.raises(edge.DecodeError) as info:
        client.create_thing(foo={"name": "a"}, foo_param={"flag": True, "other": 1},
                            by_name={"x": {"name": "b", "size": 0}, "y z": {}})
    assert [p for p, _ in info.value.errors] == [  # every argument's problems, in order
        "foo_param.other", "by_name.x.size", 'by_name["y z"].name']
    with pytest.raises(edge.DecodeError) as info:
        client.add_shape(body={"kind": "circle"})
    assert [p for p, _ in info.value.errors] == ["body.radius"]
    assert state.requests == []
    with pytest.raises(edge.NotFoundError):  # the fake server knows no /things
        client.create_thing(foo={"name": "a"}, by_name={"x": edge.Foo(name="b")},
                            odd={"class": 1, "a-b": "c"})
    assert state.requests[-1].raw_body == (
        b'{"foo":{"name":"a"},"by_name":{"x":{"name":"b"}},"odd":{"a-b":"c","class":1}}')
    with pytest.raises(edge.NotFoundError):
        client.add_shape(body={"side": 2.0, "kind": "square"})
    assert state.requests[-1].body == {"side": 2.0, "kind": "square"}


# ---- type checkers --------------------------------------------------------------------------

def test_importing_the_client_builds_no_typed_dicts(generated: Path) -> None:
    code = (f"import sys, {V2}.client; assert '{V2}.dicts' not in sys.modules; "
            f"from {V2} import ToolOutputParam; assert '{V2}.dicts' in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=generated, check=True, timeout=60)


USAGE = f"""\
from {V2} import AsyncClient, Client, ToolOutput, ToolOutputParam


def submit(client: Client, thread_id: str, run_id: str) -> None:
    mine: ToolOutputParam = {{"tool_call_id": "call_1", "output": "22C"}}
    client.submit_tool_outputs_to_run(
        thread_id, run_id,
        tool_outputs=[{{"tool_call_id": "call_1", "output": "22C"}}, ToolOutput(), mine],
    )
    client.create_run(
        thread_id, assistant_id="asst_1",
        tools=[{{"type": "function", "function": {{"name": "f"}}}}],
        truncation_strategy={{"type": "auto"}},
        tool_choice={{"type": "function", "function": {{"name": "f"}}}},
    )
    client.submit_tool_outputs_to_run(thread_id, run_id, tool_outputs=[{{"output": 22}}])  # bad
    client.submit_tool_outputs_to_run(thread_id, run_id, tool_outputs=[{{"oops": "x"}}])  # bad
    client.create_run(thread_id, assistant_id="a", truncation_strategy={{"type": "x"}})  # bad
    client.create_run(thread_id, assistant_id="a", tools=[{{"type": "function"}}])  # bad


async def submit_async(client: AsyncClient, thread_id: str, run_id: str) -> None:
    await client.submit_tool_outputs_to_run(
        thread_id, run_id, tool_outputs=[{{"tool_call_id": "call_1", "output": "22C"}}])
    await client.submit_tool_outputs_to_run(thread_id, run_id, tool_outputs=[{{"output": 2}}])  # bad
"""


def test_mypy_accepts_dict_literals_and_rejects_wrong_ones(generated: Path,
                                                           tmp_path: Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes",
         "--cache-dir", str(generated / ".mypy_cache"), str(generated / V2), str(usage)],
        cwd=generated, capture_output=True, text=True, timeout=180, check=False,
    )
    bad = {i for i, line in enumerate(USAGE.splitlines(), 1) if line.endswith("# bad")}
    flagged = {int(line.split(":")[1]) for line in result.stdout.splitlines()
               if line.startswith(str(usage)) and ": error:" in line}
    assert result.returncode == 1 and flagged == bad, result.stdout + result.stderr
