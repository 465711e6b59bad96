"""A/B of two generated runs_v2 packages: from_dict / to_dict on the payloads in tests/payloads.

    python benchmarks/ab_codecs.py OLD_PACKAGE_DIR [NEW_PACKAGE_DIR] [--reps 100] [--budget 0.005]
                                   [--ops from_dict,to_dict,from_json,from_dict_nocopy]

NEW_PACKAGE_DIR defaults to generated/runs_v2.  Both packages are copied into a scratch folder
under the names `pkg_a` and `pkg_b` and imported side by side; every round times each
(payload, operation, package) once, A and B alternating, so drift of a shared, noisy machine
hits both alike; many short samples interleave finely.  Prints a markdown table of medians
(microseconds per call) and B / A, with the ratio of the minima beside it (on a loaded machine
the minimum is the sample least disturbed by others).
Use it before and after a change to the decoders or the runtime: copy generated/runs_v2
somewhere first, change, regenerate, then run this with the copy as A.
`--ops` picks the operations (default from_dict,to_dict); `from_dict_nocopy` times
`from_dict(data, copy=False)` on a package that has the flag (plain `from_dict` on one that
has not), `from_json` decodes the payload's JSON text.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ROOT / "tests" / "payloads" / "v2"
CASES = (  # (class, payload file)
    ("Run", "Run__completed_with_usage.json"),
    ("Run", "Run__requires_action_8_tool_calls.json"),
    ("Run", "Run__forward_compat_all.json"),
    ("RunStep", "RunStep__code_interpreter_logs_and_image.json"),
    ("ListRunsResponse", "ListRunsResponse__three_runs.json"),
    ("ListRunStepsResponse", "ListRunStepsResponse__20_steps.json"),
)


def load(folder: Path, name: str, scratch: Path) -> Any:
    shutil.copytree(folder, scratch / name)
    return importlib.import_module(name)


def calibrate(fn: Callable[[], Any], budget: float) -> int:
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < budget:
        fn()
        n += 1
    return max(1, n)


OPS = "from_dict, to_dict, from_json, from_dict_nocopy"


def operation(cls: Any, obj: Any, data: Any, op: str) -> Callable[[], Any]:
    """The call timed for one operation of one package."""
    if op == "to_dict":
        return obj.to_dict  # type: ignore[no-any-return]
    if op == "from_json":
        text = json.dumps(data)
        return lambda: cls.from_json(text)
    if op == "from_dict_nocopy" and "copy" in inspect.signature(cls.from_dict).parameters:
        return lambda: cls.from_dict(data, copy=False)
    return lambda: cls.from_dict(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=ROOT / "generated" / "runs_v2")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--budget", type=float, default=0.005, help="seconds per sample")
    parser.add_argument("--ops", default="from_dict,to_dict", help="comma-separated: " + OPS)
    args = parser.parse_args()
    ops = args.ops.split(",")
    if not set(ops) <= set(OPS.split(", ")):
        parser.error(f"--ops: choose from {OPS}")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        sys.path.insert(0, str(scratch))
        packages = {"A": load(args.old, "pkg_a", scratch), "B": load(args.new, "pkg_b", scratch)}
        rows: list[tuple[str, str, dict[str, float]]] = []
        timed: list[tuple[int, str, Callable[[], Any]]] = []
        for cls_name, file in CASES:
            data = json.loads((PAYLOADS / file).read_text(encoding="utf-8"))
            for op in ops:
                rows.append((file.removesuffix(".json"), op, {}))
                for label, pkg in packages.items():
                    cls = getattr(pkg, cls_name)
                    obj = cls.from_dict(data)
                    assert obj.to_dict() == data, (label, file)
                    timed.append((len(rows) - 1, label, operation(cls, obj, data, op)))
        loops = {id(fn): calibrate(fn, args.budget) for _, _, fn in timed}
        samples: dict[tuple[int, str], list[float]] = {}
        for rep in range(args.reps):
            order = timed if rep % 2 == 0 else timed[::-1]  # alternate who goes first
            for row, label, fn in order:
                n = loops[id(fn)]
                start = time.perf_counter()
                for _ in range(n):
                    fn()
                samples.setdefault((row, label), []).append((time.perf_counter() - start) / n * 1e6)
        print(f"A = {args.old}, B = {args.new}; median of {args.reps} interleaved samples, µs per call")
        print()
        print("| payload | op | A | B | B / A | B / A of minima |")
        print("|---|---|---:|---:|---:|---:|")
        ratios, low_ratios = [], []
        for row, (payload, op, _) in enumerate(rows):
            a = statistics.median(samples[(row, "A")])
            b = statistics.median(samples[(row, "B")])
            low = min(samples[(row, "B")]) / min(samples[(row, "A")])
            ratios.append(b / a)
            low_ratios.append(low)
            print(f"| {payload} | {op} | {a:.2f} | {b:.2f} | {b / a:.3f} | {low:.3f} |")
        mean, low_mean = statistics.geometric_mean(ratios), statistics.geometric_mean(low_ratios)
        print(f"| **all** | geometric mean | | | {mean:.3f} | {low_mean:.3f} |")


if __name__ == "__main__":
    main()
