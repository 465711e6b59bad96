"""Throughput of `runmodels audit`: captured payloads per second on the run family.

    python benchmarks/audit.py [--payloads N] [--reps R]

Builds captures from the run payloads in tests/payloads/v2 (JSON Lines per schema, and one HAR
file of GET/POST answers and event streams), with and without drift, and times the audit itself
(package build excluded, reported apart). Prints a markdown table of medians.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runmodels.audit import audit as audit_mod
from runmodels.build.package_ir import build_package
from runmodels.options import Options

SPEC = ROOT / "specs" / "runs_v2.yaml"
PAYLOADS = ROOT / "tests" / "payloads" / "v2"


def _drift(run: dict[str, Any]) -> dict[str, Any]:
    run = copy.deepcopy(run)
    run["status"] = "paused"
    run["reasoning_effort"] = "low"
    return run


def captures(folder: Path, count: int, drift: bool) -> int:
    """JSON Lines files of about `count` payloads in all; returns how many were written."""
    samples: dict[str, list[Any]] = {}
    for path in sorted(PAYLOADS.glob("*.json")):
        samples.setdefault(path.name.split("__")[0], []).append(json.loads(path.read_text()))
    per_schema = max(1, count // len(samples))
    written = 0
    for schema, values in samples.items():
        with open(folder / f"{schema}.jsonl", "w", encoding="utf-8") as out:
            for i in range(per_schema):
                value = values[i % len(values)]
                if drift and schema == "Run":
                    value = _drift(value)
                out.write(json.dumps(value) + "\n")
                written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payloads", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    pkg = build_package(Options(SPEC, "bench_audit_pkg"))
    built = time.perf_counter() - started
    rows = []
    for drift in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            n = captures(Path(tmp), args.payloads, drift)
            module = audit_mod.import_package(pkg, Path(tmp) / "pkg")
            decoders = audit_mod.Decoders(pkg, module)
            times = []
            for _ in range(args.reps):
                report = audit_mod.AuditReport(spec=str(SPEC), package=pkg)
                t0 = time.perf_counter()
                audit_mod._audit_into(report, decoders, [Path(tmp)], None)
                times.append(time.perf_counter() - t0)
            assert report.decoded == n, (report.decoded, n, report.unmatched[:3])
            median = statistics.median(times)
            rows.append((("with drift added" if drift else "tests/payloads as they are"), n, median, n / median,
                         sum(f.count for f in report.findings.values())))
            for name in [m for m in sys.modules if m.startswith(pkg.name)]:
                del sys.modules[name]
    print(f"runmodels audit, {SPEC.name}: package built in {built:.2f} s (once per run)\n")
    print("| captures | payloads | median s | payloads/s | deviations |")
    print("|---|---:|---:|---:|---:|")
    for label, n, median, rate, found in rows:
        print(f"| {label} | {n:,} | {median:.2f} | {rate:,.0f} | {found:,} |")


if __name__ == "__main__":
    main()
