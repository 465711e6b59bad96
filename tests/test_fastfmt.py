"""The fast formatter (runmodels.format.fastfmt) gives black's output, byte for byte.

Two kinds of tests, neither needs ../shared:

- case files, as black's own tests have them: `tests/fastfmt_cases/NAME.input.py` is formatted
  with fastfmt and compared with `NAME.expected.py`, which is what the pinned black makes of the
  input (checked here too).  One case per construct the templates emit; a case named
  `fallback_*` is one fastfmt must refuse (it returns None and black formats the whole file).
  A new case needs only its input: `UPDATE_SNAPSHOTS=1 python -m pytest tests/test_fastfmt.py`
  writes the expected file from black, to review with `git diff`.
- differential: every module rendered for the construct specs (tests/constructs/) and for the
  property-based specs of test_hostile_properties.py, formatted by runmodels and by black alone.

The hand-written runtime modules are not fastfmt's: their black output ships made ahead
(runmodels/format/prebuilt.py), checked here to be black's and fresh.

fastfmt's input contract is the templates' output: tokens spaced as black spaces them, numbers
in black's case.  It is not a formatter for arbitrary code.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

import black
import pytest
from _hostile import write_spec
from hypothesis import HealthCheck, Phase, given, settings
from test_hostile_properties import specs

from runmodels.build.package_ir import build_package
from runmodels.emit.render import render_package
from runmodels.emit.templates import builtin_templates, runtime_source
from runmodels.format import fastfmt, prebuilt
from runmodels.format.black_format import BLACK_MODE_KEY, MODE, format_source, split_header

HERE = Path(__file__).resolve().parent
CASES = HERE / "fastfmt_cases"
INPUTS = sorted(CASES.glob("*.input.py"))
UPDATE_COMMAND = "UPDATE_SNAPSHOTS=1 python -m pytest tests/test_fastfmt.py"
CONSTRUCTS = sorted(p for p in (HERE / "constructs").iterdir() if p.suffix in (".yaml", ".json"))
# hand-written files copied into every package: always formatted by black itself
RUNTIME = tuple(sorted(p.name for p in (builtin_templates() / "runtime").glob("*.py")))
# the one shape of rendered module fastfmt leaves to black: a spec string holding `"""` or
# `'''` becomes a triple-quoted literal inside a line of code
ACCEPTED_REFUSALS = {"triple-quoted string inside a line"}

pytestmark = pytest.mark.skipif(not fastfmt.supported(),
                                reason="fastfmt is tied to the pinned black version")


def _expected_path(case: Path) -> Path:
    return case.with_name(case.name.replace(".input.py", ".expected.py"))


def _diff(expected: str, actual: str) -> str:
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        "black", "fastfmt"))


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.name.removesuffix(".input.py"))
def test_case(case: Path) -> None:
    source = case.read_text(encoding="utf-8")
    expected_path = _expected_path(case)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        expected_path.write_text(black.format_str(source, mode=MODE), encoding="utf-8")
    assert expected_path.is_file(), f"no {expected_path.name}: write it with {UPDATE_COMMAND}"
    expected = expected_path.read_text(encoding="utf-8")
    assert black.format_str(source, mode=MODE) == expected, "the expected file is not black's"
    assert black.format_str(expected, mode=MODE) == expected, "black would change the expected"
    ours = fastfmt.format_module(source, MODE)
    if case.name.startswith("fallback_"):
        assert ours is None, "fastfmt should leave this input to black"
        assert format_source(source) == expected  # the caller's fall-back is black itself
    else:
        assert ours is not None, "fastfmt refused a construct it is meant to format"
        assert ours == expected, _diff(expected, ours)


def test_every_case_has_its_expected_file() -> None:
    assert INPUTS
    expected = {p.name for p in CASES.glob("*.expected.py")}
    assert expected == {_expected_path(p).name for p in INPUTS}
    assert {p.name for p in CASES.iterdir()} <= expected | {p.name for p in INPUTS}


def _check_package(files: dict[str, str], refused: list[str]) -> int:
    """Formats every module of one rendered package both ways; returns how many fastfmt did."""
    done = 0
    for path, source in sorted(files.items()):
        if not path.endswith(".py") or path in RUNTIME:
            continue
        header, body = split_header(source)
        theirs = header + black.format_str(body, mode=MODE)
        assert format_source(source) == theirs, path
        ours = fastfmt.format_module(body, MODE)
        if ours is None:
            with pytest.raises(fastfmt.Unsupported) as refusal:
                fastfmt._Formatter(body, MODE).run()
            refused.append(f"{path}: {refusal.value}")
        else:
            assert header + ours == theirs, f"{path}\n{_diff(theirs, header + ours)}"
            done += 1
    return done


@pytest.mark.parametrize("spec", CONSTRUCTS, ids=lambda p: p.stem)
def test_construct_specs_format_as_black_does(spec: Path) -> None:
    refused: list[str] = []
    done = _check_package(render_package(build_package(spec, "pkg")), refused)
    assert not refused, "fastfmt left modules of a construct spec to black"
    assert done


@pytest.mark.slow
@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
@given(spec=specs())
def test_property_specs_format_as_black_does(spec: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_spec(Path(tmp) / "spec.json", spec)
        files = render_package(build_package(path, "pkg"))
    refused: list[str] = []
    _check_package(files, refused)
    for refusal in refused:
        assert refusal.split(": ", 1)[1] in ACCEPTED_REFUSALS, refusal


REFRESH = "python tools/prebuilt_runtime.py"


@pytest.mark.parametrize("name", RUNTIME)
def test_shipped_runtime_answers_are_blacks_and_fresh(name: str) -> None:
    source = runtime_source(name)
    shipped = prebuilt.lookup(source, BLACK_MODE_KEY)
    assert shipped is not None, f"prebuilt.json is stale for {name}: run {REFRESH}"
    assert shipped == black.format_str(source, mode=MODE)


def test_shipped_answers_serve_only_their_exact_text_and_mode() -> None:
    source = runtime_source("_runtime.py")
    edited = source.replace("def ", "def  ", 1)  # one space more: another text
    assert prebuilt.lookup(edited, BLACK_MODE_KEY) is None
    assert prebuilt.lookup(source[:-1] + " ", BLACK_MODE_KEY) is None  # same length
    assert prebuilt.lookup(source, "black 0.0 py310 line_length=88") is None
    header = "# Generated by runmodels test\n"
    assert format_source(header + edited) == header + black.format_str(edited, mode=MODE)
