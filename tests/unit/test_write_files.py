"""Writing a package folder: exactly the generated files, the user's own kept, nothing written
outside it, and a folder runmodels did not make left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from runmodels.errors import SpecError
from runmodels.paths import MANIFEST
from runmodels.write.files import check_package, write_package

V1 = {"__init__.py": "A = 1\n", "models/run.py": "class Run: ...\n"}
V2 = {"__init__.py": "A = 2\n", "models/step.py": "class Step: ...\n"}


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def test_a_new_package_then_an_update_changes_exactly_the_generated_files(tmp_path: Path) -> None:
    pkg = tmp_path / "out" / "pkg"
    first = write_package(pkg, V1)
    assert first.written == ("__init__.py", "models/run.py") and _tree(pkg) == V1
    (pkg / "notes.txt").write_text("mine")  # the user's own file
    plan = check_package(pkg, V2)
    assert (plan.added, plan.modified, plan.removed) == (("models/step.py",), ("__init__.py",),
                                                        ("models/run.py",))
    assert _tree(pkg) == {**V1, "notes.txt": "mine"}  # checking wrote nothing
    second = write_package(pkg, V2)
    assert second.removed == ("models/run.py",)
    assert _tree(pkg) == {**V2, "notes.txt": "mine"}
    again = write_package(pkg, V2)
    assert again.written == () and set(again.unchanged) == set(V2)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pkg"]  # no temp trees left


def test_a_folder_runmodels_did_not_make_is_not_taken_over(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "main.py").write_text("print('mine')\n")
    with pytest.raises(SpecError) as raised:
        write_package(pkg, V1)
    assert "--force" in raised.value.message
    assert _tree(pkg) == {"main.py": "print('mine')\n"}
    write_package(pkg, V1, force=True)
    assert _tree(pkg) == {**V1, "main.py": "print('mine')\n"}


@pytest.mark.parametrize("rel", ["../evil.py", "/abs.py", "a/./b.py", "a\\b.py", "", MANIFEST,
                                 "x\0.py"])
def test_paths_that_leave_the_package_are_refused_before_anything_is_written(
        tmp_path: Path, rel: str) -> None:
    with pytest.raises(SpecError):
        write_package(tmp_path / "pkg", {rel: "x = 1\n"})
    assert list(tmp_path.iterdir()) == []


def test_a_path_cannot_be_both_a_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(SpecError):
        write_package(tmp_path / "pkg", {"models": "x\n", "models/run.py": "y\n"})
    assert not (tmp_path / "pkg").exists()
