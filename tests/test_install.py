"""The installed `runmodels` works from any folder: the templates ship inside the wheel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_installed_console_script_generates_from_another_folder(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "runmodels"
    if not script.exists():
        pytest.skip("runmodels is not installed in this environment (README: install)")
    where = subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    result = subprocess.run(
        [str(script), "generate", str(ROOT / "specs" / "runs_v2.yaml"), "--out",
         str(tmp_path / "out"), "--package", "pkg"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "pkg" / "models" / "run.py").is_file()
    if not Path(where.strip()).is_relative_to(ROOT):  # a real (non-editable) install
        from_wheel = Path(where.strip()).parent / "templates" / "models_module.py.jinja"
        assert from_wheel.is_file()
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                             check=True, cwd=tmp_path)
    assert "runmodels" in version.stdout
