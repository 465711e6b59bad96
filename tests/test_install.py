"""The installed `runmodels` works from any folder: the templates ship inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "runmodels"


def _installed_package(cwd: Path) -> Path:
    """Where `import runmodels` finds the package from a folder outside the checkout."""
    where = subprocess.run([sys.executable, "-c", "import runmodels; print(runmodels.__file__)"],
                           cwd=cwd, capture_output=True, text=True, check=True).stdout
    return Path(where.strip()).parent


@pytest.mark.slow
def test_installed_console_script_generates_from_another_folder(tmp_path: Path) -> None:
    if not SCRIPT.exists():
        pytest.skip("runmodels is not installed in this environment (README: install)")
    result = subprocess.run(
        [str(SCRIPT), "generate", str(ROOT / "specs" / "runs_v2.yaml"), "--out",
         str(tmp_path / "out"), "--package", "pkg"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "pkg" / "models" / "run.py").is_file()
    version = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True,
                             check=True, cwd=tmp_path)
    assert "runmodels" in version.stdout


@pytest.mark.slow
def test_the_wheel_holds_runmodels_with_its_templates_and_nothing_else(tmp_path: Path) -> None:
    """Built the way pip builds it (whatever this environment installed, editable or not)."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(ROOT)], capture_output=True, text=True, check=False, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("runmodels-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for name in ("models_module.py.jinja", "client.py.jinja", "runtime/_runtime.py",
                 "runtime/_http.py", "runtime/_run_stream.py", "runtime/_deviations.py"):
        assert f"runmodels/templates/{name}" in names, name
    assert "runmodels/py.typed" in names
    tops = {n.split("/", 1)[0] for n in names if not n.startswith("runmodels-")}
    assert tops == {"runmodels"}, tops  # nothing named `generator` is installed


def test_templates_ship_inside_the_installed_package(tmp_path: Path) -> None:
    """One lookup finds them: inside the package, in a wheel install and an editable one alike."""
    package = _installed_package(tmp_path)
    for name in ("models_module.py.jinja", "runtime/_runtime.py", "runtime/_http.py"):
        assert (package / "templates" / name).is_file(), name


def test_nothing_named_generator_is_importable_outside_the_checkout(tmp_path: Path) -> None:
    """The source folder is `generator/`, but the import name is `runmodels` only."""
    probe = subprocess.run([sys.executable, "-c", "import generator"], cwd=tmp_path,
                           capture_output=True, text=True, check=False)
    assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr
    ran = subprocess.run([sys.executable, "-m", "runmodels", "--version"], cwd=tmp_path,
                         capture_output=True, text=True, check=False)
    assert ran.returncode == 0 and "runmodels" in ran.stdout, ran.stderr
