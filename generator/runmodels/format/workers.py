"""Formatting worker processes, started before the spec is loaded (issue 7).

A worker imports black (~0.2 s) when it starts.  Started early, the workers do that on the other
cores while the main process loads and resolves the spec, and they are forked while the main
process is still small.  `started()` is used by a generation run after its memo missed; while it
is open, `format.py` sends every file to format to these workers (the main process never imports
black), else it starts its own pool for big batches as before.

Every pool comes from `new_pool` and ends in `stop`.  A worker ignores Ctrl-C (the terminal sends
it to the whole process group; the parent decides) and dies with its parent, even when the
parent is killed with SIGKILL and no cleanup runs: on Linux the kernel sends it SIGKILL then
(`PR_SET_PDEATHSIG`), elsewhere a thread of the worker notices it was orphaned.  When a run is
interrupted, `stop` kills the workers at once instead of letting them finish their files.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress

from runmodels import signals

MIN_SPEC_BYTES = 500_000  # the 2026 OpenAI spec has 3 MB; specs/runs_v2.yaml 60 kB
_pool: ProcessPoolExecutor | None = None


def count() -> int:
    """How many worker processes formatting may use: the usable CPUs, at most 8."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cpus or 1, 8)


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Make this process die when `parent` does (see the module docstring)."""
    signals.for_child()
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    if not sys.platform.startswith("linux"):
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


def _start(parent: int, warm: bool) -> None:
    """Worker initializer: die with the parent; import what formatting needs, once."""
    _die_with(parent)
    if warm:
        from runmodels.format import fastfmt  # imports black

        fastfmt.supported()


def new_pool(warm: bool = False, limit: int | None = None) -> ProcessPoolExecutor:
    """A pool of `count()` workers (at most `limit`) that die with this process (`warm`: import
    black first)."""
    return ProcessPoolExecutor(max_workers=min(count(), limit or count()), initializer=_start,
                               initargs=(os.getpid(), warm))


def stop(pool: ProcessPoolExecutor, abort: bool) -> None:
    """Shut a pool down and reap its workers; `abort` (a failed or interrupted run) kills them
    first instead of waiting for the files they are formatting."""
    if abort:
        with signals.deferred():
            processes = dict(getattr(pool, "_processes", None) or {})  # to reap them below
            kill = getattr(pool, "kill_workers", None)  # Python 3.14
            if kill is not None:
                kill()
            for process in processes.values() if kill is None else ():
                with suppress(OSError, ValueError, AttributeError):
                    process.kill()
            pool.shutdown(wait=True, cancel_futures=True)
            for process in processes.values():
                with suppress(OSError, ValueError, AttributeError):
                    process.join(5)
        return
    pool.shutdown(wait=True, cancel_futures=True)


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
    pool = new_pool(warm=True, limit=limit)
    pool.submit(_ready)  # with fork, the first task starts every worker
    _pool = pool
    failed = True
    try:
        yield
        failed = False
    finally:
        _pool = None
        stop(pool, abort=failed)


def pool() -> ProcessPoolExecutor | None:
    """The started workers, if any."""
    return _pool
