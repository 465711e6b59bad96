"""Quality gates: real mypy --strict and ruff on the generator and on the generated packages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runmodels.emit.render import LINT_DIRECTIVES

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=600)


@pytest.mark.slow
def test_mypy_strict_on_generated_packages() -> None:
    result = _run("mypy", "--strict", "--no-incremental", "runs_v2", "runs_v1",
                  cwd=ROOT / "generated")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_generator() -> None:
    result = _run("mypy", "--strict", "generator/runmodels")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_default_rules_on_generated_packages(tmp_path: Path) -> None:
    # --isolated: ruff's default rules, over a copy without the file-level directives that
    # keep a user's linters quiet (next test): the code itself is checked, and its own
    # line-level `# noqa` (unlike with --ignore-noqa) still holds
    for path in (ROOT / "generated").rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        assert [line.rstrip("\n") for line in lines[1:4]] == list(LINT_DIRECTIVES), path
        copy = tmp_path / path.relative_to(ROOT / "generated")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text("".join(lines[:1] + lines[4:]), encoding="utf-8")
    result = _run("ruff", "check", "--isolated", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_users_ruff_config_finds_nothing_in_generated_packages() -> None:
    # a typical project's selection at black's line length: without the file-level directive
    # every line over 88 columns (long descriptions, names) would be reported
    result = _run("ruff", "check", "--isolated", "--select", "E,F,W,I,UP,B", "--line-length",
                  "88", "--output-format", "json", "generated")
    assert json.loads(result.stdout) == [], result.stdout[-3000:] + result.stderr


def test_ruff_on_generator_and_tests() -> None:
    result = _run("ruff", "check", "generator", "tests", "benchmarks", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_generated_code_is_black_formatted() -> None:
    result = _run("black", "--check", "--quiet", "--line-length", "88", "--target-version",
                  "py310", "generated")
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_packages_use_only_the_standard_library() -> None:
    stdlib = set(sys.stdlib_module_names)
    for path in (ROOT / "generated").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if line.startswith(("import ", "from ")) and not words[1].startswith("."):
                top = words[1].split(".")[0]
                assert top in stdlib or top == "__future__", f"{path}: {line}"
