"""The one cache store behind every cache: run memos, module stores, black results, spare trees.

Caches make runs fast, but nothing read from one may ever change what is generated.  The store
is a folder of our own, ``<cache>/runmodels-cache-1`` (``<cache>`` is ``$RUNMODELS_CACHE``, else
``$XDG_CACHE_HOME/runmodels``), marked by a ``CACHEDIR.TAG`` that names runmodels.  Backup tools
skip it, and the store never writes, prunes or deletes anything outside it or anything in it
whose name it did not make.

What an entry can prove.  Every entry is one file, ``RMC1 <hmac>\\n<payload>``, where the hmac is
HMAC-SHA256 over the entry's kind, its name and its payload, under a 32-byte secret (``key``,
mode 0600) that the store creates at first use.  Only processes that can read the key (this
user, or root) can write an entry that verifies, and the name is covered, so an entry cannot
be renamed to answer another key.  So a truncated, corrupted, torn (a crash after rename) or
tampered entry, or one copied from another cache (another key), fails the check: it is a miss,
the entry is dropped, and the run computes the value afresh.  Reading never raises.

Ownership.  The store folder, its subfolders, the key and every entry must be owned by the
effective user and not be writable by group or others; the key must not be readable by them
either.  Anything else is ignored (an entry is also dropped), and the reason is collected for
``runmodels generate -v``.  A store that fails these checks is not used at all: the run behaves
as with ``RUNMODELS_CACHE=off``.

For an entry named by the hash of its input (black's: the source's hash; the memo's: the
hash of every option and input), the hmac binds the result to that input: the entry says "this
user's runmodels computed this from that input", which is exactly what reuse needs.  Checking
each result against its input instead (parsing both and comparing syntax trees) would cost
more than formatting (~20 s for the 2026 OpenAI spec's 10 MB of code).  The key is what the
trust rests on: it never leaves the store, and a store copied from elsewhere (a CI cache
restored from an untrusted branch) brings its writer's key along, so only restore caches you
would trust to write your generated code.

Writes go to a temporary file in the entry's folder and are renamed into place; they are not
fsynced (a torn entry fails its check).  A failed (or interrupted) write removes its temporary
file, and after ENOSPC, EDQUOT, EROFS, EACCES or EPERM the store stops writing for the rest of
the run.  Every kind is bounded (`LIMITS`): `prune` removes the oldest entries beyond the bound,
and temporary files older than `STALE_TMP_SECONDS` (an interrupted run's) are swept.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

FOLDER = "runmodels-cache-1"
MARKER = "CACHEDIR.TAG"
MARKER_TEXT = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
               b"# This folder is a cache created by runmodels; deleting it is always safe.\n")
KEY_FILE = "key"
MAGIC = b"RMC1 "
KINDS = ("runs", "modules", "black", "spare")
# (most entries, most bytes) per kind; a spare is a tree: counted, not measured
LIMITS = {"runs": (32, 512 * 2**20), "modules": (16, 512 * 2**20),
          "black": (40_000, 256 * 2**20), "spare": (4, 0)}
BLACK_PRUNE_AFTER = 200  # new black entries that make a run prune black's folder
MAX_ENTRY_BYTES = 256 * 2**20
STALE_TMP_SECONDS = 3600
TMP_PREFIX = ".tmp-"
_NAME = re.compile(r"[0-9a-f]{16,64}")
_STOP_WRITING = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
_notes: list[str] = []


def note(reason: str) -> None:
    """Remember why something in the cache was ignored (shown by `-v`)."""
    if reason not in _notes:
        _notes.append(reason)


def take_notes() -> tuple[str, ...]:
    """The reasons collected since the last call, and forget them."""
    found = tuple(_notes)
    _notes.clear()
    return found


def _uid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def why_foreign(info: os.stat_result) -> str | None:
    """Why a file or folder is not the user's own (owned by someone else), or None."""
    uid = _uid()
    if uid >= 0 and info.st_uid != uid:
        return f"owned by uid {info.st_uid}, not by this user (uid {uid})"
    return None


def why_untrusted(info: os.stat_result, secret: bool = False) -> str | None:
    """Why a file or folder must not be trusted (another owner, or others may write it, or
    with `secret` read it), or None when it is the user's own."""
    mode = stat.S_IMODE(info.st_mode)
    if os.name != "posix":  # no owners or POSIX modes to judge (the user's profile folder)
        return None
    foreign = why_foreign(info)
    if foreign is not None:
        return foreign
    if mode & 0o022:
        return f"writable by other users (mode {mode:o})"
    if secret and mode & 0o044:
        return f"readable by other users (mode {mode:o})"
    return None


def trusted_folder(path: Path, create: bool = True) -> bool:
    """Whether path is a real folder (no link) of this user that no one else may write."""
    try:
        if create:
            with suppress(FileExistsError):
                os.mkdir(path, 0o700)
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        note(f"cache: {path} is not a folder; ignored")
        return False
    why = why_untrusted(info)
    if why is not None:
        note(f"cache: {path} is {why}; ignored")
        return False
    return True


class Store:
    """A verified, owned, bounded cache folder (see the module docstring)."""

    def __init__(self, root: Path, key: bytes) -> None:
        self.root = root
        self._key = key
        self._folders: dict[str, bool] = {}
        self.writable = True
        self.written: dict[str, int] = {}  # entries this run added, by kind

    def _path(self, kind: str, name: str) -> Path | None:
        if kind not in KINDS or not _NAME.fullmatch(name):
            return None
        folder = self.root / kind / name[:2] if kind == "black" else self.root / kind
        return folder / name

    def folder(self, kind: str, shard: str | None = None) -> Path | None:
        """The kind's folder (created), or None when it cannot be trusted."""
        path = self.root / kind if shard is None else self.root / kind / shard
        known = self._folders.get(str(path))
        if known is None:
            parent_ok = shard is None or self.folder(kind) is not None
            known = self._folders[str(path)] = parent_ok and trusted_folder(path)
        return path if known else None

    def _mac(self, kind: str, name: str, payload: bytes) -> bytes:
        return hmac.new(self._key, f"{kind}/{name}\0".encode() + payload,
                        hashlib.sha256).hexdigest().encode()

    def has(self, kind: str, name: str) -> bool:
        """Whether an entry is there (unchecked: a hint, such as for sizing work; read it
        with get)."""
        path = self._path(kind, name)
        return path is not None and path.is_file()

    def get(self, kind: str, name: str) -> bytes | None:
        """The payload stored under (kind, name), or None: missing, foreign, or failing its
        check (then the entry is dropped)."""
        path = self._path(kind, name)
        if path is None or self.folder(kind, name[:2] if kind == "black" else None) is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            why = why_untrusted(info) if stat.S_ISREG(info.st_mode) else "not a regular file"
            if why is None and info.st_size > MAX_ENTRY_BYTES:
                why = "too big"
            data = b"" if why else _read_all(fd, info.st_size)
        except OSError:
            return None
        finally:
            os.close(fd)
        if why is None:
            head, _, payload = data.partition(b"\n")
            if head[:len(MAGIC)] == MAGIC and hmac.compare_digest(
                    head[len(MAGIC):], self._mac(kind, name, payload)):
                return payload
            why = "damaged or not written by this user's runmodels (its check fails)"
        note(f"cache: dropped {path}: {why}")
        self.drop(kind, name)
        return None

    def put(self, kind: str, name: str, payload: bytes) -> None:
        """Store payload under (kind, name), atomically; failures only cost the entry."""
        path = self._path(kind, name)
        if path is None or not self.writable:
            return
        if self.folder(kind, name[:2] if kind == "black" else None) is None:
            return
        tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}")
        done = False
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0), 0o600)
            try:
                view = memoryview(MAGIC + self._mac(kind, name, payload) + b"\n" + payload)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, path)
            done = True
            self.written[kind] = self.written.get(kind, 0) + 1
        except OSError as error:
            if error.errno in _STOP_WRITING:
                self.writable = False
                note(f"cache: {self.root}: {error.strerror}; nothing more is cached this run")
        finally:  # also when interrupted: no temporary file is left behind
            if not done:
                _unlink(tmp)

    def drop(self, kind: str, name: str) -> None:
        """Delete one entry (never raises)."""
        path = self._path(kind, name)
        if path is not None:
            _unlink(path)

    def prune(self, kind: str) -> None:
        """Keep the kind within its bound (newest entries first); sweep stale temporary files."""
        most, most_bytes = LIMITS[kind]
        folder = self.root / kind
        if self._folders.get(str(folder)) is not True and not trusted_folder(folder, create=False):
            return
        now = time.time()
        entries: list[tuple[float, int, Path]] = []
        for path in _ours(folder, kind):
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if path.name.startswith(TMP_PREFIX) or path.name.endswith(".tmp"):
                if now - info.st_mtime > STALE_TMP_SECONDS:
                    _remove(path)
                continue
            entries.append((info.st_mtime, info.st_size, path))
        entries.sort(reverse=True)
        total = 0
        for count, (_mtime, size, path) in enumerate(entries, 1):
            total += size
            if count > most or (most_bytes and total > most_bytes):
                _remove(path)

    def finish(self) -> None:
        """After a run: prune the kinds it wrote to.  Black's folder is big (listing it costs
        ~0.2 s when full): it is pruned after a run that added many entries, and after one run
        in 16 of the others."""
        for kind, added in sorted(self.written.items()):
            if kind != "black" or added >= BLACK_PRUNE_AFTER or os.urandom(1)[0] < 16:
                self.prune(kind)
        self.written.clear()


def _ours(folder: Path, kind: str) -> Iterator[Path]:
    """The files (and, for spares, trees) of a kind's folder whose names the store makes."""
    def made(name: str) -> bool:
        if name.startswith(TMP_PREFIX):
            return True
        base = name[:-4] if name.endswith(".tmp") and kind == "spare" else name
        return bool(_NAME.fullmatch(base.split(".")[0]))

    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        path = folder / name
        if kind == "black" and len(name) == 2 and _NAME.fullmatch(name * 8):
            try:
                inner = sorted(os.listdir(path))
            except OSError:
                continue
            yield from (path / n for n in inner if made(n))
        elif made(name):
            yield path


def _read_all(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, max(size, 65536))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _remove(path: Path) -> None:
    """Delete a file, or a tree of ours (a spare), never following links."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def _read_key(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        why = why_untrusted(info, secret=True) if stat.S_ISREG(info.st_mode) else "not a file"
        key = os.read(fd, 64) if why is None else b""
    finally:
        os.close(fd)
    if why is not None or len(key) != 32:
        note(f"cache: {path} is {why or 'not a key of 32 bytes'}; the cache is not used")
        return None
    return key


def _make_key(root: Path) -> bytes | None:
    """The store's secret: read it, or create it (a concurrent run may win the race)."""
    path = root / KEY_FILE
    if not os.path.lexists(path):
        tmp = root / f"{TMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o600)
            try:
                os.write(fd, os.urandom(32))
            finally:
                os.close(fd)
            with suppress(FileExistsError):
                os.link(tmp, path)
        except OSError:
            pass
        finally:
            _unlink(tmp)
    return _read_key(path)


def _marked(root: Path) -> bool:
    """Whether root is our store: its marker is ours, or root is new and we mark it."""
    marker = root / MARKER
    try:
        fd = os.open(marker, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        try:
            if os.listdir(root):
                note(f"cache: {root} holds files but no runmodels {MARKER}; not used")
                return False
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.write(fd, MARKER_TEXT)
            finally:
                os.close(fd)
            return True
        except FileExistsError:  # a concurrent run marked it: read that marker
            return _marked(root)
        except OSError:
            return False
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        text = os.read(fd, 4096)
    finally:
        os.close(fd)
    if why_foreign(info) is not None or text != MARKER_TEXT:
        note(f"cache: {marker} is not the marker runmodels writes; the cache is not used")
        return False
    return True


def open_store(cache_dir: Path | None) -> Store | None:
    """The store inside cache_dir (created on first use), or None: no cache, or one that cannot
    be trusted (the reason goes to `take_notes`).  A few system calls: opened once per run."""
    if cache_dir is None:
        return None
    root = Path(os.path.abspath(cache_dir)) / FOLDER
    try:
        root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        note(f"cache: cannot create {root.parent}: {error.strerror}; not used")
        return None
    if not (trusted_folder(root) and _marked(root)):
        return None
    key = _make_key(root)
    return Store(root, key) if key is not None else None
