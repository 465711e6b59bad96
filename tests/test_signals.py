"""A real `runmodels generate` stopped while its workers format: SIGTERM and SIGINT end it with
143 and 130 after the same cleanup, SIGKILL takes the workers along; in every case no process
is left and the previous output is intact, byte for byte.

The spec is the run family scaled 20 times (benchmarks/synthetic.py), big enough to start the
formatting workers (`workers.MIN_SPEC_BYTES`).  The signal is sent when the first formatted file
reaches the cache: formatting has started, and the test checks that it had not finished.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runmodels.cache import store
from runmodels.format import workers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import scaled_spec

pytestmark = [
    pytest.mark.slow,  # seconds: left out of `pytest -m "not slow"`
    pytest.mark.skipif(not sys.platform.startswith("linux") or workers.count() < 2,
                                    reason="needs /proc and two CPUs (workers)"),
]


@pytest.fixture(scope="module")
def big_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    spec = scaled_spec(ROOT / "specs" / "runs_v2.yaml", 20, folder)
    assert spec.stat().st_size >= workers.MIN_SPEC_BYTES
    return spec


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def interrupted_run(spec: Path, work: Path, signum: int) -> tuple[int, str, set[int], int]:
    """Regenerate after an edit, with a fresh cache, and send signum mid-format: (exit code,
    stderr, the processes the run had started, files formatted by then)."""
    spec.write_text(spec.read_text().replace('"title": "', '"title": "Edited '), encoding="utf-8")
    cache = work / f"cache-{signum}"
    black = cache / store.FOLDER / "black"
    env = dict(os.environ, RUNMODELS_CACHE=str(cache), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "runmodels", "generate", str(spec), "--out",
                             str(work / "out"), "--package", "big"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    started: set[int] = set()
    deadline = time.monotonic() + 120
    while not (black.is_dir() and any(black.rglob("*"))):
        started |= children(proc.pid)
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "formatting never started"
        time.sleep(0.01)
    started |= children(proc.pid)
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # as Ctrl-C does: the whole process group
    else:
        os.kill(proc.pid, signum)
    _out, err = proc.communicate(timeout=60)
    formatted = sum(1 for p in black.rglob("*") if p.is_file())
    return proc.returncode, err, started, formatted


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_stopped_run_leaves_no_process_and_the_old_output(big_spec: Path, tmp_path: Path,
                                                           signum: int) -> None:
    spec = tmp_path / big_spec.name
    spec.write_bytes(big_spec.read_bytes())
    env = dict(os.environ, RUNMODELS_CACHE="off", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "runmodels", "generate", str(spec), "--out",
                    str(tmp_path / "out"), "--package", "big", "-q"], env=env, check=True)
    before = tree(tmp_path / "out")
    code, err, started, formatted = interrupted_run(spec, tmp_path, signum)
    assert started, "the run started no worker"
    assert formatted < len([p for p in before if p.endswith(".py")]), "formatting had finished"
    expected = {signal.SIGTERM: 143, signal.SIGINT: 130, signal.SIGKILL: -signal.SIGKILL}
    assert code == expected[signum], err
    assert "Traceback" not in err
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in started if alive(pid)]
    for pid in left:  # so that a failure leaves nothing running either
        os.kill(pid, signal.SIGKILL)
    assert not left, "worker processes outlived the run"
    assert tree(tmp_path / "out") == before
    if signum != signal.SIGKILL:  # a killed run's temp tree is for the next run to sweep
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["big"]
        assert "previous output is intact" in err


def test_a_signal_during_the_swap_is_raised_once_the_swap_is_done() -> None:
    from runmodels import signals

    saved = {signum: signal.getsignal(signum) for signum in signals.HANDLED}
    steps: list[str] = []
    try:
        signals.install()
        with pytest.raises(signals.Interrupted) as stopped, signals.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the handler has run by now: it held the signal back
            steps.append("swapped")
        assert steps == ["swapped"] and stopped.value.exit_code == 143
        with pytest.raises(signals.Interrupted) as stopped:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        assert stopped.value.exit_code == 130
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
