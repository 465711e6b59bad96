"""Loading big JSON specs: the JSON path (json.loads + one position pass) against the YAML
parser the JSON used to go through, and bare json.loads (no positions) as the floor.

    python benchmarks/json_load.py            # the 2026 OpenAI spec as JSON, 1x and 8x
    python benchmarks/json_load.py --reps 5

Needs ../shared/corpus beside the checkout. Prints a markdown table of medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runmodels.spec import tree as load

SPEC = ROOT.parent / "shared" / "corpus" / "openai-openapi" / "2026-08-21.yaml"


def _median(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    if not SPEC.is_file():
        sys.exit(f"{SPEC} is absent (the shared corpus is not beside this checkout)")
    doc = json.loads(json.dumps(load.load_file(SPEC)))  # plain dicts and lists
    print("| JSON document | size | json.loads (no positions) | runmodels JSON path | "
          "YAML parser (before) | JSON path ÷ YAML |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (1, 8):
            data = doc if copies == 1 else {**doc, "x-copies": [doc] * (copies - 1)}
            path = Path(tmp) / f"spec{copies}.json"
            text = json.dumps(data, indent=2)
            path.write_text(text, encoding="utf-8")
            floor = _median(lambda t=text: json.loads(t), args.reps)
            new = _median(lambda p=path: load.load_file(p), args.reps)
            old = _median(lambda p=path, t=text: load._parse(p, t), args.reps)
            print(f"| 2026 OpenAI spec ×{copies} | {len(text) / 2**20:.0f} MB | {floor:.2f} s | "
                  f"{new:.2f} s | {old:.2f} s | {new / old:.2f}× |")


if __name__ == "__main__":
    main()
