"""No cache state changes what is generated: every kind of entry tampered with, truncated,
corrupted or owned by another user gives exactly the files of a `RUNMODELS_CACHE=off` run.

The kinds are the cache store's (generator/runmodels/cache/store.py): the run memo (`runs/`), the module store
(`modules/`), black's results (`black/`) and spare trees (`spare/`).  Each test damages the
entries of one kind, hides the kinds that would answer before it, regenerates and compares the
package byte for byte with a run without a cache; it also checks that the damaged entries were
met (and dropped), so that no test passes because the cache was never read.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from runmodels.api import generate
from runmodels.cache import store

pytestmark = pytest.mark.slow  # seconds to minutes: left out of `pytest -m "not slow"`

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "runs_v1.yaml"
INJECTED = b"\nimport os; os.system('id')\n"
KINDS_BEFORE = {"runs": (), "modules": ("runs",), "black": ("runs", "modules")}


def nobody() -> int:
    try:
        return pwd.getpwnam("nobody").pw_uid
    except KeyError:
        pytest.skip("no user `nobody`")


def package_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def entries(cache: Path, kind: str) -> list[Path]:
    folder = cache / store.FOLDER / kind
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def edited(spec: Path, n: int) -> str:
    """The spec with its title changed: the files that show it (the package's __init__ and
    client) are written again; a comment alone would change no file but the manifest."""
    text = spec.read_text()
    assert "\n  title: " in text
    return text.replace("\n  title: ", f"\n  title: (edit {n}) ", 1)


def cache_off_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """Generate `expected/pkg` as `RUNMODELS_CACHE=off` does; the files written."""
    monkeypatch.setenv("RUNMODELS_CACHE", "off")
    return generate("api.yaml", project / "expected", "pkg").written


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding the spec, and the package a cache-off run generates."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(SPEC, tmp_path / "api.yaml")
    cache_off_run(tmp_path, monkeypatch)
    return tmp_path


def regenerate(project: Path, cache: Path, monkeypatch: pytest.MonkeyPatch,
               out: str = "out") -> tuple[str, ...]:
    monkeypatch.delenv("RUNMODELS_CACHE", raising=False)
    result = generate("api.yaml", project / out, "pkg", cache_dir=cache)
    assert package_bytes(project / out / "pkg") == package_bytes(project / "expected" / "pkg")
    return result.cache_notes


def tamper(path: Path) -> None:
    path.write_bytes(path.read_bytes() + INJECTED)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 3] = b"\xff\xfe\x00"
    path.write_bytes(bytes(data))


def chown(path: Path) -> None:
    os.chown(path, nobody(), -1)


def group_writable(path: Path) -> None:
    os.chmod(path, 0o664)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "tampered": tamper, "truncated": truncate, "corrupted": corrupt, "foreign": chown,
    "group-writable": group_writable}


@pytest.mark.parametrize("how", list(DAMAGE))
@pytest.mark.parametrize("kind", list(KINDS_BEFORE))
def test_damaged_entries_are_misses_and_the_output_is_a_cache_off_run(
        project: Path, monkeypatch: pytest.MonkeyPatch, kind: str, how: str) -> None:
    if how == "foreign" and os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    cache = project / "cache"
    regenerate(project, cache, monkeypatch)  # fills every kind
    damaged = entries(cache, kind)
    assert damaged, f"no {kind} entry to damage"
    for path in damaged:
        DAMAGE[how](path)
    for earlier in KINDS_BEFORE[kind]:
        for path in entries(cache, earlier):
            path.unlink()
    shutil.rmtree(project / "out")
    notes = regenerate(project, cache, monkeypatch)
    assert any(kind in note and "dropped" in note for note in notes), notes
    assert not [p for p in damaged if p.exists() and p.stat().st_uid != os.geteuid()]
    assert INJECTED not in b"".join(p.read_bytes() for p in entries(cache, kind))
    assert regenerate(project, cache, monkeypatch) == ()  # and the next run is clean and warm


def test_an_entry_renamed_to_another_key_fails_its_check(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = project / "cache"
    regenerate(project, cache, monkeypatch)
    first, second = entries(cache, "black")[:2]
    second.write_bytes(first.read_bytes())  # a valid entry, under another name
    for kind in ("runs", "modules"):
        for path in entries(cache, kind):
            path.unlink()
    shutil.rmtree(project / "out")
    notes = regenerate(project, cache, monkeypatch)
    assert any(str(second) in note for note in notes), notes


@pytest.mark.parametrize("part", ["root", "key", "runs"])
def test_a_store_that_is_not_the_users_own_is_not_used(
        project: Path, monkeypatch: pytest.MonkeyPatch, part: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    cache = project / "cache"
    regenerate(project, cache, monkeypatch)
    root = cache / store.FOLDER
    target = {"root": root, "key": root / store.KEY_FILE, "runs": root / "runs"}[part]
    os.chown(target, nobody(), -1)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    shutil.rmtree(project / "out")
    notes = regenerate(project, cache, monkeypatch)
    assert any(str(target) in note and "uid" in note for note in notes), notes
    if part != "runs":  # an untrusted store is neither read nor written
        assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_the_key_must_not_be_readable_by_others(project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cache = project / "cache"
    regenerate(project, cache, monkeypatch)
    key = cache / store.FOLDER / store.KEY_FILE
    os.chmod(key, 0o644)
    shutil.rmtree(project / "out")
    notes = regenerate(project, cache, monkeypatch)
    assert any(str(key) in note and "readable" in note for note in notes), notes


def test_a_folder_of_the_same_name_without_our_marker_is_left_alone(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = project / "cache"
    mine = cache / store.FOLDER / "runs"
    mine.mkdir(parents=True)
    (mine / "notes.json").write_text("mine\n")
    notes = regenerate(project, cache, monkeypatch)
    assert any(store.MARKER in note for note in notes), notes
    assert sorted(p.name for p in (cache / store.FOLDER).rglob("*")) == ["notes.json", "runs"]


def with_spare(project: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Generate twice with an edit between: the first tree is kept as the spare; its path."""
    regenerate(project, cache, monkeypatch)
    (project / "api.yaml").write_text(edited(SPEC, 1))
    cache_off_run(project, monkeypatch)
    regenerate(project, cache, monkeypatch)
    [spare] = [p for p in (cache / store.FOLDER / "spare").iterdir() if p.is_dir()]
    return spare


def test_foreign_spare_trees_are_never_used(project: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Another user's tree at the spare's (predictable) name never becomes the package."""
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    cache = project / "cache"
    planted = with_spare(project, cache, monkeypatch)
    shutil.rmtree(planted)  # another user's tree (its own inodes) at the spare's name
    shutil.copytree(project / "out" / "pkg", planted, copy_function=shutil.copy)
    for path in [planted, *planted.rglob("*")]:
        os.chown(path, nobody(), -1, follow_symlinks=False)
    (project / "api.yaml").write_text(edited(SPEC, 2))
    cache_off_run(project, monkeypatch)
    notes = regenerate(project, cache, monkeypatch)
    assert any("spare" in note and "uid" in note for note in notes), notes
    owners = {p.stat().st_uid for p in (project / "out" / "pkg").rglob("*")}
    assert owners == {os.geteuid()}
    assert stat.S_IMODE((project / "out" / "pkg").stat().st_mode) & 0o022 == 0


def test_a_spare_file_of_another_user_is_not_recycled(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    cache = project / "cache"
    spare = with_spare(project, cache, monkeypatch)
    for path in spare.rglob("*.py"):  # planted files (not the live tree's hard-linked inodes)
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)
        os.chown(path, nobody(), -1)
    (project / "api.yaml").write_text(edited(SPEC, 2))
    assert cache_off_run(project, monkeypatch)
    regenerate(project, cache, monkeypatch)
    assert {p.stat().st_uid for p in (project / "out" / "pkg").rglob("*")} == {os.geteuid()}


def test_pruning_keeps_user_files_and_bounds_every_kind(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = project / "cache"
    regenerate(project, cache, monkeypatch)
    root = cache / store.FOLDER
    user = [cache / "runs" / "0123.json", root / "runs" / "README", root / "black" / "mine.txt"]
    for path in user:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine\n")
    monkeypatch.setitem(store.LIMITS, "runs", (2, 0))
    monkeypatch.setitem(store.LIMITS, "modules", (2, 0))
    text = SPEC.read_text()
    for n in range(4):
        (project / "api.yaml").write_text(text + f"\n# edit {n}\n")
        generate("api.yaml", project / "out", "pkg", cache_dir=cache)
        generate("api.yaml", project / "out", f"pkg{n}", cache_dir=cache)
    assert len(entries(cache, "runs")) == 2 + 1  # README is not ours
    assert len(entries(cache, "modules")) == 2
    assert [p.read_text() for p in user] == ["mine\n"] * 3


def test_a_black_cache_beyond_its_bound_is_pruned_oldest_first(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    opened = store.open_store(tmp_path)
    assert opened is not None
    monkeypatch.setitem(store.LIMITS, "black", (3, 0))
    monkeypatch.setattr(store, "BLACK_PRUNE_AFTER", 6)  # (else one run in 16 prunes it)
    names = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(6)]
    for age, name in enumerate(names):
        opened.put("black", name, b"x = 1\n")
        path = opened.root / "black" / name[:2] / name
        os.utime(path, (1000 + age, 1000 + age))
    opened.finish()
    assert sorted(p.name for p in entries(tmp_path, "black")) == sorted(names[3:])


def test_leftovers_of_interrupted_writes_are_swept(tmp_path: Path) -> None:
    opened = store.open_store(tmp_path)
    assert opened is not None
    opened.put("runs", "ab" * 32, b"{}")
    old = opened.root / "runs" / ".tmp-99999-dead"
    fresh = opened.root / "runs" / ".tmp-99998-live"  # a concurrent run's, still being written
    for path in (old, fresh):
        path.write_bytes(b"half")
    os.utime(old, (1000, 1000))
    opened.finish()
    assert not old.exists() and fresh.exists()


def test_a_full_disk_leaves_no_temporary_files(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    opened = store.open_store(tmp_path)
    assert opened is not None
    real_write = os.write

    def full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    for n in range(20):
        opened.put("black", hashlib.sha256(str(n).encode()).hexdigest(), b"x = 1\n")
    monkeypatch.setattr(os, "write", real_write)
    assert not opened.writable
    assert not [p for p in opened.root.rglob("*") if p.name.startswith(".tmp")]


REFERRING = """\
openapi: 3.1.0
info: {title: Refs, version: "1"}
paths: {}
components:
  schemas:
    Order:
      type: object
      properties:
        thing: {$ref: "%s#/Thing"}
"""
THING = "Thing:\n  type: object\n  properties:\n    %s: {type: string}\n"


@pytest.mark.parametrize("target", [".shared/defs.yaml", "defs.txt", "defs", "node_modules/d.yml"])
def test_an_edit_of_any_file_a_ref_reaches_is_seen(tmp_path: Path, target: str) -> None:
    """The memo's key covers the files the loader read, whatever their folder or name."""
    from click.testing import CliRunner

    from runmodels.cli.main import main

    project = tmp_path / "project"
    (project / target).parent.mkdir(parents=True)
    (project / "api.yaml").write_text(REFERRING % f"./{target}")
    (project / target).write_text(THING % "before")
    args = ["generate", "api.yaml", "--out", "out", "--package", "pkg"]
    cache = {"RUNMODELS_CACHE": str(tmp_path / "cache")}
    runner = CliRunner()
    os.chdir(project)
    try:
        assert runner.invoke(main, args, env=cache).exit_code == 0
        assert runner.invoke(main, [*args, "--check"], env=cache).exit_code == 0  # memo hit
        (project / target).write_text(THING % "after")
        checked = runner.invoke(main, [*args, "--check"], env=cache)
        assert checked.exit_code == 1, checked.output
        warm = runner.invoke(main, args, env=cache)
        assert " 0 written" not in warm.output, warm.output
        assert runner.invoke(main, [*args, "--out", "cold"], env={"RUNMODELS_CACHE": "off"}
                             ).exit_code == 0
    finally:
        os.chdir(ROOT)
    assert package_bytes(project / "out" / "pkg") == package_bytes(project / "cold" / "pkg")
    assert b"after" in b"".join(package_bytes(project / "out" / "pkg").values())


def test_a_link_that_now_points_elsewhere_is_a_change(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "api.yaml").write_text(REFERRING % "./defs.yaml")
    (tmp_path / "a.yaml").write_text(THING % "alpha")
    (tmp_path / "b.yaml").write_text(THING % "beta")
    (tmp_path / "defs.yaml").symlink_to("a.yaml")
    generate("api.yaml", tmp_path / "out", "pkg", cache_dir=tmp_path / "cache")
    (tmp_path / "defs.yaml").unlink()
    (tmp_path / "defs.yaml").symlink_to("b.yaml")
    result = generate("api.yaml", tmp_path / "out", "pkg", cache_dir=tmp_path / "cache")
    assert result.written
    assert b"beta" in b"".join(package_bytes(tmp_path / "out" / "pkg").values())


def test_verbose_says_why_an_entry_was_ignored(project: Path) -> None:
    from click.testing import CliRunner

    from runmodels.cli.main import main

    env = {"RUNMODELS_CACHE": str(project / "cache")}
    args = ["generate", "api.yaml", "--out", "out", "--package", "pkg"]
    runner = CliRunner()
    assert runner.invoke(main, args, env=env).exit_code == 0
    [memo] = entries(project / "cache", "runs")
    truncate(memo)
    quiet = runner.invoke(main, args, env=env)
    assert quiet.exit_code == 0 and "cache:" not in quiet.output
    truncate(entries(project / "cache", "runs")[0])
    verbose = runner.invoke(main, [*args, "-v"], env=env)
    assert verbose.exit_code == 0
    assert f"cache: dropped {memo}: damaged" in verbose.output


def test_a_group_writable_umask_does_not_disable_the_cache(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With umask 002 (user private groups) packages and spares are group-writable, yet the
    store's own folders and entries are not: everything is still used."""
    old = os.umask(0o002)
    try:
        cache = project / "cache"
        with_spare(project, cache, monkeypatch)
        (project / "api.yaml").write_text(edited(SPEC, 2))
        cache_off_run(project, monkeypatch)
        monkeypatch.delenv("RUNMODELS_CACHE", raising=False)
        result = generate("api.yaml", project / "out", "pkg", cache_dir=cache)
        assert result.cache_notes == ()
        again = generate("api.yaml", project / "out", "pkg", cache_dir=cache)
        assert again.cache_notes == () and not again.written
    finally:
        os.umask(old)


OVERLAY = """\
overlay: 1.0.0
info: {title: Describe, version: "1"}
actions:
  - target: $.components.schemas.Order
    update: {description: %s}
"""


def test_an_edit_of_an_overlay_anywhere_is_seen(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Overlays are read through the loader: the memo records and checks them too."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "api.yaml").write_text(REFERRING % "./defs.yaml")
    (tmp_path / "defs.yaml").write_text(THING % "name")
    overlay = tmp_path / ".overlays" / "describe"
    overlay.parent.mkdir()
    overlay.write_text(OVERLAY % "Version A")
    cache = tmp_path / "cache"
    generate("api.yaml", tmp_path / "out", "pkg", cache_dir=cache, overlays=[overlay])
    overlay.write_text(OVERLAY % "Version B")
    result = generate("api.yaml", tmp_path / "out", "pkg", cache_dir=cache, overlays=[overlay])
    assert "models/order.py" in result.written
    assert b"Version B" in (tmp_path / "out" / "pkg" / "models" / "order.py").read_bytes()
