"""Run one command and measure the whole process tree: wall time, CPU time, peak memory.

    python benchmarks/proctree.py CMD [ARGS...]   # prints one JSON object

A generator that forks formatting workers uses memory and CPU in every process, so the figures
are the tree's, not one process's:

- peak_mb: the largest sum of VmRSS over the command and all its descendants, sampled from
  /proc every 20 ms while it runs (never below the largest single process, which the kernel
  records exactly). Pages shared between a parent and its forked workers count once per
  process, so this is an upper bound of what the tree held.
- cpu_s: user + system seconds of the command and every descendant it waited for
  (RUSAGE_CHILDREN); on a 2-core machine cpu_s above wall time means the cores worked in parallel.
- largest_mb: the largest single process (ru_maxrss), what a one-process tool's peak is.

Without /proc (not Linux) peak_mb is the largest single process, and "tree" is false.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

PROC = Path("/proc")
INTERVAL = 0.02


def _parent_of(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
    return int(stat[stat.rindex(b")") + 2:].split()[1])


def descendants(root: int, known: dict[int, int]) -> list[int]:
    """root and every living process below it. Processes started after root have larger pids
    (until the pid counter wraps), so only those are read; `known` caches pid -> parent."""
    alive = set()
    for entry in os.listdir(PROC):
        if entry.isdigit() and int(entry) > root:
            pid = int(entry)
            alive.add(pid)
            if pid not in known:
                parent = _parent_of(pid)
                if parent is not None:
                    known[pid] = parent
    tree, todo = [root], [root]
    children: dict[int, list[int]] = {}
    for pid, parent in known.items():
        if pid in alive:
            children.setdefault(parent, []).append(pid)
    while todo:
        for child in children.get(todo.pop(), ()):
            tree.append(child)
            todo.append(child)
    return tree


def rss_kb(pid: int) -> int:
    try:
        with open(PROC / str(pid) / "status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(cmd: list[str]) -> dict[str, object]:
    """Run cmd to its end: seconds, cpu_s, peak_mb (tree), largest_mb, processes, rc, tail."""
    output: list[bytes] = []
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: output.append(proc.stdout.read()), daemon=True)
    reader.start()
    on_linux = PROC.is_dir()
    peak_kb, most = 0, 1
    known: dict[int, int] = {}
    while proc.poll() is None:
        if on_linux:
            tree = descendants(proc.pid, known)
            total = sum(rss_kb(pid) for pid in tree)
            peak_kb = max(peak_kb, total)
            most = max(most, len(tree))
        time.sleep(INTERVAL)
    seconds = time.perf_counter() - start
    reader.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    largest_kb = usage.ru_maxrss  # kilobytes on Linux
    return {"seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": max(peak_kb, largest_kb) / 1024, "largest_mb": largest_kb / 1024,
            "processes": most, "tree": on_linux, "rc": proc.returncode,
            "tail": b"".join(output).decode("utf-8", "replace")[-3000:]}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1:])))
