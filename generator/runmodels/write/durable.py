"""Put exactly the files and folders a run wrote on disk, and nothing else.

`os.sync()` would flush every dirty page of the whole machine (another job's gigabytes
included).  Instead each written file is fsynced as soon as it is written, by a few threads
(fsync releases the GIL and waits on the disk, and concurrent fsyncs share the file system's
journal commits), so flushing overlaps writing; the folders of the tree are fsynced at the
end, because their entries (new names, hard links, removals) are what makes the files
reachable.  The first error (EIO, or ENOSPC found late by delayed allocation) is raised.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

THREADS = 8


def fsync_path(path: Path | str, folder: bool = False) -> None:
    """fsync one file, or one folder (a no-op where folders cannot be opened)."""
    if folder and os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Flusher:
    """`flush.file(p)` for each file written, then `flush.tree(root)`: every file given and
    every folder under root are durable when `tree` returns; `close()` in any case."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="fsync")
        self.pending: list[Future[None]] = []

    def file(self, path: Path) -> None:
        self.pending.append(self.pool.submit(fsync_path, path))

    def tree(self, root: Path) -> None:
        """Wait for the files; then fsync every folder of the tree (deepest first)."""
        self._wait()
        folders = [folder for folder, _dirs, _names in os.walk(root)]
        self.pending = [self.pool.submit(fsync_path, f, True) for f in reversed(folders)]
        self._wait()

    def _wait(self) -> None:
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        """Stop the threads (after `tree`, or when the build failed)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
