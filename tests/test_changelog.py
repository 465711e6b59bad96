"""The Markdown API-change report (`diff --format markdown`) and `generate --changelog`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import CORPUS, corpus_file
from test_apidiff import _compare_golden

from runmodels.build.package_ir import build_package
from runmodels.cli.main import main
from runmodels.diff import apisnapshot
from runmodels.diff.apidiff import Change, package_roles
from runmodels.diff.changelog import _code, _row
from runmodels.paths import API_RECORD

ROOT = Path(__file__).resolve().parents[1]
V1, V2 = ROOT / "specs" / "runs_v1.yaml", ROOT / "specs" / "runs_v2.yaml"


def _markdown(old: str, new: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "runmodels", "diff", old, new, "--format",
                             "markdown"], cwd=cwd, capture_output=True, text=True, check=False,
                            env={**os.environ, "PYTHONHASHSEED": "4242", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_v1_to_v2_markdown_matches_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["diff", "specs/runs_v1.yaml", "specs/runs_v2.yaml",
                                       "--format", "markdown"])
    assert result.exit_code == 0, result.output
    _compare_golden("runs_v1_to_v2.md", result.output)
    # deterministic: another process and hash seed give the same bytes
    assert _markdown("specs/runs_v1.yaml", "specs/runs_v2.yaml", ROOT) == result.output
    text = result.output
    assert text.index("### Breaking changes") < text.index("### Non-breaking changes")
    breaking = text[:text.index("### Non-breaking changes")]
    assert "| `file_ids` | field removed | `list[str], required` | — |" in breaking
    assert "**Removed classes (2):** `RetrievalTool` (model" in breaking


@pytest.mark.slow
def test_openai_2024_to_2026_markdown_matches_golden() -> None:
    old = corpus_file(CORPUS / "2024-04-25-assistants-v2.yaml")
    new = corpus_file(CORPUS / "2026-08-21.yaml")
    text = _markdown(str(old), str(new), old.parent)
    _compare_golden("openai_2024-04_to_2026-08.md", text)
    assert text.startswith("## API changes from `2024-04-25-assistants-v2.yaml` to "
                           "`2026-08-21.yaml`\n")


def test_spec_strings_cannot_break_the_table() -> None:
    hostile = "a|b `c` <script>\n## heading"
    change = Change("Colour", hostile, "enum-member-added", "member X added", False,
                    "response", None, "A_B_C_SCRIPT")
    row = _row(change)
    assert "\n" not in row
    cells = row.replace("\\|", "").split("|")
    assert len(cells) == 6, row  # | member | change | before | after |: nothing leaked
    assert _code("`x`") == "`` `x` ``" and _code("a|b") == "`a|b`"
    assert _code("a|b", True) == "`a\\|b`"


def test_api_record_round_trips(tmp_path: Path) -> None:
    pkg = build_package(V2, "runs")
    record = apisnapshot.record(pkg, package_roles(pkg, V2))
    text = apisnapshot.dumps(record)
    assert apisnapshot.loads(text) == record
    assert "\"description\":" not in text and "The status of a run" not in text
    assert apisnapshot.loads("{") is None and apisnapshot.loads('{"format": 999}') is None


PYPROJECT = """\
[tool.runmodels]
changelog = "docs/CHANGELOG.md"

[[tool.runmodels.targets]]
spec = "runs.yaml"
out = "out"
package = "runs"
"""


@pytest.mark.slow
def test_generate_appends_api_changes_to_the_changelog(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNMODELS_CACHE", str(tmp_path / "cache"))
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    changelog = tmp_path / "docs" / "CHANGELOG.md"
    spec = tmp_path / "runs.yaml"
    shutil.copy(V1, spec)
    runner = CliRunner()

    fresh = runner.invoke(main, ["generate"])  # a new package: no changes to report
    assert fresh.exit_code == 0, fresh.output
    assert "changelog" not in fresh.output.lower() and not changelog.exists()
    assert (tmp_path / "out" / "runs" / API_RECORD).is_file()
    (tmp_path / "out" / "runs" / API_RECORD).unlink()  # as left by a run without a changelog
    first = runner.invoke(main, ["generate"])
    assert first.exit_code == 0, first.output
    assert "no record of the previous API" in first.output and not changelog.exists()
    assert (tmp_path / "out" / "runs" / API_RECORD).is_file()

    changelog.parent.mkdir()
    changelog.write_text("# Changelog\n\nOlder entries.\n", encoding="utf-8")
    shutil.copy(V2, spec)
    check = runner.invoke(main, ["generate", "--check"])
    assert check.exit_code == 1 and changelog.read_text() == "# Changelog\n\nOlder entries.\n"
    second = runner.invoke(main, ["generate"])
    assert second.exit_code == 0, second.output
    assert "runs: 7 breaking, 107 non-breaking API changes appended to docs/CHANGELOG.md" \
        in second.output
    text = changelog.read_text(encoding="utf-8")
    head, entry = text.split("\n\n## ", 1)
    assert head == "# Changelog\n\nOlder entries."
    title, body = entry.split("\n", 1)
    assert title.startswith("`runs`: API changes in `runs.yaml` (sha256 ")
    report = runner.invoke(main, ["diff", str(V1), str(V2), "--format", "markdown"]).output
    assert body == report.split("\n", 1)[1]  # the same report `runmodels diff` gives

    # nothing appended when the API stays as it is: a rerun, a description edit
    assert runner.invoke(main, ["generate"]).exit_code == 0
    edited = spec.read_text().replace("description: The status of a run.",
                                      "description: The status of a run (reworded).")
    assert edited != spec.read_text()
    spec.write_text(edited)
    record = tmp_path / "out" / "runs" / API_RECORD
    before = record.stat().st_mtime_ns, record.stat().st_ino
    third = runner.invoke(main, ["generate", "-v"])
    assert third.exit_code == 0, third.output
    assert "runs: no API changes: nothing appended to docs/CHANGELOG.md" in third.output
    assert changelog.read_text(encoding="utf-8") == text
    assert (record.stat().st_mtime_ns, record.stat().st_ino) == before

    # back to v1 through the command-line option, which overrides the config key
    shutil.copy(V1, spec)
    other = tmp_path / "OTHER.md"
    back = runner.invoke(main, ["generate", "--changelog", str(other)])
    assert back.exit_code == 0, back.output
    assert "runs: 7 breaking" not in back.output and "appended to OTHER.md" in back.output
    assert "`RetrievalTool`" in other.read_text() and changelog.read_text() == text


def test_changelog_key_per_target_relative_to_the_config(tmp_path: Path) -> None:
    from runmodels.cli.config import load_config
    from runmodels.errors import SpecError

    shutil.copy(V1, tmp_path / "runs.yaml")
    config = tmp_path / "sub" / "runmodels.toml"
    config.parent.mkdir()
    body = ('[tool.runmodels]\n\n[[tool.runmodels.targets]]\nspec = "../runs.yaml"\n'
            'out = "out"\npackage = "runs"\nchangelog = "../CHANGES.md"\n')
    config.write_text(body, encoding="utf-8")
    assert load_config(config)[0].changelog == tmp_path / "CHANGES.md"
    config.write_text(body.replace('"../CHANGES.md"', "1"), encoding="utf-8")
    with pytest.raises(SpecError, match="'changelog' must be a string"):
        load_config(config)


def test_a_record_edited_by_hand_is_reported_not_a_crash(tmp_path: Path) -> None:
    from runmodels.diff.changelog import update

    pkg = build_package(V2, "runs")
    good = apisnapshot.dumps(apisnapshot.record(pkg, package_roles(pkg, V2)))
    changelog = tmp_path / "CHANGELOG.md"
    unreadable = good.replace('"fields": [', '"fields": 5, "x": [', 1)
    diff, note = update(changelog, "runs", (unreadable, "ab" * 32), good, "runs.yaml", "cd" * 32)
    assert diff is None and "no record of the previous API" in note
    assert not changelog.exists()
    odd = good.replace('"kind": "str"', '"kind": "str | <b>`x`"', 1)
    diff, note = update(changelog, "runs", (odd, "ab" * 32), good, "runs.yaml", "cd" * 32)
    assert diff is not None and diff.changes and note == ""
    rows = [line for line in changelog.read_text().splitlines() if line.startswith("| `")]
    assert rows and all(len(row.replace("\\|", "").split("|")) == 6 for row in rows), rows
