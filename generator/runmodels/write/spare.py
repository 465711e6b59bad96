"""Recycle the files of the previous output tree instead of creating and deleting ~all of them.

A regeneration writes a complete new tree and swaps it in (write.py).  When most files change
(every header carries the spec's hash), creating ~1,500 inodes and unlinking the old ones is
most of the time a run spends on disk.  So the old tree, once swapped out, is not deleted: it
is moved into the cache folder as the package's *spare*; the next run moves the spare back next
to the package as its new tree and overwrites the files it can (truncate + write), creating
only the others.  The swap itself is unchanged: the package path always names a complete tree.

A file of the spare is recycled only when it is a regular file owned by this user, that the
new tree must write, and that has no other link (unchanged and user files are hard-linked
between trees: those inodes are never written).  Everything else in the spare is deleted first.
Modes are set as a fresh tree would have them.  The spare lives in the cache folder only when
that folder is on the same file system as the package (a rename cannot cross file systems).
Spares live in a folder of the cache store that only this user may enter (`store.py`), and a
spare is taken only when it and every folder in it belong to this user; any other spare is
deleted, never used (its files are checked one by one when it is taken).

When there is no spare yet (the first regeneration after a cold run, or a cold run), `Preparer`
creates one of empty files, from the package's manifest or from the paths the run will write, in
a forked child process while the main process loads, renders and formats: creating inodes
waits on the disk, so it overlaps the CPU work instead of following it.  (A thread would wait
for the GIL between two files; the child only makes system calls and leaves with `os._exit`.)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import threading
import time
from collections.abc import Collection, Iterable
from contextlib import suppress
from pathlib import Path

from runmodels import signals
from runmodels.cache import store
from runmodels.paths import MANIFEST

KEEP = store.LIMITS["spare"][0]  # spare trees kept (one per package, least recently kept dropped)
_SPARE_NAME = re.compile(r"[0-9a-f]{32}(\.[0-9]+\.tmp)?")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a newly created file gets (as `open(..., 0o666)` makes it)."""
    return 0o666 & ~_umask()


def _location(spare_root: Path | None, package_dir: Path) -> Path | None:
    """Where the spare of package_dir is kept, or None (no cache, other file system)."""
    if spare_root is None:
        return None
    try:
        spare_root.parent.mkdir(parents=True, exist_ok=True)
        if not store.trusted_folder(spare_root):
            return None
        if os.stat(spare_root).st_dev != os.stat(package_dir.parent).st_dev:
            return None
    except OSError:
        return None
    return spare_root / hashlib.sha256(str(package_dir).encode()).hexdigest()[:32]


def take(spare_root: Path | None, package_dir: Path, new: Path,
         writes: Collection[str]) -> set[str] | None:
    """Move the package's spare to `new`, keeping only files to overwrite; their relpaths.

    None when there is no spare (the caller creates `new` empty).
    """
    spare = _location(spare_root, package_dir)
    if spare is None or not spare.is_dir() or spare.is_symlink():
        return None
    why = _why_foreign(spare)
    if why is not None:
        store.note(f"cache: deleted the spare tree {spare}: {why}")
        with suppress(OSError):
            _remove(spare)
        return None
    try:
        os.rename(spare, new)
    except OSError:
        return None
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    kept: set[str] = set()
    dir_mode = 0o777 & ~_umask()
    for root, dirs, names in os.walk(new, topdown=False):
        rel_root = Path(root).relative_to(new)
        for name in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            rel = (rel_root / name).as_posix()
            info = os.lstat(path)
            if (rel in writes and stat.S_ISREG(info.st_mode) and info.st_nlink == 1
                    and (uid is None or info.st_uid == uid)):
                kept.add(rel)
            else:
                os.unlink(path)
        if root != str(new) and not os.listdir(root):
            os.rmdir(root)
        else:
            os.chmod(root, dir_mode)
    return kept


def _why_foreign(tree: Path) -> str | None:
    """Why a spare tree must not be used: a folder in it (or the tree) is not this user's own.
    (Modes do not matter: no one else may enter the folder holding the spares.)"""
    for root, dirs, _names in os.walk(tree):
        for path in [root, *(os.path.join(root, d) for d in dirs)]:
            try:
                info = os.lstat(path)
            except OSError as error:
                return f"{path}: {error.strerror}"
            if stat.S_ISLNK(info.st_mode):
                continue  # a link is deleted, never followed
            why = store.why_foreign(info)
            if why is not None:
                return f"{path} is {why}"
    return None


def keep(spare_root: Path | None, package_dir: Path, garbage: Path) -> bool:
    """Move a swapped-out tree into the cache as the package's spare; False if it cannot."""
    spare = _location(spare_root, package_dir)
    if spare is None:
        return False
    with suppress(OSError):
        if os.path.lexists(spare):
            _remove(spare)
        os.rename(garbage, spare)
        os.utime(spare)  # its age is when it was last kept
        _prune(spare.parent)
        return True
    return False


def _remove(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def _prune(folder: Path) -> None:
    """Keep the spares of the KEEP packages written last (one output folder each), and sweep the
    trees interrupted runs left half-prepared; nothing whose name spare.py does not make."""
    spares: list[tuple[float, Path]] = []
    for path in folder.iterdir():
        if _SPARE_NAME.fullmatch(path.name):
            with suppress(OSError):
                age = path.lstat().st_mtime
                if not path.name.endswith(".tmp"):
                    spares.append((age, path))
                elif time.time() - age > store.STALE_TMP_SECONDS:
                    _remove(path)
    for _age, old in sorted(spares, reverse=True)[KEEP:]:
        with suppress(OSError):
            _remove(old)


class Preparer:
    """Creates, in a background thread, a spare of empty files for paths a run is about to write."""

    def __init__(self, spare_root: Path | None, package_dir: Path) -> None:
        self.package_dir = Path(package_dir).resolve()
        with suppress(OSError):
            self.package_dir.parent.mkdir(parents=True, exist_ok=True)
        self.spare = _location(spare_root, self.package_dir)
        self.started = False
        self.thread: threading.Thread | None = None
        self.child: int | None = None

    def start(self, rels: Iterable[str] | None = None) -> None:
        """Begin preparing (once): for `rels`, or for the files the package's manifest lists."""
        if self.started or self.spare is None or os.path.lexists(self.spare):
            return
        if rels is None:
            rels = _manifest_files(self.package_dir)
            if not rels:
                return
        paths = sorted({*rels, MANIFEST})
        self.started = True
        if not hasattr(os, "fork"):
            self.thread = threading.Thread(target=self._create, args=(paths,), daemon=True)
            self.thread.start()
            return
        pid = os.fork()
        if pid == 0:  # the child: system calls only, then leave without any cleanup
            try:
                signals.for_child()
                self._create(paths)
            finally:
                os._exit(0)
        self.child = pid

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
        if self.child is not None:
            with suppress(ChildProcessError):
                os.waitpid(self.child, 0)
            if self.spare is not None:  # the child's half-built tree, when it was killed
                with suppress(OSError):
                    _remove(self._building(self.child))
            self.child = None

    def _building(self, pid: int) -> Path:
        """Where process pid builds the spare before renaming it into place."""
        assert self.spare is not None
        return self.spare.with_name(f"{self.spare.name}.{pid}.tmp")

    def _create(self, rels: list[str]) -> None:
        assert self.spare is not None
        building = self._building(os.getpid())
        with suppress(OSError):
            os.mkdir(building)
            for rel in rels:
                parts = rel.split("/")
                if not rel or any(part in ("", ".", "..") for part in parts):
                    continue
                target = building.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            if not os.path.lexists(self.spare):
                os.rename(building, self.spare)
        with suppress(OSError):
            if os.path.lexists(building):
                _remove(building)


def _manifest_files(package_dir: Path) -> list[str]:
    try:
        data = json.loads((package_dir / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [str(rel) for rel in files] if isinstance(files, dict) else []
