"""The plain-dict types of request arguments: which models get one, their names (never a
schema's), and their annotations (JSON forms: enums as `Literal`s, one `Literal` per union)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from runmodels.build.package_ir import build_package
from runmodels.emit import params
from runmodels.ir.nodes import Model, Union

SPEC = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                a: {$ref: "#/components/schemas/A"}
                many: {type: array, items: {$ref: "#/components/schemas/A"}}
                mode: {$ref: "#/components/schemas/Mode"}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Unrelated"}}}}}
components:
  schemas:
    A:
      type: object
      properties:
        b: {$ref: "#/components/schemas/B"}
        kind: {type: string, enum: [a]}
    AParam: {type: object, properties: {x: {type: string}}}
    B: {type: object, properties: {n: {type: integer}}}
    Mode:
      anyOf:
        - {type: string, enum: [x, y]}
        - {type: integer, enum: [1]}
        - {type: boolean, enum: [true]}
        - {$ref: "#/components/schemas/B"}
    Unrelated: {type: object, properties: {z: {type: string}}}
"""


def _params(tmp_path: Path) -> params.Params:
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    return params.params_of(build_package(spec, "p"))


def test_only_models_request_arguments_reach_get_one_named_apart_from_schemas(
        tmp_path: Path) -> None:
    found = _params(tmp_path)
    # B is reached through A; AParam is a schema, so A's TypedDict takes the next free name;
    # Unrelated is only a response
    assert found.names == {"A": "AParam2", "B": "BParam", "Mode": "ModeParam"}
    assert params.exports(found.pkg) == ["AParam2", "BParam", "ModeParam"]


def test_annotations_are_json_forms(tmp_path: Path) -> None:
    found = _params(tmp_path)
    a, mode = found.pkg.entities["A"], found.pkg.entities["Mode"]
    assert isinstance(a, Model) and isinstance(mode, Union)
    types = {f.json_name: f.type for f in a.fields}
    assert found.json_annotation(types["kind"]) == "Literal['a']"
    assert found.json_annotation(types["b"]) == "BParam"
    assert found.union_annotation(mode) == "Literal['x', 'y', 1, True] | BParam"
    body = {a.name: a.type for m in found.pkg.client.methods for a in m.arguments}
    assert found.argument_annotation(body["many"], "list[A]") == "Sequence[A | AParam2]"
    assert found.argument_annotation(body["a"], "A") == "A | AParam2"
