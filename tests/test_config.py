"""Tests for runmodels.cli.config: [tool.runmodels] targets and their located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from runmodels.cli.config import Target, find_config, load_config
from runmodels.errors import SpecError

VALID = """\
[project]
name = "demo"

[tool.runmodels]
templates = "my_templates"

[[tool.runmodels.targets]]
name = "runs_v2"
spec = "specs/runs_v2.yaml"
out = "generated"
package = "runs_v2"
select = ["Run", "RunStep", "tag:Assistants", "path:/threads"]
templates = "templates_override"
client = false

[[tool.runmodels.targets]]
spec = "specs/runs_v1.yaml"
out = "generated"
package = "runs_v1"
"""


def project(tmp_path: Path, toml: str, name: str = "pyproject.toml") -> Path:
    """A project folder with the given config, two specs and two template folders."""
    (tmp_path / "specs").mkdir(exist_ok=True)
    for spec in ("runs_v1.yaml", "runs_v2.yaml"):
        (tmp_path / "specs" / spec).write_text("openapi: 3.1.0\n")
    (tmp_path / "my_templates").mkdir(exist_ok=True)
    (tmp_path / "templates_override").mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_text(toml)
    return path


def error(tmp_path: Path, toml: str) -> SpecError:
    """The SpecError load_config raises for this pyproject.toml."""
    path = project(tmp_path, toml)
    with pytest.raises(SpecError) as info:
        load_config(path)
    assert Path(str(info.value.file)) == path.resolve()
    return info.value


def target(body: str, head: str = "") -> str:
    """A config with one target whose table body is given."""
    return f"[tool.runmodels]\n{head}\n[[tool.runmodels.targets]]\n{body}"


BASE = 'spec = "specs/runs_v1.yaml"\nout = "gen"\npackage = "runs_v1"\n'


def test_valid_config(tmp_path: Path) -> None:
    targets = load_config(project(tmp_path, VALID))
    root = tmp_path.resolve()
    assert targets == [
        Target(name="runs_v2", spec=root / "specs/runs_v2.yaml", out=root / "generated",
               package="runs_v2", select=("Run", "RunStep", "tag:Assistants", "path:/threads"),
               templates=root / "templates_override", client=False),
        Target(name="runs_v1", spec=root / "specs/runs_v1.yaml", out=root / "generated",
               package="runs_v1", select=(), templates=root / "my_templates", client=True),
    ]
    assert all(t.spec.is_absolute() and t.out.is_absolute() for t in targets)


def test_paths_relative_to_config_folder_not_cwd(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path, VALID)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config(path)[0].spec == (tmp_path / "specs/runs_v2.yaml").resolve()


def test_standalone_config_file_and_global_defaults(tmp_path: Path) -> None:
    toml = target('spec = "specs/runs_v1.yaml"\npackage = "p"\n', 'out = "build"\nclient = false')
    [t] = load_config(project(tmp_path, toml, name="runmodels.toml"))
    assert t.out == (tmp_path / "build").resolve() and t.client is False and t.name == "p"
    assert t.templates is None


@pytest.mark.parametrize("bad", ["runs-v2", "2runs", "class", "runs.v2", ""])
def test_invalid_package_identifier(tmp_path: Path, bad: str) -> None:
    err = error(tmp_path, target(f'spec = "specs/runs_v1.yaml"\nout = "g"\npackage = "{bad}"\n'))
    assert "package" in err.message
    if bad:
        assert "not a valid Python identifier" in err.message and (err.line, err.column) == (6, 1)


def test_unknown_key_in_target(tmp_path: Path) -> None:
    err = error(tmp_path, target(BASE + "  clinet = true\n"))
    assert "'clinet'" in err.message and (err.line, err.column) == (7, 3)
    assert err.hint is not None and "client" in err.hint and "select" in err.hint
    assert err.pointer == "tool.runmodels.targets[0].clinet"
    assert f"{err.file}:7:3 (tool.runmodels.targets[0].clinet): unknown key" in str(err)


def test_unknown_global_key(tmp_path: Path) -> None:
    err = error(tmp_path, "[tool.runmodels]\nverbose = true\n[[tool.runmodels.targets]]\n" + BASE)
    assert "'verbose'" in err.message and "[tool.runmodels]" in err.message
    assert (err.line, err.column) == (2, 1) and err.hint and "targets" in err.hint


@pytest.mark.parametrize(("line", "needle"), [
    ('client = "yes"', "'client' must be a boolean, not a string"),
    ("client = 1", "'client' must be a boolean, not an integer"),
    ('select = "Run"', "'select' must be an array, not a string"),
    ("select = [1]", "'select' entries must be"),
    ('select = ["path:threads"]', "must start with '/'"),
    ('select = ["tag:"]', "'select' entries must be"),
    ("name = 3", "'name' must be a string, not an integer"),
    ("templates = true", "'templates' must be a string, not a boolean"),
])
def test_wrong_types(tmp_path: Path, line: str, needle: str) -> None:
    err = error(tmp_path, target(BASE + line + "\n"))
    assert needle in err.message and err.line == 7


def test_wrong_type_of_spec_points_at_key(tmp_path: Path) -> None:
    err = error(tmp_path, target('spec = ["a"]\nout = "g"\npackage = "p"\n'))
    assert "'spec' must be a string, not an array" in err.message and err.line == 4


def test_missing_required_key_points_at_target_header(tmp_path: Path) -> None:
    err = error(tmp_path, target('spec = "specs/runs_v1.yaml"\nout = "g"\n'))
    assert "missing 'package'" in err.message and (err.line, err.column) == (3, 1)


def test_missing_spec_file(tmp_path: Path) -> None:
    err = error(tmp_path, target('spec = "specs/nope.yaml"\nout = "g"\npackage = "p"\n'))
    assert "spec file not found" in err.message and "nope.yaml" in err.message
    assert err.line == 4


def test_missing_templates_folder(tmp_path: Path) -> None:
    err = error(tmp_path, target(BASE + 'templates = "nowhere"\n'))
    assert "templates folder not found" in err.message and err.line == 7
    err = error(tmp_path, target(BASE, 'templates = "gone"'))
    assert "templates folder not found" in err.message and err.line == 2
    assert err.pointer == "tool.runmodels.templates"


def test_duplicate_target_names(tmp_path: Path) -> None:
    second = '[[tool.runmodels.targets]]\nname = "runs_v1"\nspec = "specs/runs_v2.yaml"\n' \
             'out = "gen"\npackage = "other"\n'
    err = error(tmp_path, target(BASE) + second)
    assert "duplicate target name 'runs_v1'" in err.message and err.line == 8
    assert err.pointer == "tool.runmodels.targets[1].name"


def test_two_targets_writing_the_same_package(tmp_path: Path) -> None:
    second = '[[tool.runmodels.targets]]\nname = "b"\nspec = "specs/runs_v2.yaml"\n' \
             'out = "gen"\npackage = "runs_v1"\n'
    err = error(tmp_path, target(BASE) + second)
    assert "both write" in err.message


def test_invalid_toml_has_line_and_column(tmp_path: Path) -> None:
    err = error(tmp_path, "[tool.runmodels]\ntemplates = \n")
    assert err.message.startswith("invalid TOML: ") and "(at line" not in err.message
    assert (err.line, err.column) == (2, 13)
    err = error(tmp_path, '[tool.runmodels]\ntemplates = "abc\n')
    assert err.line == 2


def test_no_targets(tmp_path: Path) -> None:
    err = error(tmp_path, "[tool.runmodels]\ntemplates = \"my_templates\"\n")
    assert "no targets" in err.message and err.line == 1
    err = error(tmp_path, "[tool.runmodels]\ntargets = []\n")
    assert "no targets" in err.message and err.line == 2


def test_targets_not_tables(tmp_path: Path) -> None:
    err = error(tmp_path, '[tool.runmodels]\ntargets = ["a"]\n')
    assert "array of tables" in err.message and err.line == 2


def test_no_runmodels_table(tmp_path: Path) -> None:
    err = error(tmp_path, "[project]\nname = 'x'\n")
    assert "no [tool.runmodels] table" in err.message


def test_unreadable_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read config file"):
        load_config(tmp_path / "missing.toml")
    (tmp_path / "latin.toml").write_bytes(b"[tool.runmodels]\nx = '\xe9'\n")
    with pytest.raises(SpecError, match="not valid UTF-8"):
        load_config(tmp_path / "latin.toml")


def test_find_config_walks_up_to_nearest_with_table(tmp_path: Path) -> None:
    root = project(tmp_path, VALID)
    inner = tmp_path / "sub" / "deeper"
    inner.mkdir(parents=True)
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    assert find_config(inner) == root.resolve()
    assert find_config(inner / "file.yaml") == root.resolve()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.runmodels]\ntargets = [\n")
    assert find_config(inner) == (tmp_path / "sub" / "pyproject.toml").resolve()
    (tmp_path / "sub" / "pyproject.toml").write_text(VALID)
    assert find_config(inner) == (tmp_path / "sub" / "pyproject.toml").resolve()


def test_find_config_none(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    result = find_config(tmp_path)
    assert result is None or result != (tmp_path / "pyproject.toml").resolve()
