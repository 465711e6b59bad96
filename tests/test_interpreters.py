"""The generated packages on every CPython this machine has, from 3.10 (the oldest supported)
to the newest: they import, decode and encode every payload, round-trip it and print enums the
same way, and mypy --strict passes for each of those Python versions."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # seconds to minutes: left out of `pytest -m "not slow"`

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ("3.10", "3.11", "3.12", "3.13", "3.14", "3.15")

CHECK = r"""
import json, pathlib, sys
import runs_v1, runs_v2

count = 0
for package, folder in ((runs_v2, "v2"), (runs_v1, "v1")):
    for path in sorted(pathlib.Path("tests/payloads", folder).glob("*.json")):
        name = path.name.split("__")[0]
        data = json.loads(path.read_text(encoding="utf-8"))
        if hasattr(getattr(package, name, None), "from_dict"):
            value = getattr(package, name).from_dict(data)
        else:
            decode = getattr(package, "decode_" + "".join(
                "_" + c.lower() if c.isupper() else c for c in name).lstrip("_"))
            value = decode(data)
        assert package.encode(value) == data, (path, package.encode(value), data)
        count += 1
status = runs_v2.RunStatus("paused")
assert (str(runs_v2.RunStatus.COMPLETED), f"{status}") == ("completed", "paused")
print(sys.version_info[:2], count)
"""


def interpreters() -> dict[str, str]:
    """Version → an interpreter of it: on PATH, or installed by pyenv (whose shims only answer
    for the versions a project selects)."""
    pyenv = Path.home() / ".pyenv" / "versions"
    found = {}
    for version in VERSIONS:
        candidates = [shutil.which(f"python{version}") or ""]
        candidates += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/python{version}"))
        for path in filter(None, candidates):
            probe = subprocess.run([path, "-c", "import sys; print(sys.version_info[:2])"],
                                   capture_output=True, text=True, check=False, timeout=60)
            if probe.returncode == 0:
                found[version] = path
                break
    return found


FOUND = interpreters()


def test_the_oldest_and_a_newer_interpreter_are_here() -> None:
    """Without both ends the per-version tests below would prove little."""
    if "3.10" not in FOUND:
        pytest.skip(f"no Python 3.10 here (found {', '.join(FOUND) or 'none'})")
    assert len(FOUND) >= 2, FOUND


@pytest.mark.parametrize("version", sorted(FOUND))
def test_packages_work_on(version: str) -> None:
    result = subprocess.run([FOUND[version], "-I", "-c",
                             f"import sys; sys.path.insert(0, 'generated'); {CHECK}"],
                            cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.split()[-1]) > 40  # every payload of both packages was checked


@pytest.mark.parametrize("version", ["3.10", f"{sys.version_info[0]}.{sys.version_info[1]}",
                                     "3.13"])
def test_mypy_strict_for_python(version: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", version,
         "--cache-dir", str(tmp_path), "runs_v2", "runs_v1"],
        cwd=ROOT / "generated", capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
