"""generated/ is exactly what the generator makes from specs/ (byte for byte, any hash seed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runmodels.api import render
from runmodels.cli.config import load_config

ROOT = Path(__file__).resolve().parents[1]
# from the checkout, `python -m` runs the source tree, whether runmodels is installed editable,
# non-editable (an older copy) or not at all
REGENERATE = f"cd {ROOT} && {sys.executable} -m runmodels generate"


def _committed(package_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(package_dir).as_posix(): p.read_bytes()
        for p in sorted(package_dir.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name != ".runmodels-manifest.json"
    }


@pytest.mark.parametrize("target", load_config(ROOT / "pyproject.toml"), ids=lambda t: t.name)
def test_generated_matches_specs(target, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    files, _ = render(target.options(), cache_dir=tmp_path / "cache")
    expected = {rel: text.encode("utf-8") for rel, text in files.items()}
    committed = _committed(target.out / target.package)
    missing = sorted(set(expected) - set(committed))
    extra = sorted(set(committed) - set(expected))
    stale = sorted(rel for rel in expected if rel in committed and committed[rel] != expected[rel])
    assert not (missing or extra or stale), (
        f"generated/{target.package} is out of date (missing {missing}, extra {extra}, "
        f"stale {stale}); regenerate with: {REGENERATE}"
    )


def _run_generate(*args: str, seed: str = "0", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONHASHSEED=seed, RUNMODELS_CACHE="off")
    return subprocess.run([sys.executable, "-m", "runmodels", "generate", *args], cwd=cwd, check=False,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_check_is_clean_on_the_committed_tree() -> None:
    result = _run_generate("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


@pytest.mark.slow
def test_check_fails_with_a_diff_when_stale(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = ROOT / "specs" / "runs_v2.yaml"
    first = _run_generate(str(spec), "--out", str(out), "--package", "pkg")
    assert first.returncode == 0, first.stderr
    run_py = out / "pkg" / "models" / "run.py"
    run_py.write_text(run_py.read_text().replace("class Run(", "class Runn("))
    stale = _run_generate(str(spec), "--out", str(out), "--package", "pkg", "--check")
    assert stale.returncode == 1
    assert "-class Runn(" in stale.stdout and "+class Run(" in stale.stdout
    assert "class Runn(" in run_py.read_text()  # --check wrote nothing


@pytest.mark.slow
def test_output_is_identical_for_any_hash_seed(tmp_path: Path) -> None:
    spec = ROOT / "specs" / "runs_v2.yaml"
    trees = []
    for seed in ("1", "4242"):
        out = tmp_path / f"seed{seed}"
        result = _run_generate(str(spec), "--out", str(out), "--package", "pkg", seed=seed)
        assert result.returncode == 0, result.stderr
        trees.append(_committed(out / "pkg"))
    assert trees[0] == trees[1]
