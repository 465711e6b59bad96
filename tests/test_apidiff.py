"""`runmodels diff`: the v1 -> v2 report (golden files) and each breaking-change rule."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runmodels.cli.main import main
from runmodels.diff.apidiff import INPUT, OUTPUT, Change, _Api, _diff, diff_specs
from runmodels.ir.nodes import Operation, Parameter, TypeRef

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
UPDATE = "UPDATE_SNAPSHOTS"  # the same switch as every snapshot test


def _compare_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get(UPDATE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8") if path.is_file() else None
    assert actual == expected, (
        f"{path.relative_to(ROOT)} differs from the report; if the new report is right, update "
        f"the golden files with:\n    {UPDATE}=1 python -m pytest tests/test_apidiff.py "
        "tests/test_changelog.py\n"
        "and review `git diff tests/golden`."
    )


@pytest.mark.parametrize("fmt,name", [("text", "runs_v1_to_v2.txt"),
                                      ("json", "runs_v1_to_v2.json")])
def test_v1_to_v2_report_matches_golden(fmt: str, name: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["diff", "specs/runs_v1.yaml", "specs/runs_v2.yaml",
                                       "--format", fmt])
    assert result.exit_code == 0, result.output
    _compare_golden(name, result.output)


def test_v1_to_v2_tells_the_real_story(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = diff_specs("specs/runs_v1.yaml", "specs/runs_v2.yaml")
    found = {(c.entity, c.member, c.kind): c.breaking for c in report.changes}
    assert found[("Run", "file_ids", "field-removed")] is True
    assert found[("RetrievalTool", None, "model-removed")] is True
    assert found[("RetrievalToolCall", None, "model-removed")] is True
    assert found[("AssistantTool", "RetrievalTool", "union-variant-removed")] is True
    assert found[("AssistantTool", "FileSearchTool", "union-variant-added")] is False
    assert found[("FileSearchTool", None, "model-added")] is False
    assert found[("RunStatus", "incomplete", "enum-member-added")] is False
    # new fields the server always sends are not breaking for code reading a Run
    assert found[("Run", "incomplete_details", "field-added")] is False
    assert found[("CreateRunRequest", "tool_choice", "field-added")] is False


def test_fail_on_breaking_and_no_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    v1, v2 = "specs/runs_v1.yaml", "specs/runs_v2.yaml"
    assert runner.invoke(main, ["diff", v1, v2, "--fail-on", "breaking"]).exit_code == 1
    same = runner.invoke(main, ["diff", v1, v1, "--fail-on", "any"])
    assert same.exit_code == 0
    assert "no changes to the generated API" in same.output
    selected = runner.invoke(main, ["diff", v1, v2, "--select", "RunStatus", "--format", "json"])
    assert selected.exit_code == 0
    doc = json.loads(selected.output)
    assert [(c["entity"], c["member"]) for c in doc["changes"]] == [("RunStatus", "incomplete")]
    assert doc["summary"] == {"breaking": 0, "non_breaking": 1}


def test_bad_inputs_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    missing = runner.invoke(main, ["diff", "specs/runs_v1.yaml", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "nope.yaml" in missing.output
    assert "Traceback" not in missing.output
    unknown = runner.invoke(main, ["diff", "specs/runs_v1.yaml", "specs/runs_v2.yaml",
                                   "--select", "NoSuchSchema"])
    assert unknown.exit_code == 2 and "NoSuchSchema" in unknown.output
    assert runner.invoke(main, ["diff", "specs/runs_v1.yaml", "specs/runs_v2.yaml",
                                "--format", "xml"]).exit_code == 2



def test_overlay_warnings_are_objects_the_cli_prints_located(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "api.yaml"
    spec.write_text(BASE, encoding="utf-8")
    overlay = tmp_path / "names.overlay.yaml"
    overlay.write_text("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
                       "  - target: $.nowhere\n    update: {x: 1}\n", encoding="utf-8")
    report = diff_specs(spec, spec, old_overlays=[overlay], new_overlays=[overlay])
    (warning,) = report.warnings  # the same warning of both sides, once
    assert (warning.code, warning.line, warning.pointer) == ("overlay-target-unmatched", 4,
                                                             "/actions/0")
    assert warning.file is not None and Path(warning.file).resolve() == overlay.resolve()
    result = CliRunner().invoke(main, ["diff", str(spec), str(spec), "--overlay", str(overlay)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == warning.format()
    assert result.stderr.startswith(
        "names.overlay.yaml:4:5 (#/actions/0): warning[overlay-target-unmatched]: ")

# ---- the rules, on small specs with a request and a response -----------------------------------

BASE = """
openapi: 3.1.0
info: {title: Rules, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/CreateThingRequest"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    CreateThingRequest:
      type: object
      required: [name]
      properties:
        name: {type: string}
        size: {type: integer}
        mode: {type: string, default: fast}
        kind: {$ref: "#/components/schemas/Kind"}
    Thing:
      type: object
      required: [id, name, size]
      properties:
        id: {type: string}
        name: {type: string}
        size: {type: integer}
        score: {type: integer}
        kind: {$ref: "#/components/schemas/Kind"}
        part: {$ref: "#/components/schemas/Part"}
    Kind:
      type: string
      enum: [small, large]
    Part:
      oneOf:
        - {$ref: "#/components/schemas/Wheel"}
        - {$ref: "#/components/schemas/Door"}
      discriminator: {propertyName: type}
    Wheel:
      type: object
      required: [type]
      properties:
        type: {type: string, enum: [wheel]}
    Door:
      type: object
      required: [type]
      properties:
        type: {type: string, enum: [door]}
"""


def _changes(tmp_path: Path, *edits: tuple[str, str]) -> dict[tuple[str, str | None, str], Change]:
    new = BASE
    for old_text, new_text in edits:
        assert old_text in new, old_text
        new = new.replace(old_text, new_text)
    (tmp_path / "old.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    report = diff_specs(tmp_path / "old.yaml", tmp_path / "new.yaml")
    return {(c.entity, c.member, c.kind): c for c in report.changes}


def _breaking(changes: dict[tuple[str, str | None, str], Change]) -> dict[tuple[str, str | None,
                                                                             str], bool]:
    return {key: change.breaking for key, change in changes.items()}


def test_identical_specs_have_no_changes(tmp_path: Path) -> None:
    assert _changes(tmp_path) == {}


def test_usage_comes_from_the_paths(tmp_path: Path) -> None:
    changes = _changes(tmp_path, ("name: {type: string}\n        size",
                                  "name: {type: string}\n        extra: {type: string}\n        size"))
    assert changes[("CreateThingRequest", "extra", "field-added")].usage == "request"
    assert changes[("Thing", "extra", "field-added")].usage == "response"


def test_new_required_field_breaks_callers_not_readers(tmp_path: Path) -> None:
    found = _breaking(_changes(
        tmp_path,
        ("required: [name]\n", "required: [name, color]\n"),
        ("required: [id, name, size]\n", "required: [id, name, size, color]\n"),
        ("name: {type: string}\n        size", "name: {type: string}\n        color: {type: string}\n"
         + "        size"),
    ))
    assert found[("CreateThingRequest", "color", "field-added")] is True
    assert found[("Thing", "color", "field-added")] is False


def test_new_optional_field_breaks_nobody(tmp_path: Path) -> None:
    found = _breaking(_changes(tmp_path, ("name: {type: string}\n        size",
                                          "name: {type: string}\n        note: {type: string}\n"
                                          + "        size")))
    assert found == {("CreateThingRequest", "note", "field-added"): False,
                     ("Thing", "note", "field-added"): False}


def test_removed_field_breaks_everyone(tmp_path: Path) -> None:
    found = _breaking(_changes(tmp_path, ("        size: {type: integer}\n        mode", "        mode"),
                               ("        score: {type: integer}\n", "")))
    assert found == {("CreateThingRequest", "size", "field-removed"): True,
                     ("Thing", "score", "field-removed"): True}


def test_nullability_breaks_readers_when_added_and_callers_when_removed(tmp_path: Path) -> None:
    found = _breaking(_changes(tmp_path, ("size: {type: integer}\n        mode",
                                          "size: {type: [integer, 'null']}\n        mode"),
                               ("score: {type: integer}", "score: {type: [integer, 'null']}")))
    assert found == {("CreateThingRequest", "size", "nullable"): False,
                     ("Thing", "score", "nullable"): True}
    (tmp_path / "n").mkdir()
    nullable = BASE.replace("score: {type: integer}", "score: {type: [integer, 'null']}")
    (tmp_path / "n" / "old.yaml").write_text(nullable.replace(
        "size: {type: integer}\n        mode", "size: {type: [integer, 'null']}\n        mode"))
    (tmp_path / "n" / "new.yaml").write_text(BASE)
    back = {(c.entity, c.member, c.kind): c.breaking
            for c in diff_specs(tmp_path / "n" / "old.yaml", tmp_path / "n" / "new.yaml").changes}
    assert back == {("CreateThingRequest", "size", "not-nullable"): True,
                    ("Thing", "score", "not-nullable"): False}


def test_required_ness_changes(tmp_path: Path) -> None:
    found = _breaking(_changes(tmp_path, ("required: [name]\n", "required: [name, size]\n"),
                               ("required: [id, name, size]\n", "required: [id, name]\n")))
    assert found == {("CreateThingRequest", "size", "field-required"): True,
                     ("Thing", "size", "field-optional"): True}
    found = _breaking(_changes(tmp_path, ("required: [name]\n", "required: []\n"),
                               ("required: [id, name, size]\n", "required: [id, name, size, score]\n")))
    assert found == {("CreateThingRequest", "name", "field-optional"): False,
                     ("Thing", "score", "field-required"): False}


def test_type_changes_follow_who_holds_the_value(tmp_path: Path) -> None:
    # int -> float: a float does not fit code reading an int; an int still fits a float parameter
    found = _breaking(_changes(tmp_path, ("size: {type: integer}\n        mode",
                                          "size: {type: number}\n        mode"),
                               ("score: {type: integer}", "score: {type: number}")))
    assert found == {("CreateThingRequest", "size", "type-changed"): False,
                     ("Thing", "score", "type-changed"): True}
    found = _breaking(_changes(tmp_path, ("score: {type: integer}", "score: {type: string}")))
    assert found == {("Thing", "score", "type-changed"): True}


def test_default_changes(tmp_path: Path) -> None:
    changes = _changes(tmp_path, ("default: fast", "default: slow"))
    change = changes[("CreateThingRequest", "mode", "field-default")]
    assert change.breaking and (change.old, change.new) == ('"fast"', '"slow"')
    assert not _changes(tmp_path, ("mode: {type: string, default: fast}",
                                   "mode: {type: string}"))[
        ("CreateThingRequest", "mode", "field-default")].breaking


def test_enum_members(tmp_path: Path) -> None:
    found = _breaking(_changes(tmp_path, ("enum: [small, large]", "enum: [small, large, huge]")))
    assert found == {("Kind", "huge", "enum-member-added"): False}
    found = _breaking(_changes(tmp_path, ("enum: [small, large]", "enum: [small]")))
    assert found == {("Kind", "large", "enum-member-removed"): True}


def test_union_variants(tmp_path: Path) -> None:
    extra = ('        - {$ref: "#/components/schemas/Door"}\n'
             '        - {$ref: "#/components/schemas/Roof"}\n')
    roof = ("    Roof:\n      type: object\n      required: [type]\n      properties:\n"
            "        type: {type: string, enum: [roof]}\n")
    found = _breaking(_changes(tmp_path, ('        - {$ref: "#/components/schemas/Door"}\n', extra),
                               ("    Wheel:\n", roof + "    Wheel:\n")))
    assert found == {("Part", "Roof", "union-variant-added"): False,
                     ("Roof", None, "model-added"): False}
    found = _breaking(_changes(tmp_path, ('        - {$ref: "#/components/schemas/Door"}\n',
                                          '        - {$ref: "#/components/schemas/Roof"}\n'),
                               ("    Wheel:\n", roof + "    Wheel:\n")))
    assert found == {("Part", "Door", "union-variant-removed"): True,
                     ("Part", "Roof", "union-variant-added"): False,
                     ("Roof", None, "model-added"): False}


def test_text_report_marks_breaking_changes(tmp_path: Path) -> None:
    _changes(tmp_path, ("score: {type: integer}", "score: {type: [integer, 'null']}"),
             ("enum: [small, large]", "enum: [small, large, huge]"))
    text = diff_specs(tmp_path / "old.yaml", tmp_path / "new.yaml").to_text()
    expected = textwrap.dedent("""\
        1 breaking, 1 non-breaking

        Breaking changes:
          Thing (response)
            ! field score may now be None — breaks readers

        Non-breaking changes:
          Kind (request and response)
            - member HUGE ("huge") added
        """)
    assert text.endswith(expected), text


# ---- operations (compared when the IR carries them) --------------------------------------------

STR = TypeRef("str")


def _op(name: str = "get_thing", **changes: object) -> Operation:
    fields: dict[str, object] = {
        "name": name, "operation_id": name, "method": "get", "path": "/things/{id}",
        "parameters": (Parameter("id", "id", "path", STR, True),
                       Parameter("limit", "limit", "query", TypeRef("int"), False),
                       Parameter("beta", "OpenAI-Beta", "header", STR, True,
                                 fixed_value="v1")),
        "result": TypeRef("model", "Thing"),
    }
    fields.update(changes)
    return Operation(**fields)  # type: ignore[arg-type]


def _op_diff(old: Operation | None, new: Operation | None) -> dict[tuple[str | None, str], bool]:
    before = _Api({}, {old.name: old} if old else {})
    after = _Api({}, {new.name: new} if new else {})
    return {(c.member, c.kind): c.breaking for c in _diff(before, after)}


def test_operation_rules() -> None:
    base = _op()
    assert _op_diff(base, base) == {}
    assert _op_diff(None, base) == {(None, "operation-added"): False}
    assert _op_diff(base, None) == {(None, "operation-removed"): True}
    assert _op_diff(base, _op(path="/v2/things/{id}")) == {
        (None, "operation-endpoint-changed"): False}
    params = base.parameters
    assert _op_diff(base, _op(parameters=params[:1] + params[2:])) == {
        ("query:limit", "parameter-removed"): True}
    required = Parameter("limit", "limit", "query", TypeRef("int"), True)
    assert _op_diff(base, _op(parameters=(params[0], required, params[2]))) == {
        ("query:limit", "parameter-required"): True}
    extra = Parameter("order", "order", "query", STR, False)
    assert _op_diff(base, _op(parameters=params + (extra,))) == {
        ("query:order", "parameter-added"): False}
    beta = Parameter("beta", "OpenAI-Beta", "header", STR, True, fixed_value="v2")
    assert _op_diff(base, _op(parameters=params[:2] + (beta,))) == {
        ("header:OpenAI-Beta", "fixed-header-changed"): False}
    assert _op_diff(base, _op(result=TypeRef("model", "Thing", nullable=True))) == {
        ("result", "nullable"): True}
    assert _op_diff(base, _op(body=STR, body_required=True)) == {("body", "body-added"): True}
    assert _op_diff(_op(body=TypeRef("int")), _op(body=TypeRef("float"))) == {
        ("body", "type-changed"): False}


def test_roles_are_exposed_for_json(tmp_path: Path) -> None:
    _changes(tmp_path)
    doc = json.loads(diff_specs(tmp_path / "old.yaml", tmp_path / "old.yaml").to_json())
    assert doc["summary"] == {"breaking": 0, "non_breaking": 0}
    assert INPUT != OUTPUT
