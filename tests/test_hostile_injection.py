"""No injection: every spec string tries to smuggle `import os; os.system(...)` into the package.

The spec is built here (as JSON, and as YAML through yaml.safe_dump) so that the hostile strings
are exactly known; the generated package must compile, import, contain no such statement, keep
every value/name/description exactly, and round-trip a payload.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from _hostile import (
    ROOT,
    attribute_docs,
    audit_package,
    clean_doc,
    comments,
    imported,
    module_of,
    unique_package,
    write_spec,
)

from runmodels.api import generate
from runmodels.format.black_format import split_header

P = "import os; os.system('echo PWNED')"
HOSTILE = [
    f'"""\n{P}\n"""',
    f"'''\n{P}\n'''",
    f'"\n{P}\n#',
    f"'\n{P}\n#",
    "trailing backslash \\",
    f"nul\x00{P}",
    f"cr\r{P}\r",
    f"line sep\u2028{P}\u2029",
    f"bidi\u202e{P}\u2066x\u2069",
    "{{ " + P + " }}",
    "{% " + P + " %}{% endraw %}{{ header }}",
    f"# type: ignore\n{P}",
    f"\\\n{P}",
    f"\\x00\\N{{BEL}}\\u2028 {P}",
    f'""""{P}""""',
    '"',
    f'\\"""\n{P}',
    f"\t{P}\t\n\t{P}",
    f"emoji \U0001f600 {P} \u00fcn\u00efc\u00f6d\u00e9 \u65e5\u672c",
    "__import__('os').system('echo PWNED')",
    f"'), exec('{P}'), ('",
    f"\x85{P}\x0b\x0c\x1c{P}\ufeff",
    "import",
    "__class__",
    "class",
    "_",
    "match",
    "",
    "  leading and trailing  ",
    f"a\n    indented\n  {P}\n",
]
# Property names must be distinct and non-empty as JSON keys; "" is fine as a key too.
PROPS = list(dict.fromkeys(HOSTILE))


def h(i: int) -> str:
    return HOSTILE[i % len(HOSTILE)]


def pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def hostile_spec() -> dict[str, Any]:
    props: dict[str, Any] = {}
    for i, name in enumerate(PROPS):
        props[name] = {
            "type": "string", "description": h(i + 1), "title": h(i + 2), "default": h(i + 3),
            "example": h(i + 4), "examples": [h(i + 5)], "format": h(i + 6),
            "x-" + h(i + 7): h(i + 8), "deprecated": i % 5 == 0,
        }
    props["kind"] = {"type": "string", "enum": HOSTILE, "description": h(3)}
    props["count"] = {"type": "integer", "enum": [1, 2, 3], "description": h(4)}
    props["pat"] = {"type": "string", "pattern": h(0), "minLength": 1, "description": h(5)}
    props["conf"] = {"type": "object", "additionalProperties": {"type": "string"},
                     "default": {k: k for k in HOSTILE[:4]}, "description": h(6)}
    props["tagged"] = {"$ref": "#/components/schemas/Tagged"}
    props["kinds"] = {"type": "array", "items": {"$ref": "#/components/schemas/Kinds"}}
    props["const"] = {"const": h(0)}
    props["far"] = {"type": "number", "minimum": -math.inf, "maximum": math.inf}
    props["inf_or_half"] = {"type": "number", "enum": [math.inf, 0.5]}
    schemas: dict[str, Any] = {
        "Evil": {
            "type": "object", "description": h(0), "title": h(1), "properties": props,
            "required": ["kind"], "x-" + h(2): h(3),
            "x-runmodels-status": {"field": "kind", "helpers": {"is_evil": HOSTILE[:5]}},
        },
        "Kinds": {"type": "string", "enum": HOSTILE, "description": h(7)},
        "Alias" + h(8): {"type": "string", "description": h(9)},
    }
    mapping = {}
    for i, name in enumerate(PROPS[:12]):
        schemas[name] = {
            "type": "object", "description": h(i + 8), "title": h(i + 2),
            "properties": {"type": {"type": "string", "enum": [name]},
                           h(i + 9): {"type": "integer", "description": h(i + 10)}},
            "required": ["type"],
        }
        mapping[name] = "#/components/schemas/" + pointer_token(name)
    schemas["Tagged"] = {
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
        "description": h(5),
    }
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": h(0), "version": h(1), "description": h(2)},
        "servers": [{"url": h(3)}],
        "paths": {
            "/x/{" + h(0) + "}/" + h(1): {
                "get": {
                    "operationId": h(1), "summary": h(2), "description": h(3), "tags": [h(4)],
                    "x-runmodels-poll": {h(5): h(6)},
                    "parameters": [
                        {"name": h(0), "in": "path", "required": True,
                         "schema": {"type": "string"}},
                        {"name": h(4), "in": "header", "schema": {"type": "string",
                                                                  "enum": [h(5)]}},
                        {"name": h(6), "in": "query", "description": h(7),
                         "schema": {"type": "string", "default": h(8)}},
                    ],
                    "responses": {"200": {"description": h(5), "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Evil"}}}}},
                },
            },
        },
        "components": {"schemas": schemas},
    }
    files = {name: {"type": "string", "format": "binary", "description": h(i)}
             for i, name in enumerate(PROPS[:10])}
    fields = {name: {"type": "string", "description": h(i)} for i, name in enumerate(PROPS[10:])}
    spec["paths"]["/upload"] = {"post": {  # a multipart body: hostile file and field names
        "operationId": h(9), "summary": h(2),
        "requestBody": {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "properties": {**files, **fields},
                       "required": PROPS[:2]},
            "encoding": {h(3): {"contentType": h(4)}}}}},
        "responses": {"204": {"description": h(1)}}}}
    spec["paths"]["/form"] = {"post": {  # a URL-encoded form: hostile deepObject members
        "operationId": h(10), "summary": h(3),
        "requestBody": {"content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": {
                name: {"type": "array", "items": {"type": "string"}} for name in PROPS}},
            "encoding": {name: {"style": "deepObject", "explode": True}
                         for name in PROPS}}}},
        "responses": {"204": {"description": h(1)}}}}
    return spec


def write_yaml(path: Path, spec: Any) -> Path:
    text = yaml.safe_dump(spec, allow_unicode=False, sort_keys=False, width=1_000_000)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["json", "yaml"])
def evil(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Any:
    tmp = tmp_path_factory.mktemp(f"inject_{request.param}")
    spec = tmp / f"evil.{request.param}"
    (write_spec if request.param == "json" else write_yaml)(spec, hostile_spec())
    package = unique_package("evil")
    result = generate(spec, tmp / "out", package, cache_dir=tmp / "cache")
    with imported(tmp / "out", package) as pkg:
        yield result.package_dir, pkg


def test_spec_strings_reach_the_loader_intact(tmp_path: Path) -> None:
    from runmodels.spec.tree import load_file

    for name, writer in (("s.json", write_spec), ("s.yaml", write_yaml)):
        loaded = load_file(writer(tmp_path / name, hostile_spec()))
        evil_props = loaded["components"]["schemas"]["Evil"]["properties"]
        assert list(evil_props)[: len(PROPS)] == PROPS
        assert list(evil_props["kind"]["enum"]) == HOSTILE


# every comment the Jinja templates write, as a whole comment token
TEMPLATE_COMMENTS = frozenset(
    match.rstrip() for template in (ROOT / "templates").glob("*.jinja")
    for match in re.findall(r"#[^\n]*", template.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_package_compiles_and_holds_no_smuggled_code(evil: Any) -> None:
    package_dir, _ = evil
    assert audit_package(package_dir) >= 15
    for path in package_dir.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = comments(source)
        header = split_header(source)[0].splitlines()  # its first line, then lint directives
        template = ROOT / "templates" / "runtime" / path.name
        if path.parent == package_dir and template.is_file():  # copied verbatim
            own = comments(template.read_text(encoding="utf-8"))
            assert found[len(header):] == own, path
        else:  # a spec-derived module has no comment but its header and the templates' own
            assert found[:len(header)] == header, (path, found)
            assert set(found[len(header):]) <= TEMPLATE_COMMENTS, (path, found)
        assert "PWNED" not in "\n".join(header)


@pytest.mark.slow
def test_enum_values_round_trip_exactly(evil: Any) -> None:
    _, pkg = evil
    assert [m.value for m in pkg.Kinds] == HOSTILE
    kind_enum = type(pkg.Evil.from_dict({"kind": HOSTILE[0]}).kind)
    assert [m.value for m in kind_enum] == HOSTILE
    assert len({m.name for m in pkg.Kinds}) == len(HOSTILE)
    for value in HOSTILE:
        assert pkg.Kinds(value).value == value
        assert pkg.Kinds(value).is_known


def test_descriptions_survive_as_docstrings(evil: Any) -> None:
    _, pkg = evil
    assert clean_doc(pkg.Evil.__doc__) == clean_doc(h(0).strip())
    assert clean_doc(pkg.Kinds.__doc__) == clean_doc(h(7).strip())
    assert clean_doc(pkg.__doc__) == clean_doc(f"{h(0)}: typed models generated by runmodels.")
    module = module_of(pkg, "Evil")
    docs = attribute_docs(Path(module.__file__).read_text(encoding="utf-8"), "Evil")
    fields = [f.name for f in dataclasses.fields(pkg.Evil) if f.name != "_extra"]
    assert len(fields) == len(hostile_spec()["components"]["schemas"]["Evil"]["properties"])
    for i, (json_name, py_name) in enumerate(zip(PROPS, fields)):
        default = json.dumps(h(i + 3), ensure_ascii=False, sort_keys=True)
        text = f"{h(i + 1).strip()}\n\nDefault (applied by the server when absent): {default}"
        if i % 5 == 0:
            text = f"Deprecated. {text}"
        expected = "\n".join(line.rstrip(" ") for line in text.strip().split("\n"))
        assert docs[py_name] == expected, json_name


def test_field_names_are_safe_and_keep_their_json_names(evil: Any) -> None:
    _, pkg = evil
    module = module_of(pkg, "Evil")
    spec_props = hostile_spec()["components"]["schemas"]["Evil"]["properties"]
    assert module._KEYS_Evil == frozenset(spec_props)
    names = [f.name for f in dataclasses.fields(pkg.Evil)]
    assert len(set(names)) == len(names)
    assert all(n.isidentifier() and n.isascii() for n in names)


def evil_payload() -> dict[str, Any]:
    payload: dict[str, Any] = {name: h(i + 11) for i, name in enumerate(PROPS)}
    payload.update({
        "kind": HOSTILE[7], "count": 2, "conf": {k: k for k in HOSTILE},
        "tagged": {"type": PROPS[3], h(12): 7}, "kinds": HOSTILE[::-1], "const": h(0),
        "far": 1e300, "inf_or_half": 0.5,
    })
    payload[f"x-unknown-{P}"] = {h(1): [h(2), None, 3]}
    return payload


def test_payload_round_trips(evil: Any) -> None:
    _, pkg = evil
    payload = evil_payload()
    for strict in (False, True):
        obj = pkg.Evil.from_dict(payload, strict=strict)
        assert obj.to_dict() == payload
        assert json.loads(obj.to_json()) == payload
        assert pkg.Evil.from_json(json.dumps(payload), strict=strict).to_dict() == payload
    assert obj.kind.value == HOSTILE[7]
    assert [k.value for k in obj.kinds] == HOSTILE[::-1]
    assert type(obj.tagged).__name__ != "UnknownVariant"
    assert repr(obj)  # repr of hostile values works


def test_status_helper_with_hostile_values(evil: Any) -> None:
    _, pkg = evil
    for i, value in enumerate(HOSTILE):
        assert pkg.Evil.from_dict({"kind": value}).is_evil is (value in HOSTILE[:5]), i


def test_discriminator_with_hostile_tags(evil: Any) -> None:
    _, pkg = evil
    seen = set()
    for i, name in enumerate(PROPS[:12]):
        payload = {"type": name, h(i + 9): i}
        obj = pkg.decode_tagged(payload, strict=True)
        assert type(obj).__name__ != "UnknownVariant"
        seen.add(type(obj))
        assert obj.to_dict() == payload
    assert len(seen) == 12


def test_file_name_cannot_inject_through_the_header(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"evil\n{P}\n#\u202e.json"
    spec = write_spec(tmp_path / name, {"openapi": "3.1.0", "components": {"schemas": {
        "Thing": {"type": "object", "properties": {"a": {"type": "string"}}}}}})
    monkeypatch.chdir(tmp_path)
    package = unique_package("evilname")
    result = generate(spec.name, tmp_path / "out", package, cache_dir=tmp_path / "cache")
    audit_package(result.package_dir)
    for path in result.package_dir.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert source.startswith("# Generated by runmodels"), path
        first, rest = source.split("\n", 1)
        assert "PWNED" in first and "PWNED" not in rest
    with imported(tmp_path / "out", package) as pkg:
        assert pkg.Thing.from_dict({"a": P}).to_dict() == {"a": P}
