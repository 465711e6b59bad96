"""OpenAPI Overlays: each action kind on a small spec, positions after merging, and malformed
overlays with snapshot messages.

Every `tests/overlays/cases/<case>.yaml` is applied to `tests/overlays/base.yaml` from inside
`tests/overlays/`; the error (or, when the overlay applies, its warnings) must equal
`<case>.expected`.  Refresh after changing a message on purpose:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_overlay.py

then review the diff of tests/overlays/cases/*.expected.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runmodels.build.package_ir import build_package
from runmodels.errors import SpecError
from runmodels.spec.load import SpecSet

HERE = Path(__file__).resolve().parent / "overlays"
BASE = HERE / "base.yaml"
CASES = sorted(p.stem for p in (HERE / "cases").glob("*.yaml"))
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
ROOT = Path(__file__).resolve().parents[1]


def write(tmp: Path, text: str, name: str = "o.yaml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def applied(tmp: Path, actions: str, version: str = "1.1.0") -> Any:
    """base.yaml's root after one overlay with these actions (YAML text of the list)."""
    overlay = write(tmp, f"overlay: {version}\ninfo: {{title: t, version: '1'}}\n"
                         f"actions:\n{actions}")
    specs = SpecSet(BASE, overlays=[overlay])
    assert specs.warnings == []
    return specs.root


# ---- snapshots -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_case_snapshot(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    try:
        pkg = build_package(Path("base.yaml"), "p", overlays=[Path("cases") / f"{case}.yaml"])
        text = "".join(w.format() + "\n" for w in pkg.warnings)
        assert pkg.warnings, "a case that applies cleanly must at least warn"
    except SpecError as error:
        text = f"error: {error.format()}\n"
        assert re.match(r"error: cases/[^ ]+\.yaml:\d+:\d+[ :]", text), text
    # a YAML syntax error is described in the parser's own words, which change between releases
    text = re.sub(r"(: invalid YAML: ).*", r"\1<the parser's message>", text)
    snap = HERE / "cases" / f"{case}.expected"
    if UPDATE:
        snap.write_text(text, encoding="utf-8")
    assert text == snap.read_text(encoding="utf-8")


def test_every_snapshot_has_a_case() -> None:
    assert {p.stem for p in (HERE / "cases").glob("*.expected")} == set(CASES)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runmodels", *args], check=False,
                          capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "RUNMODELS_CACHE": "off",
                               "PYTHONPATH": str(ROOT)})


@pytest.mark.slow
def test_cli_reports_one_message_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = cli("generate", str(BASE), "--out", str(out), "--package", "p", "--overlay",
              str(HERE / "cases" / "jsonpath_syntax.yaml"), cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and not (out / "p").exists()
    assert run.stderr.startswith("error: ") and "jsonpath_syntax.yaml:4:5 (#/actions/0/target)" \
        in run.stderr
    warned = cli("generate", str(BASE), "--out", str(out), "--package", "p", "--overlay",
                 str(HERE / "cases" / "warn_no_match.yaml"), "-v", cwd=tmp_path)
    assert warned.returncode == 0, warned.stderr
    assert "warning[overlay-target-unmatched]: target \"$.paths.*[?@.operationId == " \
        "'deletePet']\" matches nothing" in warned.stderr


# ---- the action kinds ------------------------------------------------------------------------


def test_update_merges_recursively(tmp_path: Path) -> None:
    root = applied(tmp_path, """\
  - target: $
    update:
      info: {title: Renamed, x-new: {deep: 1}}
      tags: [{name: extra}]
      components:
        schemas:
          Pet:
            required: [tag]
            properties: {tag: {description: The tag.}}
      paths:
""")
    assert root["info"]["title"] == "Renamed" and root["info"]["version"] == "1.0.0"
    assert root["info"]["x-new"] == {"deep": 1}
    assert [t["name"] for t in root["tags"]] == ["pets", "extra"]  # lists are concatenated
    pet = root["components"]["schemas"]["Pet"]
    assert pet["required"] == ["name", "tag"]
    assert pet["properties"]["tag"] == {"type": "string", "description": "The tag."}
    assert set(root["paths"]) == {"/pets", "/pets/{id}"}  # `paths:` (null) leaves it alone


def test_update_appends_to_lists_by_version(tmp_path: Path) -> None:
    one = "  - target: $.paths['/pets'].get.parameters\n    update: {name: q, in: query}\n"
    root = applied(tmp_path, one + "  - target: $.tags\n    update: [{name: a}, {name: b}]\n")
    assert [p["name"] for p in root["paths"]["/pets"]["get"]["parameters"]] == [
        "limit", "dummy", "q"]
    assert [t["name"] for t in root["tags"]] == ["pets", "a", "b"]  # 1.1: concatenated
    old = applied(tmp_path, "  - target: $.tags\n    update: [{name: a}]\n", version="1.0.0")
    assert old["tags"][1] == [{"name": "a"}]  # 1.0: "an entry to append to the array"


def test_update_replaces_scalars(tmp_path: Path) -> None:
    root = applied(tmp_path, """\
  - target: $.paths.*.*.operationId
    update: renamed
  - target: $.components.schemas.Pet.properties.status.enum[1]
    update: adopted
""")
    ops = [op["operationId"] for item in root["paths"].values() for op in item.values()]
    assert ops == ["renamed"] * 3
    assert root["components"]["schemas"]["Pet"]["properties"]["status"]["enum"] == [
        "available", "adopted"]


def test_remove(tmp_path: Path) -> None:
    root = applied(tmp_path, """\
  - target: $.paths['/pets'].get.parameters[?@.name == 'dummy' || @.name == 'limit']
    remove: true
  - target: $.paths.*[?@.deprecated == true]
    remove: true
  - target: $.components.schemas.Pet.properties.status.enum[?@ == 'sold']
    remove: true
""")
    assert root["paths"]["/pets"]["get"]["parameters"] == []
    assert "get" not in root["paths"]["/pets/{id}"]
    assert root["components"]["schemas"]["Pet"]["properties"]["status"]["enum"] == ["available"]


def test_copy_then_remove_moves_a_node(tmp_path: Path) -> None:
    root = applied(tmp_path, """\
  - target: $.paths
    update: {/animals: {}}
  - target: $.paths['/animals']
    copy: $.paths['/pets']
  - target: $.paths['/pets']
    remove: true
  - target: $.paths['/animals'].get.operationId
    copy: $.paths['/animals'].post.operationId
""")
    assert list(root["paths"]) == ["/pets/{id}", "/animals"]
    animals = root["paths"]["/animals"]
    assert animals["get"]["operationId"] == "creatPet" and animals["post"]["tags"] == ["pets"]
    # a copy is a copy: changing it later leaves the source alone
    assert animals["get"] is not animals["post"]


def test_actions_apply_in_order_and_overlays_in_order(tmp_path: Path) -> None:
    first = write(tmp_path, "overlay: 1.1.0\ninfo: {title: a, version: '1'}\nactions:\n"
                            "  - {target: $.info, update: {title: First}}\n"
                            "  - {target: $.info.title, remove: true}\n"
                            "  - {target: $.info, update: {title: Second}}\n", "a.yaml")
    second = write(tmp_path, "overlay: 1.0.0\ninfo: {title: b, version: '1'}\nactions:\n"
                             "  - {target: $.info, update: {summary: Third}}\n", "b.yaml")
    pkg = build_package(BASE, "p", overlays=[first, second])
    assert pkg.title == "Second"
    assert pkg.spec_display.endswith("base.yaml + overlay a.yaml + overlay b.yaml")


def test_positions_of_merged_values_point_into_the_overlay(tmp_path: Path) -> None:
    overlay = write(tmp_path, """\
overlay: 1.1.0
info: {title: t, version: '1'}
actions:
  - target: $.components.schemas.Pet
    update:
      description: Replaced here.
      properties:
        age: {type: integer}
""")
    specs = SpecSet(BASE, overlays=[overlay])
    pet = specs.root["components"]["schemas"]["Pet"]
    assert specs.location(pet["properties"]["age"]) == (overlay.resolve(), 8, 14)
    assert specs.location(pet, "description") == (overlay.resolve(), 6, 7)
    assert specs.location(pet, "type") == (BASE, 55, 7)  # untouched keys stay in the spec


def test_name_extensions_arrive_through_an_overlay(tmp_path: Path) -> None:
    overlay = write(tmp_path, """\
overlay: 1.1.0
info: {title: t, version: '1'}
actions:
  - target: $.paths.*[?@.operationId == 'creatPet']
    update:
      x-runmodels-method: create_pet
  - target: $.paths['/pets'].post.requestBody.content['application/json'].schema
    update: {x-runmodels-name: NewPet}
  - target: $.components.schemas.Pet
    update: {x-runmodels-name: Animal}
""")
    pkg = build_package(BASE, "p", overlays=[overlay])
    assert sorted(pkg.entities) == ["Animal", "AnimalStatus", "NewPet"]
    assert [op.name for op in pkg.operations] == ["list_pets", "create_pet", "get_pet"]
    assert dict(pkg.schema_names)["Pet"] == "Animal"


# ---- configuration, headers, memo and --check --------------------------------------------------


@pytest.mark.slow
def test_config_target_with_overlays_and_check_sees_overlay_edits(tmp_path: Path) -> None:
    overlay = write(tmp_path, "overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n"
                              "  - target: $.components.schemas.Pet\n"
                              "    update: {x-runmodels-name: Animal}\n", "names.overlay.yaml")
    (tmp_path / "pyproject.toml").write_text(
        "[[tool.runmodels.targets]]\n"
        f"spec = {str(BASE)!r}\nout = 'out'\npackage = 'pets'\n"
        "overlays = ['names.overlay.yaml']\n", encoding="utf-8")
    cache = {**os.environ, "RUNMODELS_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "runmodels", *args], check=False,
                              capture_output=True, text=True, cwd=tmp_path, timeout=120,
                              env=cache)

    assert run("generate").returncode == 0
    models = tmp_path / "out" / "pets" / "models"
    header = (models / "animal.py").read_text(encoding="utf-8").splitlines()[0]
    assert "from base.yaml + overlay names.overlay.yaml. Do not edit" in header
    manifest = json.loads((models.parent / ".runmodels-manifest.json").read_text())
    assert manifest["overlays"] == ["names.overlay.yaml"] and manifest["spec_sha256"]
    assert run("generate", "--check").returncode == 0
    overlay.write_text(overlay.read_text(encoding="utf-8").replace("Animal", "Beast"),
                       encoding="utf-8")
    stale = run("generate", "--check")  # the memo keys on the overlay's bytes: no stale hit
    assert stale.returncode == 1 and "beast.py" in stale.stderr, stale.stderr
    assert run("generate").returncode == 0 and (models / "beast.py").is_file()
    assert not (models / "animal.py").exists()


def test_config_refuses_a_missing_overlay(tmp_path: Path) -> None:
    from runmodels.cli.config import load_config

    config = tmp_path / "runmodels.toml"
    config.write_text("[[tool.runmodels.targets]]\n"
                      f"spec = {str(BASE)!r}\nout = 'out'\npackage = 'pets'\n"
                      "overlays = ['missing.yaml']\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_config(config)
    assert caught.value.line == 5 and "overlay file not found" in caught.value.message


def test_field_and_argument_names_through_an_overlay(tmp_path: Path) -> None:
    import importlib
    import inspect
    import io

    from runmodels.api import generate

    overlay = write(tmp_path, """\
overlay: 1.1.0
info: {title: t, version: '1'}
actions:
  - target: $.components.schemas.Pet.properties.tag
    update: {x-runmodels-field: label}
  - target: $.paths['/pets'].get.parameters[?@.name == 'limit']
    update: {x-runmodels-argument: max_items}
  - target: $.paths.*[?@.operationId == 'creatPet']
    update: {x-runmodels-method: create_pet}
""")
    generate(BASE, tmp_path / "out", "renamed_pets", overlays=[overlay],
             cache_dir=tmp_path / "cache")
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        pets = importlib.import_module("renamed_pets")
        pet = pets.Pet(name="Rex", label="dog")
        assert pet.to_dict() == {"name": "Rex", "tag": "dog"}  # the JSON name is unchanged
        assert pets.Pet.from_dict({"name": "Rex", "tag": "dog"}).label == "dog"
        assert "max_items" in inspect.signature(pets.Client.list_pets).parameters
        sent = []

        class Recorder:
            def send(self, request: Any, *, timeout: float, stream: bool) -> Any:
                sent.append(request)
                return pets.Response(200, [("content-type", "application/json")],
                                     io.BytesIO(b"[]"), request=request)

        client = pets.Client("http://127.0.0.1:9", "k", transport=Recorder())
        assert client.list_pets(max_items=3) == []
        assert sent[0].url.endswith("/pets?limit=3")
        assert callable(client.create_pet) and not hasattr(client, "creat_pet")
    finally:
        sys.path.remove(str(tmp_path / "out"))
        for name in [n for n in sys.modules if n.split(".")[0] == "renamed_pets"]:
            del sys.modules[name]


# ---- the docs ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_build_step_overlay_example_works_as_written(tmp_path: Path) -> None:
    """docs/build-step.md's overlay, command and printed line, run in a copy of the repo's specs."""
    import shlex
    import shutil

    docs = (ROOT / "docs" / "build-step.md").read_text(encoding="utf-8")
    section = docs.split("## Overlays: changing a spec you do not own", 1)[1]
    overlay = re.search(r"```yaml\n# names\.overlay\.yaml\n(.*?)```", section, re.DOTALL)
    console = re.search(r"```console\n(\$ runmodels generate specs/runs_v2.yaml .*?)```",
                        section, re.DOTALL)
    assert overlay and console, "docs/build-step.md lost its overlay example"
    (tmp_path / "names.overlay.yaml").write_text(overlay.group(1), encoding="utf-8")
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    lines = console.group(1).splitlines()
    generate_line, python_line, printed = lines[0], lines[1], lines[2]
    env = {**os.environ, "RUNMODELS_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    args = shlex.split(generate_line[2:])
    assert args[0] == "runmodels"
    made = subprocess.run([sys.executable, "-m", "runmodels", *args[1:]], check=False,
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert made.returncode == 0 and "warning" not in made.stderr, made.stderr
    args = shlex.split(python_line[2:])
    assert args[0] == "python"
    shown = subprocess.run([sys.executable, *args[1:]], check=False, capture_output=True,
                           text=True, cwd=tmp_path, timeout=60)
    assert shown.stdout.strip() == printed.strip(), shown.stderr
    header = (tmp_path / "gen" / "runs" / "models" / "run.py").read_text().splitlines()[0]
    assert "from specs/runs_v2.yaml + overlay names.overlay.yaml. Do not edit" in header


def test_diff_with_one_overlay_per_side(tmp_path: Path) -> None:
    rename = write(tmp_path, "overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n"
                             "  - target: $.paths.*[?@.operationId == 'creatPet']\n"
                             "    update: {x-runmodels-method: create_pet}\n", "fix.yaml")
    both = write(tmp_path, "overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n"
                           "  - target: $.components.schemas.Pet\n"
                           "    update: {x-runmodels-name: Animal}\n", "both.yaml")
    report = cli("diff", str(BASE), str(BASE), "--overlay", str(both), "--new-overlay",
                 str(rename), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    lines = report.stdout.splitlines()
    assert lines[0] == ("API changes from base.yaml + overlay both.yaml to base.yaml + overlay "
                        "both.yaml + overlay fix.yaml")
    assert "creat_pet (operation)" in report.stdout and "create_pet" in report.stdout
    assert "Animal" not in report.stdout  # the same on both sides: no change
    warned = cli("diff", str(BASE), str(BASE), "--new-overlay",
                 str(HERE / "cases" / "warn_no_match.yaml"), cwd=tmp_path)
    assert warned.returncode == 0, warned.stderr
    assert warned.stderr.count("matches nothing; the action changes nothing") == 2  # once each
    assert "warning" not in warned.stdout
    same = cli("diff", str(BASE), str(BASE), "--old-overlay", str(rename), "--new-overlay",
               str(rename), "--fail-on", "any", cwd=tmp_path)
    assert same.returncode == 0 and "no changes to the generated API" in same.stdout, same.stdout


def test_copy_onto_itself_or_into_its_own_child(tmp_path: Path) -> None:
    root = applied(tmp_path, """\
  - target: $.tags
    copy: $.tags
  - target: $.info
    copy: $
""")
    assert [t["name"] for t in root["tags"]] == ["pets", "pets"]
    assert root["info"]["openapi"] == "3.1.0" and root["info"]["info"]["title"] == "Pet store"


def test_names_from_an_overlay_cannot_inject_code(tmp_path: Path) -> None:
    overlay = write(tmp_path, """\
overlay: 1.1.0
info: {title: t, version: '1'}
actions:
  - target: $.components.schemas.Pet
    update: {x-runmodels-name: "X'); import os; os.system('boom') #"}
  - target: $.components.schemas.Pet.properties.name
    update: {x-runmodels-field: "class"}
  - target: $.paths.*[?@.operationId == 'getPet']
    update: {x-runmodels-method: "close"}
  - target: $.paths['/pets'].get.parameters[0]
    update: {x-runmodels-argument: "def\\n  pass"}
""")
    pkg = build_package(BASE, "p", overlays=[overlay])
    assert all(name.isidentifier() for name in pkg.entities)
    assert dict(pkg.schema_names)["Pet"] == "XImportOsOsSystemBoom"
    pet = pkg.entities["XImportOsOsSystemBoom"]
    assert pet.fields[0].name == "class_"  # a keyword gets its underscore
    names = [op.name for op in pkg.operations]
    assert "close" not in names and all(n.isidentifier() for n in names)  # Client.close stays
    params = [p.name for op in pkg.operations for p in op.parameters]
    assert all(p.isidentifier() for p in params)


def test_yaml_aliases_are_edited_at_one_place_only(tmp_path: Path) -> None:
    spec = write(tmp_path, """\
openapi: 3.1.0
info: {title: Aliased, version: '1'}
paths: {}
components:
  schemas:
    A: &shared
      type: object
      properties: {x: {type: string}}
    B: *shared
""", "aliased.yaml")
    overlay = write(tmp_path, "overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n"
                              "  - target: $.components.schemas.B.properties\n"
                              "    update: {y: {type: integer}}\n")
    schemas = SpecSet(spec, overlays=[overlay]).root["components"]["schemas"]
    assert list(schemas["A"]["properties"]) == ["x"]
    assert list(schemas["B"]["properties"]) == ["x", "y"]
    pkg = build_package(spec, "p", overlays=[overlay])
    assert [f.json_name for f in pkg.entities["B"].fields] == ["x", "y"]


def test_deeply_nested_filters_are_an_error_not_a_crash() -> None:
    from runmodels.spec.jsonpath import JSONPathError, compile_query

    with pytest.raises(JSONPathError, match="nest deeper than 64 levels"):
        compile_query("$[?" + "(" * 500 + "@.a" + ")" * 500 + "]")
    with pytest.raises(JSONPathError, match="nest deeper"):
        compile_query("$" + "[?@" * 200 + "]" * 200)


def test_overlay_option_needs_a_spec_argument(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f"[[tool.runmodels.targets]]\nspec = {str(BASE)!r}\nout = 'out'\npackage = 'pets'\n",
        encoding="utf-8")
    overlay = HERE / "cases" / "warn_no_match.yaml"
    run = cli("generate", "--overlay", str(overlay), cwd=tmp_path)
    assert run.returncode == 2 and "--overlay goes with a SPEC argument" in run.stderr
    missing = cli("generate", str(BASE), "--out", "o", "--package", "p", "--overlay", "nope.yaml",
                  cwd=tmp_path)
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr
    assert "Traceback" not in run.stderr + missing.stderr


def test_a_chosen_class_name_that_is_taken_is_a_warning(tmp_path: Path) -> None:
    overlay = write(tmp_path, """\
overlay: 1.1.0
info: {title: t, version: '1'}
actions:
  - target: $.components.schemas
    update:
      Animal: {type: object, properties: {kind: {type: string}}}
  - target: $.components.schemas.Pet
    update: {x-runmodels-name: Animal}
  - target: $.paths['/pets'].post.requestBody.content['application/json'].schema
    update: {x-runmodels-name: Animal}
""")
    pkg = build_package(BASE, "p", overlays=[overlay])
    # the chosen name wins over a component's own key; the inline schema cannot have it too
    assert dict(pkg.schema_names) == {"Pet": "Animal", "Animal": "Animal2"}
    (warning,) = pkg.warnings
    assert "x-runmodels-name 'Animal' is taken; the class is named Animal3" in warning.format()
    assert warning.format().startswith(f"{overlay}:10:14 (#/paths/~1pets/post/")  # the overlay
