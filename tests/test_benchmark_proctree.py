"""benchmarks/proctree.py measures the whole process tree, not its largest process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROCTREE = Path(__file__).resolve().parents[1] / "benchmarks" / "proctree.py"
WORKERS = textwrap.dedent("""
    import os, time
    def hold(mb):
        block = bytearray(mb * 2**20)
        block[::4096] = b"x" * len(block[::4096])  # touch every page: resident
        time.sleep(1.0)
    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            hold(80)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
""")


@pytest.mark.skipif(not Path("/proc").is_dir(),
                    reason="needs Linux /proc")
def test_peak_memory_and_cpu_cover_every_worker() -> None:
    out = subprocess.run([sys.executable, str(PROCTREE), sys.executable, "-c", WORKERS],
                         capture_output=True, text=True, check=True, timeout=60)
    result = json.loads(out.stdout)
    assert result["rc"] == 0 and result["tree"] is True
    assert result["processes"] >= 3
    assert 80 <= result["largest_mb"] < 140  # one worker
    assert result["peak_mb"] >= 160  # both workers at once, and their parent
    assert result["cpu_s"] > 0 and result["seconds"] >= 1.0
