"""Failures of the machine are one located message naming the path, exit code 2, and leave the
previous output exactly as it was: a full disk (a small tmpfs, when the tests run as root and
may mount one), a read-only file system, `--out` naming a file, a path too long, a permission.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from runmodels.cli.main import main

pytestmark = pytest.mark.slow  # seconds to minutes: left out of `pytest -m "not slow"`

ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "specs" / "runs_v1.yaml"
V2 = ROOT / "specs" / "runs_v2.yaml"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(*args: str | Path, cache: str = "off") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RUNMODELS_CACHE=cache, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "runmodels", "generate", *map(str, args)],
                          env=env, capture_output=True, text=True, check=False)


def assert_one_located_error(result: subprocess.CompletedProcess[str], path: Path) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0], result.stderr
    assert "unexpectedly" not in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1.2 MB tmpfs, room for runs_v1 but not also runs_v2 (root only; skipped where mounting
    is not permitted)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    point = tmp_path / "small"
    point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(point)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace')}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_full_disk_is_a_located_error_and_the_old_output_stays(tmpfs: Path) -> None:
    out = tmpfs / "out"
    assert run(V1, "--out", out, "--package", "pkg").returncode == 0
    before = tree(out)
    filler = tmpfs / "filler"
    with open(filler, "wb") as handle:  # leave less room than the bigger package needs
        try:
            handle.write(b"\0" * (os.statvfs(tmpfs).f_bavail * os.statvfs(tmpfs).f_frsize
                                  - 40_000))
        except OSError as error:
            assert error.errno == errno.ENOSPC
    result = run(V2, "--out", out, "--package", "pkg", cache=str(tmpfs / "cache"))
    assert_one_located_error(result, out / "pkg")
    assert "space" in result.stderr.split("hint:")[1]
    assert tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["pkg"]
    assert not [p for p in (tmpfs / "cache").rglob("*") if p.name.startswith(".tmp")]


def test_a_read_only_file_system_is_a_located_error(tmpfs: Path) -> None:
    out = tmpfs / "out"
    assert run(V1, "--out", out, "--package", "pkg").returncode == 0
    before = tree(out)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = run(V2, "--out", out, "--package", "pkg")
    assert_one_located_error(result, out)
    assert "read-only" in result.stderr.split("hint:")[1]
    assert tree(out) == before


def test_out_naming_a_file_is_a_located_error(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("mine\n")
    result = run(V1, "--out", out, "--package", "pkg")
    assert_one_located_error(result, out)
    assert "is a file" in result.stderr
    assert out.read_text() == "mine\n" and sorted(os.listdir(tmp_path)) == ["out.txt"]


def test_a_path_too_long_is_a_located_error(tmp_path: Path) -> None:
    package = "p" * 300  # a valid identifier, longer than a file name may be
    result = run(V1, "--out", tmp_path / "out", "--package", package)
    assert_one_located_error(result, tmp_path / "out")
    assert "too long" in result.stderr.split("hint:")[1]
    assert list((tmp_path / "out").iterdir()) == []


def test_a_permission_error_is_a_located_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores file modes, so the refusal is made by a patched os.mkdir."""
    out = tmp_path / "out"
    real_mkdir = os.mkdir

    def refuse(path: object, *args: object, **kwargs: object) -> None:
        if str(path).endswith("runmodels-new"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", refuse)
    monkeypatch.setenv("RUNMODELS_CACHE", "off")
    result = CliRunner().invoke(main, ["generate", str(V1), "--out", str(out), "--package", "p"])
    assert result.exit_code == 2, result.output
    assert "runmodels-new" in result.output and "permissions" in result.output
    assert "unexpectedly" not in result.output
    assert list(out.iterdir()) == []


def test_a_read_only_cache_is_used_and_never_an_error(tmpfs: Path, tmp_path: Path) -> None:
    cache = tmpfs / "cache"
    assert run(V1, "--out", tmp_path / "warm", "--package", "pkg", cache=str(cache)
               ).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = run(V2, "--out", tmp_path / "out", "--package", "pkg", cache=str(cache))
    assert result.returncode == 0, result.stderr
    assert run(V2, "--out", tmp_path / "cold", "--package", "pkg").returncode == 0
    assert tree(tmp_path / "out") == tree(tmp_path / "cold")
