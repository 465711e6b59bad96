"""Formatting worker processes, started before the spec is loaded (issue 7).

A worker imports black (~0.2 s) when it starts.  Started early, the workers do that on the other
cores while the main process loads and resolves the spec, and they are forked while the main
process is still small.  `started()` is used by a generation run after its memo missed; while it
is open, `format.py` sends every file to format to these workers (the main process never imports
black), else it starts its own pool for big batches as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

MIN_SPEC_BYTES = 500_000  # the 2026 OpenAI spec has 3 MB; specs/runs_v2.yaml 60 kB
_pool: ProcessPoolExecutor | None = None


def count() -> int:
    """How many worker processes formatting may use: the usable CPUs, at most 8."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cpus or 1, 8)


def _warm() -> None:
    """Worker initializer: import what formatting needs, once."""
    from . import fastfmt  # imports black

    fastfmt.supported()


def _ready() -> bool:
    return True


@contextmanager
def started(spec_bytes: int, limit: int | None = None) -> Iterator[None]:
    """Start the workers now for a big spec (a small one formats faster in-process, and nothing
    is started on a machine with one CPU); at most `limit` of them."""
    global _pool
    if _pool is not None or count() < 2 or spec_bytes < MIN_SPEC_BYTES:
        yield
        return
    pool = ProcessPoolExecutor(max_workers=min(count(), limit or count()), initializer=_warm)
    pool.submit(_ready)  # with fork, the first task starts every worker
    _pool = pool
    try:
        yield
    finally:
        _pool = None
        pool.shutdown(cancel_futures=True)


def pool() -> ProcessPoolExecutor | None:
    """The started workers, if any."""
    return _pool
