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
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections.abc import Collection
from contextlib import suppress
from pathlib import Path


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
        spare_root.mkdir(parents=True, exist_ok=True)
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
    try:
        os.rename(spare, new)
    except OSError:
        return None
    uid = os.getuid() if hasattr(os, "getuid") else None
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


def keep(spare_root: Path | None, package_dir: Path, garbage: Path) -> bool:
    """Move a swapped-out tree into the cache as the package's spare; False if it cannot."""
    spare = _location(spare_root, package_dir)
    if spare is None:
        return False
    with suppress(OSError):
        if os.path.lexists(spare):
            shutil.rmtree(spare) if spare.is_dir() and not spare.is_symlink() else spare.unlink()
        os.rename(garbage, spare)
        return True
    return False
