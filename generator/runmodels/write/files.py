"""Bring a generated package directory to exactly the generated state, atomically.

The new tree is built complete in the sibling ``.{name}.runmodels-new`` (unchanged and user files
hard-linked from the old tree, keeping inode and mtime; copy2 as fallback; changed files written;
each written file and every folder fsynced, `durable.py`), then swapped in: on Linux by one ``renameat2(RENAME_EXCHANGE)`` (the package path
always names a complete tree), elsewhere by ``pkg -> .{name}.runmodels-old``, ``new -> pkg``;
the old tree is then deleted.  Each run first recovers under a lock on the parent directory:
package missing and ``-old`` present -> restore ``-old``; any other ``-old``/``-new`` is deleted.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from runmodels import signals
from runmodels.errors import SpecError, environment_failure
from runmodels.paths import MANIFEST
from runmodels.write import spare

if TYPE_CHECKING:
    from runmodels.write.durable import Flusher

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
UNLINK_THREADS = 4
UNLINK_THREADS_MIN_FILES = 200
_COLORS = (("+++", "1"), ("---", "1"), ("@@", "36"), ("-", "31"), ("+", "32"))


@dataclass(frozen=True)
class WriteResult:
    """What write_package did, as sorted relpaths."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """What writing would change in a package directory."""

    package_dir: Path
    added: tuple[str, ...]
    modified: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    conflicts: tuple[str, ...] = ()  # generated paths occupied by files runmodels does not own
    foreign: bool = False  # non-empty directory without a valid manifest
    old: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    new: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> bool:
        """Whether any generated file would be added, modified or removed."""
        return bool(self.added or self.modified or self.removed)

    def unified_diff(self, color: bool = False, prefix: str | None = None) -> str:
        """A unified diff of every change, its paths under `prefix` (default: the package's
        folder name; the command line passes the folder as seen from the working folder)."""
        lines: list[str] = []
        for rel in sorted({*self.added, *self.modified, *self.removed}):
            path = f"{prefix or self.package_dir.name}/{rel}"
            before = None if rel in self.added else self.old[rel].decode("utf-8", "replace")
            after = None if rel in self.removed else self.new[rel]
            a = "/dev/null" if before is None else f"a/{path}"
            b = "/dev/null" if after is None else f"b/{path}"
            import difflib

            diff = list(difflib.unified_diff(_lines(before), _lines(after), a, b))
            lines.extend(diff or [f"--- {a}\n", f"+++ {b}\n"])
        text = "".join(lines)
        return "\n".join(_paint(line) for line in text.split("\n")) if color else text


def _lines(text: str | None) -> list[str]:
    """Split text into diff lines, marking a missing final newline like diff(1)."""
    parts = (text or "").split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1] + "\n\\ No newline at end of file\n")
    return lines


def _paint(line: str) -> str:
    """Colour one diff line (without its newline) with ANSI escapes."""
    for prefix, code in _COLORS:
        if line.startswith(prefix):
            return f"\x1b[{code}m{line}\x1b[0m"
    return line


def _valid_rel(rel: str) -> bool:
    """Whether rel is a clean relative POSIX path that stays inside the package."""
    path = PurePosixPath(rel)
    return (bool(rel) and "\\" not in rel and "\0" not in rel and not path.is_absolute()
            and str(path) == rel and all(part not in (".", "..") for part in path.parts))


def _check_relpaths(files: Mapping[str, str]) -> None:
    """Refuse generated paths that escape the package or collide with each other."""
    for rel in files:
        if not _valid_rel(rel) or rel == MANIFEST:
            raise SpecError(f"invalid generated file path {rel!r}",
                            hint="generated paths must be relative POSIX paths inside the package")
    parents = {str(p) for rel in files for p in PurePosixPath(rel).parents if str(p) != "."}
    for rel in sorted(parents & set(files)):
        raise SpecError(f"generated path {rel!r} would be both a file and a directory")


def _sibling(package_dir: Path, kind: str) -> Path:
    """The temp sibling ``.{name}.runmodels-{kind}`` of the package directory."""
    return package_dir.parent / f".{package_dir.name}.runmodels-{kind}"


def _read_manifest(package_dir: Path) -> dict[str, str] | None:
    """The owned files and hashes from the manifest, or None when it is missing or invalid."""
    path = package_dir / MANIFEST
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or data.get("generator") != "runmodels" or not all(
            isinstance(k, str) and _valid_rel(k) and k != MANIFEST and isinstance(v, str)
            for k, v in files.items()):
        return None
    return {str(k): str(v) for k, v in files.items()}


def _manifest_bytes(files: Mapping[str, str], provenance: Mapping[str, Any] | None = None) -> bytes:
    """The stable manifest text recording every generated file's sha256.

    `provenance` (the generator's version, the spec's path and hash) is recorded here, once,
    rather than in every file's header: a spec change then rewrites only the files it changes.
    """
    hashes = {rel: hashlib.sha256(text.encode("utf-8")).hexdigest() for rel, text in files.items()}
    doc = {**(provenance or {}), "files": dict(sorted(hashes.items())), "generator": "runmodels"}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _kind(package_dir: Path, rel: str) -> str:
    """'missing', 'file', or 'blocked' (a link, directory or special file is in the way)."""
    parts = rel.split("/")
    path = package_dir
    for i, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return "missing"
        if i == len(parts) - 1:
            return "file" if stat.S_ISREG(mode) else "blocked"
        if not stat.S_ISDIR(mode):
            return "blocked"
    return "missing"


def plan(package_dir: Path, files: Mapping[str, str]) -> Plan:
    """Compare the generated files with package_dir without writing anything."""
    _check_relpaths(files)
    package_dir = Path(package_dir).resolve()
    current = _sibling(package_dir, "old")  # holds the output if a swap was interrupted
    current = current if not os.path.lexists(package_dir) and current.is_dir() else package_dir
    exists = current.is_dir()
    manifest = _read_manifest(current) if exists else None
    owned = manifest or {}
    added: list[str] = []
    modified: list[str] = []
    unchanged: list[str] = []
    conflicts: list[str] = []
    removed: list[str] = []
    old: dict[str, bytes] = {}
    for rel in sorted(files):
        kind = _kind(current, rel) if exists else "missing"
        if kind == "blocked":
            raise SpecError(f"cannot write {rel}: a directory, link or special file is in the way",
                            file=package_dir / rel)
        data = (current / rel).read_bytes() if kind == "file" else None
        if data is None:
            added.append(rel)
        elif data == files[rel].encode("utf-8"):
            unchanged.append(rel)
        else:
            modified.append(rel)
            old[rel] = data
            if rel not in owned:
                conflicts.append(rel)
    for rel in sorted(set(owned) - set(files)):
        if _kind(current, rel) == "file":
            removed.append(rel)
            old[rel] = (current / rel).read_bytes()
    foreign = exists and manifest is None and any(current.iterdir())
    return Plan(package_dir, tuple(added), tuple(modified), tuple(removed), tuple(unchanged),
                tuple(conflicts), foreign, old, dict(files))


def check_package(package_dir: Path, files: Mapping[str, str]) -> Plan:
    """What write_package would change; writes nothing."""
    try:
        return plan(package_dir, files)
    except OSError as error:
        raise environment_failure(error, package_dir, "read the package") from None


def recover(package_dir: Path) -> None:
    """Finish or undo an interrupted swap and delete leftover temp trees."""
    package_dir = Path(package_dir).resolve()
    old, new = _sibling(package_dir, "old"), _sibling(package_dir, "new")
    if os.path.lexists(old):
        if not os.path.lexists(package_dir):
            os.rename(old, package_dir)
            _fsync_dir(package_dir.parent)
        else:
            _rmtree(old)
    _rmtree(new)


def write_package(package_dir: Path, files: Mapping[str, str], *, force: bool = False,
                  spare_root: Path | None = None,
                  provenance: Mapping[str, Any] | None = None) -> WriteResult:
    """Atomically bring package_dir to exactly the generated files, keeping the user's own.

    With `spare_root` (a folder of the cache), the swapped-out tree is kept there and its files
    are overwritten by the next run instead of creating new ones (see spare.py). `provenance`
    goes into the manifest (see `_manifest_bytes`).
    A failure of the machine (disk full, permissions, read-only, path too long) raises
    `EnvironmentFailure` naming the path, and leaves the package as it was.
    """
    _check_relpaths(files)
    package_dir = Path(package_dir).resolve()
    try:
        return _write_package(package_dir, files, force, spare_root, provenance)
    except OSError as error:
        raise environment_failure(error, package_dir, "write the package") from None


def _write_package(package_dir: Path, files: Mapping[str, str], force: bool,
                   spare_root: Path | None,
                   provenance: Mapping[str, Any] | None) -> WriteResult:
    for folder in (package_dir.parent, *package_dir.parent.parents):
        if os.path.lexists(folder):
            if not folder.is_dir():
                raise SpecError(f"{folder} is a file, not a folder", file=folder,
                                hint="--out must name a folder (it is created when missing)")
            break
    package_dir.parent.mkdir(parents=True, exist_ok=True)
    with _lock(package_dir.parent):
        recover(package_dir)
        if os.path.lexists(package_dir) and not package_dir.is_dir():
            raise SpecError("the output package path exists and is not a directory", file=package_dir)
        p = plan(package_dir, files)
        if p.foreign and not force:
            raise SpecError(f"{package_dir} was not created by runmodels; pass --force to take it over",
                            file=package_dir, hint=f"it has files but no {MANIFEST}")
        if p.conflicts and not force:
            raise SpecError(f"{p.conflicts[0]} is not owned by runmodels and would be overwritten; "
                            "pass --force to overwrite it", file=package_dir / p.conflicts[0])
        manifest = _manifest_bytes(files, provenance)
        if p.changed or _read_bytes(package_dir / MANIFEST) != manifest:
            try:
                new = _build(package_dir, files, p, manifest, spare_root)
                with signals.deferred():  # a signal now is raised once the swap is done
                    _swap(package_dir, new, spare_root)
            except BaseException:
                with signals.deferred(), suppress(OSError):
                    recover(package_dir)
                raise
    return WriteResult(tuple(sorted(p.added + p.modified)), p.unchanged, p.removed)


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _build(package_dir: Path, files: Mapping[str, str], p: Plan, manifest: bytes,
           spare_root: Path | None = None) -> Path:
    """Build the complete new tree next to package_dir, on disk, and return its path."""
    from runmodels.write import durable  # threads: not imported by a run that writes nothing

    flush = durable.Flusher()
    try:
        new = _build_into(package_dir, files, p, manifest, spare_root, flush)
        flush.tree(new)
    finally:
        flush.close()
    return new


def _build_into(package_dir: Path, files: Mapping[str, str], p: Plan, manifest: bytes,
                spare_root: Path | None, flush: Flusher) -> Path:
    new = _sibling(package_dir, "new")
    write = {rel: files[rel].encode("utf-8") for rel in p.added + p.modified}
    if _read_bytes(package_dir / MANIFEST) != manifest:
        write[MANIFEST] = manifest
    recycled = spare.take(spare_root, package_dir, new, write)
    if recycled is None:
        os.mkdir(new)
        recycled = set()
    skip = set(write) | set(p.removed)
    modes: list[tuple[Path, int]] = []
    if package_dir.is_dir():
        modes.append((new, os.stat(package_dir).st_mode))
        for root, dirs, names in os.walk(package_dir, onerror=_raise):  # never skip a user file
            rel_root = Path(root).relative_to(package_dir)
            for name in list(dirs):
                if os.path.islink(os.path.join(root, name)):
                    dirs.remove(name)
                    names.append(name)
                else:
                    os.makedirs(new / rel_root / name, exist_ok=True)
                    modes.append((new / rel_root / name, os.stat(os.path.join(root, name)).st_mode))
            for name in names:
                if (rel_root / name).as_posix() not in skip and _preserve(
                        Path(root, name), new / rel_root / name):
                    flush.file(new / rel_root / name)  # a copy, not a link: new data
    for rel, data in sorted(write.items()):
        target = new / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        old_mode = os.stat(package_dir / rel).st_mode if rel in p.modified else None
        if rel in recycled:
            _overwrite_file(target, data, old_mode)
        else:
            _write_file(target, data, old_mode)
        flush.file(target)
    for rel in p.removed:  # prune directories that only held stale files
        for parent in PurePosixPath(rel).parents:
            target = new / parent
            if str(parent) == "." or (target.is_dir() and os.listdir(target)):
                break
            if target.is_dir():  # else already pruned for an earlier stale file
                os.rmdir(target)
    for path, mode in modes:
        if path.exists():
            os.chmod(path, stat.S_IMODE(mode))
    return new


def _raise(error: OSError) -> None:
    """Make os.walk fail loudly instead of silently skipping an unreadable directory."""
    raise error


def _preserve(src: Path, dst: Path) -> bool:
    """Carry an existing file into the new tree, keeping its inode and mtime when possible;
    True when it had to be copied."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
        return False
    if not stat.S_ISREG(os.lstat(src).st_mode):
        raise SpecError("cannot carry over a special file in the package directory", file=src)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
        return True
    return False


def _write_file(path: Path, data: bytes, mode: int | None) -> None:
    """Create path with exactly data (no newline translation); the caller makes it durable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    if mode is not None:
        os.chmod(path, stat.S_IMODE(mode))


def _overwrite_file(path: Path, data: bytes, mode: int | None) -> None:
    """Give a recycled file of the spare exactly data, and the mode a new file would have.

    Written over the old bytes, then cut to length: truncating to zero first would free every
    block and allocate them again (as slow as creating the file).
    """
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if os.fstat(fd).st_size != len(data):
            os.ftruncate(fd, len(data))
    finally:
        os.close(fd)
    os.chmod(path, stat.S_IMODE(mode) if mode is not None else spare.file_mode())


def _swap(package_dir: Path, new: Path, spare_root: Path | None = None) -> None:
    """Put the new tree in place of package_dir atomically, then delete the old tree."""
    if not os.path.lexists(package_dir):
        os.rename(new, package_dir)
        _fsync_dir(package_dir.parent)
        return
    if _exchange(new, package_dir):
        garbage = new
    else:
        garbage = _sibling(package_dir, "old")
        os.rename(package_dir, garbage)
        os.rename(new, package_dir)
    _fsync_dir(package_dir.parent)
    if spare.keep(spare_root, package_dir, garbage):
        return
    with suppress(OSError):  # a leftover is deleted by the next run's recover()
        _rmtree(garbage)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths with renameat2(RENAME_EXCHANGE); False when that is unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result: int = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _rmtree(path: Path) -> None:
    """Delete a tree if it exists, making read-only directories writable as needed."""
    def retry(func: Callable[..., Any], name: str, _exc: object) -> None:
        os.chmod(os.path.dirname(name), stat.S_IRWXU)  # a read-only directory inside our tree
        func(name)

    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        _unlink_files(path)
        if sys.version_info >= (3, 12):
            shutil.rmtree(path, onexc=retry)
        else:
            shutil.rmtree(path, onerror=retry)


def _unlink_files(tree: Path) -> None:
    """Unlink a big tree's files from a few threads (each unlink waits on the disk); whatever
    is left, directories and any file that failed, is for `shutil.rmtree`."""
    files = [os.path.join(root, name) for root, _dirs, names in os.walk(tree) for name in names]
    if len(files) < UNLINK_THREADS_MIN_FILES:
        return

    def unlink(file: str) -> None:
        with suppress(OSError):
            os.unlink(file)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=UNLINK_THREADS) as pool:
        list(pool.map(unlink, files, chunksize=32))


def _fsync_dir(path: Path) -> None:
    """Flush a directory's entries to disk (a no-op where directories cannot be opened)."""
    from runmodels.write.durable import fsync_path

    fsync_path(path, folder=True)


@contextmanager
def _lock(directory: Path) -> Iterator[None]:
    """Serialise concurrent runs writing into the same parent directory (POSIX only)."""
    if sys.platform == "win32":
        yield
        return
    import fcntl

    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
