"""Messages name files as the user reads them, and a warning formats into the one line the CLI
prints (the located `file:line:col (#/pointer): warning[code]: …`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runmodels.errors import SpecWarning
from runmodels.paths import display_path, shown_path


def test_shown_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "work" / "specs").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "work" / "link").symlink_to(tmp_path / "work" / "specs")
    monkeypatch.chdir(tmp_path / "work")
    assert shown_path("specs/../specs/api.yaml") == "specs/../specs/api.yaml"  # as written
    assert shown_path(tmp_path / "work" / "specs" / "api.yaml") == "specs/api.yaml"
    assert shown_path(tmp_path / "work" / "link" / "api.yaml") == "specs/api.yaml"  # followed
    outside = tmp_path / "elsewhere" / "api.yaml"
    assert shown_path(outside) == str(outside)
    # headers never record the machine's folders: only the name of a file outside
    assert display_path(outside) == "api.yaml"
    assert display_path(Path("specs/api.yaml")) == "specs/api.yaml"


def test_a_warning_formats_as_the_cli_prints_it(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    warning = SpecWarning("ref-unresolved", "$ref '#/x' leads nowhere", "typed as Any",
                          "check the pointer", str(tmp_path / "api.yaml"), 12, 7,
                          "#/components/schemas/Run")
    assert warning.format() == ("api.yaml:12:7 (#/components/schemas/Run): "
                                "warning[ref-unresolved]: $ref '#/x' leads nowhere; "
                                "typed as Any")
    assert SpecWarning("c", "m").format() == "warning[c]: m"
    error = warning.as_error()  # --strict-spec
    assert error.format() == ("api.yaml:12:7 (#/components/schemas/Run): $ref '#/x' leads "
                              "nowhere [ref-unresolved]\n  hint: check the pointer")


def test_a_warning_survives_the_memo(tmp_path: Path) -> None:
    warning = SpecWarning("c", "m", "r", None, "f.yaml", 1, None, "/p", limitation=True)
    assert SpecWarning.from_json(warning.to_json()) == warning
    assert SpecWarning.from_json({"line": True, "code": 3}) == SpecWarning("warning", "")
