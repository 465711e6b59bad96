"""write_package with a spare tree (generator/runmodels/write/spare.py): the same trees, fewer new inodes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import runmodels.write.files as w
from runmodels.errors import SpecError
from runmodels.paths import MANIFEST
from runmodels.write.files import write_package

A = {"__init__.py": "A = 1\n", "models/a.py": "a = 1\n", "models/b.py": "b = 1\n",
     "old/only.py": "x = 1\n"}
B = {"__init__.py": "A = 2\n", "models/a.py": "a = 1\n", "models/b.py": "b = 2\n",
     "new/dir/c.py": "c = 2\n"}
C = {"__init__.py": "A = 3  # longer: a recycled file must be cut to the new length\n",
     "models/a.py": "a = 3\n", "models/b.py": "b = 333333\n", "new/dir/c.py": "c = 3\n"}


def tree(package: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file and folder under package: (content or None for a folder, mode)."""
    return {p.relative_to(package).as_posix(): (p.read_bytes() if p.is_file() else None,
                                                stat.S_IMODE(p.stat().st_mode))
            for p in sorted(package.rglob("*"))}


def inodes(package: Path) -> set[int]:
    return {p.stat().st_ino for p in package.rglob("*") if p.is_file()}


def without_manifest(snapshot: dict[str, tuple[bytes | None, int]]) -> dict[str, object]:
    return {k: v for k, v in snapshot.items() if k != MANIFEST}


@pytest.mark.parametrize("sequence", [(A, B, C, A), (A, C, B, C, A)])
def test_trees_equal_fresh_writes_and_inodes_are_recycled(tmp_path: Path,
                                                          sequence: tuple[dict[str, str], ...]
                                                          ) -> None:
    pkg = tmp_path / "out" / "pkg"
    spare = tmp_path / "cache" / "spare"
    user_file = pkg / "models" / "notes.txt"
    seen: set[int] = set()
    recycled = False
    for step, files in enumerate(sequence):
        write_package(pkg, files, spare_root=spare)
        if step == 0:
            user_file.write_text("mine\n")
        fresh = tmp_path / f"fresh{step}" / "pkg"
        write_package(fresh, files)
        (fresh / "models" / "notes.txt").write_text("mine\n")
        assert without_manifest(tree(pkg)) == without_manifest(tree(fresh)), step
        assert (pkg / MANIFEST).read_bytes() == (fresh / MANIFEST).read_bytes()
        assert sorted(p.name for p in pkg.parent.iterdir()) == ["pkg"]  # no sibling leftovers
        recycled |= bool(inodes(pkg) & seen - {user_file.stat().st_ino})
        seen |= inodes(pkg)
    assert recycled, "no file of an earlier tree was reused"


def test_a_failing_run_never_touches_the_live_tree(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged files are hard-linked between trees: the spare holds inodes the live tree uses."""
    pkg = tmp_path / "pkg"
    spare = tmp_path / "cache" / "spare"
    write_package(pkg, A, spare_root=spare)
    write_package(pkg, B, spare_root=spare)  # models/a.py unchanged: shared with the spare
    before = tree(pkg)
    def failing(original):  # type: ignore[no-untyped-def]
        def write(path: Path, data: bytes, mode: int | None) -> None:
            if path.name == "b.py":  # after models/a.py, whose old inode the live tree shares
                raise OSError("disk full")
            original(path, data, mode)
        return write

    monkeypatch.setattr(w, "_overwrite_file", failing(w._overwrite_file))
    monkeypatch.setattr(w, "_write_file", failing(w._write_file))
    with pytest.raises(SpecError, match="disk full"):
        write_package(pkg, C, spare_root=spare)
    assert tree(pkg) == before
    monkeypatch.undo()
    write_package(pkg, C, spare_root=spare)
    assert {k: v[0] for k, v in tree(pkg).items() if k in C} == {
        k: v.encode() for k, v in C.items()}


def test_spare_on_another_file_system_is_not_used(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "pkg"
    spare = tmp_path / "cache" / "spare"
    real_stat = os.stat

    def other_device(path: object, *args: object, **kwargs: object) -> os.stat_result:
        result = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if str(path) == str(spare):
            fields = list(result)
            fields[stat.ST_DEV] += 1
            return os.stat_result(fields)
        return result

    monkeypatch.setattr(os, "stat", other_device)
    write_package(pkg, A, spare_root=spare)
    write_package(pkg, B, spare_root=spare)
    assert not any(spare.iterdir())
    assert {k: v[0] for k, v in tree(pkg).items() if k in B} == {
        k: v.encode() for k, v in B.items()}


def test_only_a_few_spares_are_kept(tmp_path: Path) -> None:
    spare = tmp_path / "cache" / "spare"
    for n in range(6):
        pkg = tmp_path / f"pkg{n}"
        write_package(pkg, A, spare_root=spare)
        write_package(pkg, B, spare_root=spare)
    assert len(list(spare.iterdir())) == w.spare.KEEP


@pytest.mark.slow
def test_generate_writes_exactly_the_rendered_files_through_prepared_trees(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from runmodels.api import generate, render
    from runmodels.options import Options

    monkeypatch.chdir(tmp_path)
    runs = (Path(__file__).resolve().parents[1] / "specs" / "runs_v2.yaml").read_text()
    edited = runs.replace("The last error associated with a run.", "The last error (edited).")
    spec = tmp_path / "api.yaml"
    cache = tmp_path / "cache"
    for n, text in enumerate([runs, edited, runs, edited]):
        spec.write_text(text)
        result = generate(spec, tmp_path / "out", "pkg", cache_dir=cache)
        expected, _ = render(Options(spec, "pkg"), cache_dir=tmp_path / f"fresh{n}")
        written = {p.relative_to(result.package_dir).as_posix(): p.read_text()
                   for p in result.package_dir.rglob("*") if p.is_file() and p.name != MANIFEST}
        assert written == expected, n
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pkg"]
        assert not [p for p in (cache / "runmodels-cache-1" / "spare").iterdir() if p.name.endswith(".tmp")]
    assert list((cache / "runmodels-cache-1" / "spare").iterdir()), "no spare kept for the next run"
