"""Tests for runmodels.write.files: ownership, minimal rewrites, check mode and crash safety."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

import runmodels.write.files as w
from runmodels.errors import SpecError
from runmodels.write.files import MANIFEST, check_package, recover, write_package

ROOT = Path(__file__).resolve().parents[1]

OLD = {"__init__.py": "from .models import *\n", "models.py": "class Run: ...\n",
       "api/client.py": "def get(): ...\n", "api/stale.py": "OLD = 1\n",
       "gone/only.py": "x = 1\n"}
NEW = {"__init__.py": "from .models import *\n", "models.py": "class Run:\n    id: str\n",
       "api/client.py": "def get(): ...\n", "added/fresh.py": "y = 2\n"}


def snapshot(package: Path) -> dict[str, bytes]:
    """Every file (and symlink target) under package, by POSIX relpath."""
    return {p.relative_to(package).as_posix(): p.read_bytes()
            for p in sorted(package.rglob("*")) if p.is_file()}


def mtimes(package: Path) -> dict[str, int]:
    """Every file's mtime_ns under package."""
    return {p.relative_to(package).as_posix(): p.stat().st_mtime_ns
            for p in package.rglob("*") if p.is_file()}


def leftovers(package: Path) -> list[str]:
    """Temp siblings a run may leave behind."""
    return sorted(p.name for p in package.parent.iterdir() if ".runmodels-" in p.name)


def test_fresh_write(tmp_path: Path) -> None:
    pkg = tmp_path / "out" / "pkg"
    result = write_package(pkg, OLD)
    assert result.written == tuple(sorted(OLD)) and result.unchanged == () == result.removed
    snap = snapshot(pkg)
    assert {k: v.decode() for k, v in snap.items() if k != MANIFEST} == OLD
    manifest = json.loads(snap[MANIFEST])
    assert manifest["generator"] == "runmodels" and sorted(manifest["files"]) == sorted(OLD)
    assert snap[MANIFEST].endswith(b"}\n") and b"time" not in snap[MANIFEST]
    assert leftovers(pkg) == []


def test_newlines_and_utf8_written_verbatim(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write_package(pkg, {"a.py": "s = 'héllo'\n"})
    assert (pkg / "a.py").read_bytes() == "s = 'héllo'\n".encode()


def test_identical_write_touches_nothing(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write_package(pkg, OLD)
    before, inode = mtimes(pkg), pkg.stat().st_ino
    time.sleep(0.01)
    result = write_package(pkg, OLD)
    assert result.written == () == result.removed and result.unchanged == tuple(sorted(OLD))
    assert mtimes(pkg) == before and pkg.stat().st_ino == inode


def test_update_rewrites_modified_removes_stale_keeps_user_files(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write_package(pkg, OLD)
    (pkg / "my_notes.py").write_text("mine\n")
    (pkg / "api" / "user_helper.py").write_text("helper\n")
    (pkg / "own_dir").mkdir()
    os.chmod(pkg, 0o750)
    before = mtimes(pkg)
    time.sleep(0.01)
    result = write_package(pkg, NEW)
    assert result.written == ("added/fresh.py", "models.py")
    assert result.unchanged == ("__init__.py", "api/client.py")
    assert result.removed == ("api/stale.py", "gone/only.py")
    snap = snapshot(pkg)
    assert snap["my_notes.py"] == b"mine\n" and snap["api/user_helper.py"] == b"helper\n"
    assert (pkg / "own_dir").is_dir() and not (pkg / "gone").exists()
    assert {k: v.decode() for k, v in snap.items()
            if k not in (MANIFEST, "my_notes.py", "api/user_helper.py")} == NEW
    after = mtimes(pkg)
    for rel in ("__init__.py", "api/client.py", "my_notes.py", "api/user_helper.py"):
        assert after[rel] == before[rel], rel
    assert after["models.py"] != before["models.py"]
    assert pkg.stat().st_mode & 0o777 == 0o750
    assert sorted(json.loads(snap[MANIFEST])["files"]) == sorted(NEW)
    assert leftovers(pkg) == []


def test_foreign_folder_refused_then_taken_over_with_force(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "models.py").write_text("hand written\n")
    (pkg / "sub" / "keep.txt").write_text("keep\n")
    with pytest.raises(SpecError, match="was not created by runmodels; pass --force"):
        write_package(pkg, NEW)
    assert snapshot(pkg) == {"models.py": b"hand written\n", "sub/keep.txt": b"keep\n"}
    result = write_package(pkg, NEW, force=True)
    assert "models.py" in result.written
    snap = snapshot(pkg)
    assert snap["models.py"] == NEW["models.py"].encode() and snap["sub/keep.txt"] == b"keep\n"
    write_package(pkg, {"other.py": "z\n"})  # now owned: stale generated files go, keep.txt stays
    assert set(snapshot(pkg)) == {MANIFEST, "other.py", "sub/keep.txt"}


def test_empty_existing_dir_is_not_foreign(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    assert write_package(pkg, OLD).written == tuple(sorted(OLD))


def test_user_file_at_newly_generated_path_needs_force(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write_package(pkg, OLD)
    (pkg / "helpers.py").write_text("user's\n")
    with pytest.raises(SpecError, match="not owned by runmodels"):
        write_package(pkg, {**OLD, "helpers.py": "generated\n"})
    assert (pkg / "helpers.py").read_text() == "user's\n"
    write_package(pkg, {**OLD, "helpers.py": "generated\n"}, force=True)
    assert (pkg / "helpers.py").read_text() == "generated\n"


def test_invalid_paths_rejected(tmp_path: Path) -> None:
    for bad in ("../x.py", "/abs.py", "a//b.py", "./a.py", MANIFEST, ""):
        with pytest.raises(SpecError):
            write_package(tmp_path / "pkg", {bad: "x"})
    with pytest.raises(SpecError, match="both a file and a directory"):
        write_package(tmp_path / "pkg", {"a": "x", "a/b.py": "y"})
    assert not (tmp_path / "pkg").exists()


def test_check_mode_writes_nothing_and_diffs(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write_package(pkg, OLD)
    before, snap = mtimes(pkg), snapshot(pkg)
    plan = check_package(pkg, NEW)
    assert plan.added == ("added/fresh.py",) and plan.modified == ("models.py",)
    assert plan.removed == ("api/stale.py", "gone/only.py") and plan.changed
    assert mtimes(pkg) == before and snapshot(pkg) == snap and leftovers(pkg) == []
    diff = plan.unified_diff(color=False)
    assert "--- /dev/null\n+++ b/pkg/added/fresh.py\n" in diff
    assert "--- a/pkg/api/stale.py\n+++ /dev/null\n" in diff and "-OLD = 1\n" in diff
    assert "--- a/pkg/models.py\n+++ b/pkg/models.py\n" in diff and "+    id: str\n" in diff
    assert "\x1b[" not in diff
    colored = plan.unified_diff(color=True)
    assert "\x1b[31m-OLD = 1\x1b[0m" in colored and "\x1b[32m+    id: str\x1b[0m" in colored
    assert not check_package(pkg, OLD).changed and check_package(pkg, OLD).unified_diff(True) == ""
    fresh = check_package(tmp_path / "nothing", OLD)
    assert fresh.added == tuple(sorted(OLD)) and not (tmp_path / "nothing").exists()


def test_exception_mid_write_keeps_old_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "pkg"
    write_package(pkg, OLD)
    (pkg / "my_notes.py").write_text("mine\n")
    snap = snapshot(pkg)
    calls = []
    real = w._write_file

    def failing(path: Path, data: bytes, mode: int | None) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        real(path, data, mode)

    monkeypatch.setattr(w, "_write_file", failing)
    with pytest.raises(SpecError, match="disk full"):
        write_package(pkg, NEW)
    assert snapshot(pkg) == snap and leftovers(pkg) == []
    monkeypatch.undo()
    write_package(pkg, NEW)
    assert snapshot(pkg)["models.py"] == NEW["models.py"].encode()


def test_exception_between_fallback_renames_restores_old(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "pkg"
    write_package(pkg, OLD)
    snap = snapshot(pkg)
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if str(src).endswith("-new"):
            raise OSError("boom")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(w, "_exchange", lambda a, b: False)
    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(SpecError, match="boom"):
        write_package(pkg, NEW)
    monkeypatch.undo()
    assert snapshot(pkg) == snap and leftovers(pkg) == []
    monkeypatch.setattr(w, "_exchange", lambda a, b: False)
    write_package(pkg, NEW)  # the rename fallback works end to end
    assert snapshot(pkg)["added/fresh.py"] == b"y = 2\n" and leftovers(pkg) == []


def test_recover_after_interrupted_fallback_swap(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    write_package(pkg, OLD)
    snap = snapshot(pkg)
    os.rename(pkg, w._sibling(pkg, "old"))  # crashed between the two renames
    (tmp_path / ".pkg.runmodels-new").mkdir()
    assert check_package(pkg, OLD).unchanged == tuple(sorted(OLD))
    recover(pkg)
    assert snapshot(pkg) == snap and leftovers(pkg) == []


# --- real SIGKILLs -------------------------------------------------------------------------

CHILD = r"""
import json, os, sys, time, types
from pathlib import Path
package = types.ModuleType("generator")  # skip the package __init__ (slow imports) for speed
package.__path__ = [os.path.join(sys.argv[3], "generator")]
sys.modules["generator"] = package
import runmodels.write.files as w
event, _, nth = os.environ.get("KILL_AT", "").partition(":")
step = float(os.environ.get("STEP", "0"))
counts = {}
def hook(name, fn):
    def wrapper(*args, **kwargs):
        counts[name] = counts.get(name, 0) + 1
        if name == event and counts[name] == int(nth):
            print("ready", flush=True)
            time.sleep(60)
        if step:
            time.sleep(step)
        return fn(*args, **kwargs)
    return wrapper
w._write_file = hook("write", w._write_file)
w._preserve = hook("link", w._preserve)
w._exchange = hook("exchange", (lambda a, b: False) if os.environ.get("FALLBACK") else w._exchange)
os.rename = hook("rename", os.rename)
os.unlink = hook("unlink", os.unlink)
print("start", flush=True)
w.write_package(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()))
print("done", flush=True)
"""


def big_package(version: int) -> dict[str, str]:
    """~300 files in 10 folders; versions differ by modified, added and removed files."""
    files = {}
    for d in range(10):
        for f in range(30):
            if version == 2 and (d == 9 or (d == 8 and f < 10)):
                continue  # removed (folder 9 entirely)
            body = f"# module {d}.{f}\n" + "x = 1\n" * 40
            if version == 2 and f % 3 == 0:
                body += "y = 2\n"  # modified
            files[f"sub{d}/mod{f}.py"] = body
    if version == 2:
        files.update({f"newdir/extra{i}.py": f"z = {i}\n" for i in range(20)})
    return files


def _run_child(pkg: Path, files_json: Path, env: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(pkg), str(files_json), str(ROOT)],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, **env})


def _wait_for(proc: subprocess.Popen[str], word: str, timeout: float = 10.0) -> bool:
    """Read the child's stdout until word appears; False if it exits first."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], deadline - time.monotonic())
        line = proc.stdout.readline() if ready else ""
        if line.strip() == word:
            return True
        if not line and proc.poll() is not None:
            return False
    raise AssertionError(f"child never printed {word!r}")


def _exchange_supported(tmp_path: Path) -> bool:
    a, b = tmp_path / "xa", tmp_path / "xb"
    a.mkdir()
    b.mkdir()
    try:
        return w._exchange(a, b)
    finally:
        a.rmdir()
        b.rmdir()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigkill_leaves_old_or_new_output(tmp_path: Path) -> None:
    pkg = tmp_path / "out" / "pkg"
    versions = [big_package(1), big_package(2)]
    jsons = [tmp_path / "v1.json", tmp_path / "v2.json"]
    for files, path in zip(versions, jsons):
        path.write_text(json.dumps(files))
    write_package(pkg, versions[0])
    (pkg / "my_notes.py").write_text("mine\n")
    (pkg / "sub9" / "user.txt").write_text("user file in a folder that loses its files\n")
    snaps = [snapshot(pkg)]
    write_package(pkg, versions[1])
    snaps.append(snapshot(pkg))
    assert "sub9/user.txt" in snaps[1] and "sub9/mod0.py" not in snaps[1]
    assert snaps[0] != snaps[1] and snaps[1]["my_notes.py"] == b"mine\n"
    exchange = _exchange_supported(tmp_path)

    rng = random.Random(1234)
    scenarios: list[dict[str, str]] = [
        {"KILL_AT": "link:40"}, {"KILL_AT": "write:50"}, {"KILL_AT": "unlink:30"},
        {"KILL_AT": "rename:1", "FALLBACK": "1"}, {"KILL_AT": "rename:2", "FALLBACK": "1"},
        {"KILL_AT": "unlink:30", "FALLBACK": "1"},
    ]
    if exchange:
        scenarios.append({"KILL_AT": "exchange:1"})
    scenarios += [{"STEP": "0.001", "DELAY": f"{rng.uniform(0.0, 0.9):.3f}"} for _ in range(5)]
    outcomes = []
    current = 1  # each kill interrupts a write of the other version
    for env in scenarios:
        target = 1 - current
        proc = _run_child(pkg, jsons[target], env)
        try:
            if "DELAY" in env:
                _wait_for(proc, "start")
                time.sleep(float(env["DELAY"]))
            else:
                assert _wait_for(proc, "ready"), f"kill point {env} never reached"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()
        expected = (snaps[current], snaps[target])
        if exchange and "FALLBACK" not in env:  # the package path always names a complete tree
            assert snapshot(pkg) in expected, env
        recover(pkg)
        state = snapshot(pkg)
        assert state in expected, env
        outcomes.append("new" if state == snaps[target] else "old")
        assert leftovers(pkg) == []
        write_package(pkg, versions[target])  # the next normal run succeeds
        assert snapshot(pkg) == snaps[target] and leftovers(pkg) == []
        current = target
    assert "old" in outcomes and "new" in outcomes


def test_exactly_the_files_and_folders_written_are_flushed(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """No os.sync() (it flushes the whole machine): a fsync per written file, per folder of
    the new tree, and of the folder holding the package (the swap)."""
    import runmodels.write.durable as d

    pkg = tmp_path / "pkg"
    write_package(pkg, OLD)
    (pkg / "my_notes.py").write_text("mine\n")
    flushed: list[tuple[str, bool]] = []
    real = d.fsync_path

    def recording(path: Path | str, folder: bool = False) -> None:
        flushed.append((str(path), folder))
        real(path, folder)

    def forbidden() -> None:
        raise AssertionError("os.sync() called")

    monkeypatch.setattr(d, "fsync_path", recording)
    monkeypatch.setattr(os, "sync", forbidden)
    result = write_package(pkg, NEW)
    new = w._sibling(pkg, "new")
    files = {str(Path(p).relative_to(new)) for p, folder in flushed if not folder}
    assert files == {*result.written, MANIFEST}  # not the hard-linked unchanged or user files
    folders = {p for p, folder in flushed if folder}
    assert folders == {str(new), str(new / "api"), str(new / "added"), str(tmp_path)}
