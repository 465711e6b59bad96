"""Cold, warm and black-cache-only generation of one spec: this checkout against another copy.

    python benchmarks/cache_bench.py --before /path/to/other/checkout [--spec FILE] [--repeat 5]

Each repetition runs both generators in turn (interleaved, the machine is noisy), as
`python -m runmodels generate SPEC`, each with a fresh cache and output folder:
cold (empty cache), warm (nothing changed: the run memo answers), and formatted (memo and
module store deleted, so every module comes from the black cache).  Prints the medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "openai-openapi"


def newest_spec() -> Path:
    specs = sorted(CORPUS.glob("20*.yaml"))
    if not specs:
        sys.exit(f"no spec in {CORPUS}; pass --spec")
    return specs[-1]


def run(source: Path, spec: Path, work: Path) -> float:
    env = dict(os.environ, RUNMODELS_CACHE=str(work / "cache"), PYTHONPATH=str(source))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "runmodels", "generate", str(spec), "--out",
                    str(work / "out"), "--package", "bench", "-q"], env=env, check=True)
    return time.perf_counter() - start


def drop_whole_run_caches(cache: Path) -> None:
    """Delete the memo and the module store (old layout or new), keeping black's entries."""
    for folder in (cache, *cache.glob("*")):
        for kind in ("runs", "modules"):
            if (folder / kind).is_dir():
                shutil.rmtree(folder / kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--spec", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spec = (args.spec or newest_spec()).resolve()
    sources = {"before": args.before.resolve(), "after": ROOT}
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeat):
        for name, source in sources.items():
            with tempfile.TemporaryDirectory(prefix="cache-bench-") as tmp:
                work = Path(tmp)
                times.setdefault((name, "cold"), []).append(run(source, spec, work))
                times.setdefault((name, "warm"), []).append(run(source, spec, work))
                drop_whole_run_caches(work / "cache")
                shutil.rmtree(work / "out")
                times.setdefault((name, "formatted"), []).append(run(source, spec, work))
    print(f"{spec.name}, {args.repeat} interleaved repetitions, median seconds\n")
    print("| run | before | after | after ÷ before |")
    print("|---|---:|---:|---:|")
    for case in ("cold", "warm", "formatted"):
        before = statistics.median(times[("before", case)])
        after = statistics.median(times[("after", case)])
        print(f"| {case} | {before:.2f} | {after:.2f} | {after / before:.2f} |")


if __name__ == "__main__":
    main()
