"""SIGINT and SIGTERM end a run the same way: as an exception, so that every cleanup runs.

`install()` (by the command, in the main thread) makes both signals raise `Interrupted`, a
`KeyboardInterrupt` carrying the exit code (130 for SIGINT, 143 for SIGTERM).  The exception
unwinds the run: worker processes are stopped and reaped (`workers.py`), the half-built tree
is deleted (`write.py`), and the previous output stays as it was.  The few steps that must not
be cut in half (the swap of the package, and undoing a failed build) run inside `deferred()`:
a signal arriving then is raised when the step is done.  Child processes call `for_child()`:
they leave Ctrl-C to their parent (which stops them) and die of SIGTERM.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)
_state = {"depth": 0, "pending": 0}


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; `exit_code` is 128 + its number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _state["depth"]:
        _state["pending"] = _state["pending"] or signum
        return
    raise Interrupted(signum)


def install() -> None:
    """Make SIGINT and SIGTERM raise `Interrupted` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is threading.main_thread():
        for signum in HANDLED:
            signal.signal(signum, _handler)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold `Interrupted` back until the block is done (then raise it)."""
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        pending = _state["pending"]
        if not _state["depth"] and pending:
            _state["pending"] = 0
            raise Interrupted(pending)


def for_child() -> None:
    """In a child process: ignore Ctrl-C (the parent stops it), die of SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
