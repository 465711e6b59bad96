"""Malformed specs through the real CLI: one clear message, exit 2, no traceback, bounded
memory and time, and the output folder untouched.

Every `tests/bad_specs/<case>.<ext>` (files under `helpers/` are only referenced by cases) is
generated with `python -m runmodels generate <case> --out OUT --package p` in a child process
limited to 2 GB of address space and 20 s. Its stderr, with the temp folder replaced by
`<tmp>`, must equal `tests/bad_specs/<case>.expected`.

Refresh the snapshots after changing a message on purpose:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_hostile_bad_specs.py

then review the diff of tests/bad_specs/*.expected. Cases named `ok_*` are hostile but valid:
they must generate (exit 0) a package that imports. Cases in LOCAL_DEFECTS are defects of one
schema or operation: they generate with a warning of that code, and with `--strict-spec` (which
their snapshot holds) they are refused like the rest.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from _hostile import ROOT, audit_package, imported, unique_package

from runmodels.api import generate

CASES_DIR = Path(__file__).resolve().parent / "bad_specs"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
TIMEOUT = 20
MEMORY = 2 * 1024**3

# case -> (has a file:line:col, has a JSON pointer); every error case must be listed here.
ERROR_CASES: dict[str, tuple[bool, bool]] = {
    "invalid_yaml_syntax": (True, False),
    "invalid_yaml_tab_indent": (True, False),
    "invalid_json": (True, False),
    "empty_file": (True, False),
    "only_comments": (True, False),
    "root_is_list": (True, False),
    "root_is_scalar": (True, False),
    "not_openapi": (True, False),
    "multiple_documents": (True, False),
    "dangling_ref": (True, True),
    "circular_ref_chain": (True, True),
    "self_ref": (True, True),
    "circular_ref_across_files": (True, True),
    "ref_missing_file": (True, False),
    "ref_missing_pointer_in_file": (True, True),
    "ref_outside_root": (True, False),
    "ref_absolute_path": (True, False),
    "ref_url": (True, False),
    "ref_non_string": (True, True),
    "ref_named_anchor": (True, False),
    "unsupported_type": (True, True),
    "allof_contradiction": (True, True),
    "enum_of_objects": (True, True),
    "enum_not_list": (True, True),
    "oneof_not_list": (True, True),
    "allof_not_list": (True, True),
    "deep_nesting_1000": (True, False),
    "deep_schema_nesting": (True, True),
    "billion_laughs": (True, False),
    "merge_bomb": (True, False),
    "file_50mb": (True, False),
    "binary_garbage": (True, False),
    "nul_byte": (True, False),
    "huge_integer": (True, False),
    "python_object_tag": (True, False),
    "custom_tag": (True, False),
    "discriminator_mapping_to_nothing": (True, True),
    "discriminator_mapping_to_non_object": (True, True),
    "schema_is_list": (True, True),
    "schema_is_scalar": (True, True),
    "schemas_is_list": (True, True),
    "components_is_scalar": (True, True),
    "status_not_mapping": (True, True),
    "status_unknown_field": (True, True),
    "status_helper_keyword": (True, True),
    "status_helper_shadows_method": (True, True),
    "status_values_not_strings": (True, True),
    "alias_undefined": (True, False),
    "alias_recursive": (True, False),
    "bad_explicit_int": (True, False),
    "complex_key": (True, False),
    "allof_chain_1000": (True, True),
}

# case -> the warning code it generates with (without --strict-spec): a repair, not a refusal
LOCAL_DEFECTS: dict[str, str] = {
    "dangling_ref": "ref-unresolved",
    "circular_ref_chain": "ref-unresolved",
    "self_ref": "ref-unresolved",
    "circular_ref_across_files": "ref-unresolved",
    "ref_missing_file": "ref-unresolved",
    "ref_missing_pointer_in_file": "ref-unresolved",
    "allof_contradiction": "allof-unsatisfiable",
    "discriminator_mapping_to_nothing": "ref-unresolved",
}


def _make_50mb(path: Path) -> None:
    """A syntactically fine spec just over the size limit (made here, never committed)."""
    filler = "    # " + "x" * 1000 + "\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write("openapi: 3.1.0\ncomponents:\n  schemas:\n    Big:\n      type: object\n")
        out.writelines(filler for _ in range(52 * 1024))


def _make_allof_chain(path: Path) -> None:
    """1,000 schemas, each an allOf of the next one and some properties of its own."""
    lines = ["openapi: 3.1.0", "info: {title: t, version: '1'}", "components:", "  schemas:"]
    for i in range(1000):
        lines += [f"    S{i}:", (f"      allOf: [{{$ref: '#/components/schemas/S{i + 1}'}}, "
                  f"{{properties: {{p{i}: {{type: string}}}}}}]")]
    lines.append("    S1000: {type: object, properties: {last: {type: string}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


GENERATED: dict[str, tuple[str, Callable[[Path], None]]] = {
    "file_50mb": ("yaml", _make_50mb), "allof_chain_1000": ("yaml", _make_allof_chain)}


def committed_cases() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(CASES_DIR.iterdir()):
        if path.is_file() and path.suffix != ".expected":
            found[path.name.split(".", 1)[0]] = path
    return found


def test_every_case_is_listed_and_has_a_snapshot() -> None:
    committed = committed_cases()
    errors = {name for name in committed if not name.startswith("ok_")} | set(GENERATED)
    assert errors == set(ERROR_CASES)
    assert len(ERROR_CASES) >= 30
    if not UPDATE:
        missing = [c for c in ERROR_CASES if not (CASES_DIR / f"{c}.expected").is_file()]
        assert not missing, f"no snapshot for {missing}: run with UPDATE_SNAPSHOTS=1"


# --- running the CLI ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tmp/cases (a copy of bad_specs) and tmp/pristine (an output folder with a package)."""
    tmp = tmp_path_factory.mktemp("bad_specs")
    shutil.copytree(CASES_DIR, tmp / "cases", ignore=shutil.ignore_patterns("*.expected"))
    for name, (ext, make) in GENERATED.items():
        make(tmp / "cases" / f"{name}.{ext}")
    pristine = tmp / "pristine"
    spec = tmp / "good.yaml"
    spec.write_text("openapi: 3.1.0\ncomponents:\n  schemas:\n    Thing:\n      type: object\n"
                    "      properties:\n        a: {type: string}\n", encoding="utf-8")
    generate(spec, pristine, "p", cache_dir=tmp / "cache")
    (pristine / "MARKER.txt").write_text("user data, keep me\n", encoding="utf-8")
    (pristine / "p" / "notes.txt").write_text("a user file inside the package\n", "utf-8")
    return tmp


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file and folder under `folder`: content, mtime and mode."""
    out: dict[str, tuple[bytes, int, int]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        data = path.read_bytes() if path.is_file() else b""
        out[path.relative_to(folder).as_posix()] = (data, info.st_mtime_ns, info.st_mode)
    return out


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_cli(workspace: Path, case_file: Path, out: Path, *options: str
            ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RUNMODELS_CACHE=str(workspace / "cache"), PYTHONPATH=str(ROOT),
               COLUMNS="200", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "runmodels", "generate", case_file.name, "--out", str(out),
         "--package", "p", *options],
        cwd=case_file.parent, env=env, capture_output=True, text=True, timeout=TIMEOUT,
        preexec_fn=_limits, check=False,
    )


def normalized(text: str, workspace: Path) -> str:
    for folder in (workspace / "cases", workspace):
        for form in {str(folder), str(folder.resolve())}:
            text = text.replace(form + os.sep, "").replace(form, "<tmp>")
    return text


def case_file(workspace: Path, case: str) -> Path:
    matches = sorted((workspace / "cases").glob(f"{case}.*"))
    assert len(matches) == 1, matches
    return matches[0]


Outcome = tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def outcomes(workspace: Path) -> dict[str, Outcome]:
    """Every error case run once through the CLI, a few at a time (startup dominates)."""

    def one(case: str) -> Outcome:
        out = workspace / f"out_{case}"
        shutil.copytree(workspace / "pristine", out, copy_function=shutil.copy2)
        before = snapshot(out)
        strict = ("--strict-spec",) if case in LOCAL_DEFECTS else ()
        result = run_cli(workspace, case_file(workspace, case), out, *strict)
        return result, before, snapshot(out)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(sorted(ERROR_CASES), pool.map(one, sorted(ERROR_CASES))))


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_bad_spec(case: str, workspace: Path, outcomes: dict[str, Outcome]) -> None:
    result, before, after = outcomes[case]
    stderr = normalized(result.stderr, workspace)
    assert "Traceback" not in stderr, stderr
    assert result.returncode == 2, (result.returncode, stderr)
    assert after == before, "the output folder was touched"
    lines = stderr.splitlines()
    assert len([line for line in lines if line.startswith("error:")]) == 1, stderr
    assert lines[0].startswith("error: ") and all(
        line.startswith("  hint: ") for line in lines[1:]), stderr
    assert len(lines) == 2, "one message and one hint"
    has_position, has_pointer = ERROR_CASES[case]
    first = lines[0]
    if has_position:
        assert re.match(r"error: [^ ]+:\d+:\d+[ :]", first), first
    if has_pointer:
        assert re.search(r" \(#/[^)]*\): ", first), first
    # what the parser library says of a syntax error is its own text, which changes between its
    # releases: the snapshot holds our framing and the position, not the library's words
    stderr = re.sub(r"(: invalid (?:YAML|JSON): ).*", r"\1<the parser's message>", stderr)
    snap = CASES_DIR / f"{case}.expected"
    if UPDATE:
        snap.write_text(stderr, encoding="utf-8")
    else:
        assert stderr == snap.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(LOCAL_DEFECTS))
def test_local_defect_generates_with_its_warning(case: str, workspace: Path) -> None:
    """Without --strict-spec: exit 0, a summary line by code, and -v places the warning where
    the strict run's error is."""
    out = workspace / f"warn_{case}"
    result = run_cli(workspace, case_file(workspace, case), out, "-v")
    stderr = normalized(result.stderr, workspace)
    assert result.returncode == 0 and "Traceback" not in stderr, stderr
    code = LOCAL_DEFECTS[case]
    assert re.search(rf"^p: \d+ warnings?: .*\b\d+ {code}\b", stderr, re.MULTILINE), stderr
    error = (CASES_DIR / f"{case}.expected").read_text(encoding="utf-8").splitlines()[0]
    place = error.removeprefix("error: ").split(": ", 1)[0]
    assert f"{place}: warning[{code}]: " in stderr, (place, stderr)
    audit_package(out / "p")
    quiet = run_cli(workspace, case_file(workspace, case), out)
    summary = [line for line in stderr.splitlines() if line.startswith("p: ")]
    assert quiet.stderr.strip().splitlines() == [f"{summary[0]} (-v lists them)"], quiet.stderr


# --- hostile but valid ----------------------------------------------------------------------


OK_CASES = sorted(name for name in committed_cases() if name.startswith("ok_"))


@pytest.mark.parametrize("case", OK_CASES)
def test_hostile_but_valid_spec_generates(case: str, workspace: Path) -> None:
    out = workspace / f"out_{case}"
    result = run_cli(workspace, case_file(workspace, case), out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    audit_package(out / "p")


def test_duplicate_names_are_deduplicated(workspace: Path) -> None:
    out, package = workspace / "dups", unique_package("dups")
    generate(case_file(workspace, "ok_duplicate_names"), out, package, cache_dir=workspace / "c")
    with imported(out, package) as pkg:
        classes = {name: getattr(pkg, name) for name in pkg.__all__ if name[:1].isupper()}
        classes = {n: c for n, c in classes.items() if c.__module__.startswith(package + ".models.")}
        models = [cls for cls in classes.values() if hasattr(cls, "from_dict")]
        assert len(models) >= 5
        id_types = set()
        for cls in models:
            if "id" in cls.__dataclass_fields__:
                id_types.add(cls.__dataclass_fields__["id"].type)
        assert id_types >= {"str | Unset", "int | Unset", "bool | Unset", "float | Unset"}
        enum = next(cls for cls in classes.values() if hasattr(cls, "__members__"))
        assert [m.value for m in enum] == ["a", "A", "a-b", "a_b", "a b", "1", ""]
        model = pkg.Model_
        payload = {k: k or "empty" for k in ("a-b", "a_b", "A B", "aB", "class", "class_", "", "_",
                                             "__")}
        assert model.from_dict(payload).to_dict() == payload
        assert model.from_dict(payload, strict=True).to_dict() == payload
        names = [f for f in model.__dataclass_fields__ if f != "_extra"]
        assert len(names) == 9 and all(n.isidentifier() for n in names)


def test_special_numbers_generate_valid_literals(workspace: Path) -> None:
    out, package = workspace / "nums", unique_package("nums")
    generate(case_file(workspace, "ok_special_numbers"), out, package, cache_dir=workspace / "c")
    with imported(out, package) as pkg:
        payload = {"big": 1e308, "odd": 0.5, "flags": True}
        # the schema `Limits` is `Limits_`: `Limits` is the HTTP runtime's
        assert pkg.Limits_.from_dict(payload, strict=True).to_dict() == payload
        for flag in (1, True, 1.0, "1"):
            assert pkg.Limits_.from_dict({"flags": flag}, strict=True).to_dict() == {"flags": flag}
        with pytest.raises(pkg.DecodeError):
            pkg.Limits_.from_dict({"flags": 2}, strict=True)
        with pytest.raises(pkg.DecodeError):
            pkg.Limits_.from_dict({"flags": False}, strict=True)


def test_no_schemas_generate_an_importable_package(workspace: Path) -> None:
    out, package = workspace / "empty", unique_package("emptypkg")
    generate(case_file(workspace, "ok_no_schemas"), out, package, cache_dir=workspace / "c")
    with imported(out, package) as pkg:
        assert pkg.DecodeError is not None
