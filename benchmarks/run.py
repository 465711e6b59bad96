"""runmodels against its peers: generation, decode/encode, import time and memory.

    python benchmarks/run.py            # full run (several minutes; peers when installed)
    python benchmarks/run.py --quick    # < 2 minutes: fewer repeats, no whole-spec peers
    python benchmarks/run.py --only scaling --reps 2   # 1x vs 10x the 2026 schemas (minutes)
    pip install -e '.[bench]'           # the peers (datamodel-code-generator, openapi-python-client,
                                        # pydantic, openai, msgspec, mashumaro, cattrs)

    python benchmarks/run.py --write-docs   # full run; writes RESULTS.md and README's tables
    python benchmarks/run.py --only generation --peer dmcg --baseline /tmp/base   # before/after

Installs nothing.  Contenders run interleaved (A B C, A B C, ...) and every number is a median.
Each generator runs under proctree.py: wall time, CPU time and peak memory of its whole process
tree (formatting workers included).  Prints markdown tables and writes
benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "openai-openapi"
WHOLE_SPEC = CORPUS / "2026-08-21.yaml"
RUN_SPEC = ROOT / "specs" / "runs_v2.yaml"
PAYLOADS = ROOT / "tests" / "payloads" / "v2"
PY = sys.executable

# issue 7's targets, as (ratio limit, what it is compared with)
TARGETS: dict[str, str] = {}


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def which(tool: str) -> str | None:
    """A console script of this interpreter's environment, else one on PATH."""
    local = Path(PY).parent / tool
    return str(local) if local.exists() else shutil.which(tool)


def have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def version_of(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "-"


# --- subprocess timing with the whole tree's CPU time and peak memory ---------------------------
PROCTREE = Path(__file__).resolve().parent / "proctree.py"


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Run cmd under proctree.py: wall and CPU seconds, peak RSS (MB) of the whole process tree
    (formatting workers included), the largest single process, exit code."""
    out = subprocess.run([PY, str(PROCTREE), *cmd], capture_output=True, text=True,
                         env=env, cwd=cwd, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


# --- generation ------------------------------------------------------------------------------------
class Gen:
    """One generation contender on one spec: a setup step and a command per repetition."""

    def __init__(self, label: str, run: Callable[[int], dict[str, Any]]) -> None:
        self.label = label
        self.run = run
        self.results: list[dict[str, Any]] = []


def _changed_copy(text: str, schema: str, n: int) -> str:
    """The spec text with the description of one component schema edited (a one-schema change)."""
    pattern = re.compile(rf"^(    {re.escape(schema)}:\n(?:      .*\n)*?      description: )(.*)$",
                         re.MULTILINE)
    new, count = pattern.subn(lambda m: f"{m.group(1)}{m.group(2)} (edit {n})", text, count=1)
    if not count:
        raise SystemExit(f"cannot find the description of {schema} to change")
    return new


def _tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under folder: (inode, mtime_ns); a file written anew changes both or one."""
    return {os.path.join(root, name): (st.st_ino, st.st_mtime_ns)
            for root, _dirs, names in os.walk(folder) for name in names
            for st in [os.stat(os.path.join(root, name))]}


def _files_written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    """Files of the output (manifest included) created or rewritten by a run."""
    return sum(1 for path, state in after.items() if before.get(path) != state)


def runmodels_contenders(spec: Path, package: str, schema: str, work: Path) -> list[Gen]:
    """runmodels cold (empty cache, empty output), warm (nothing changed), one schema changed."""
    original = spec.read_text(encoding="utf-8")
    spec_copy = work / "spec" / spec.name
    spec_copy.parent.mkdir(parents=True, exist_ok=True)
    out = work / "out"
    cache = work / "cache"
    env = dict(os.environ, RUNMODELS_CACHE=str(cache), PYTHONPATH=str(ROOT))
    cmd = [PY, "-m", "runmodels", "generate", str(spec_copy), "--out", str(out), "--package",
           package, "-q"]

    def cold(rep: int) -> dict[str, Any]:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        spec_copy.write_text(original, encoding="utf-8")
        return timed(cmd, env, ROOT)

    def warm(rep: int) -> dict[str, Any]:
        return timed(cmd, env, ROOT)

    def changed(rep: int) -> dict[str, Any]:
        spec_copy.write_text(_changed_copy(original, schema, rep), encoding="utf-8")
        before = _tree_state(out)
        result = timed(cmd, env, ROOT)
        result["written"] = _files_written(before, _tree_state(out))
        spec_copy.write_text(original, encoding="utf-8")
        return result

    def changed_again(rep: int) -> dict[str, Any]:
        """A second edit: the output was already regenerated once since the cold run."""
        spec_copy.write_text(_changed_copy(original, schema, 1000 + rep), encoding="utf-8")
        before = _tree_state(out)
        result = timed(cmd, env, ROOT)
        result["written"] = _files_written(before, _tree_state(out))
        spec_copy.write_text(original, encoding="utf-8")
        return result

    return [Gen("runmodels cold (empty cache)", cold), Gen("runmodels warm (nothing changed)", warm),
            Gen("runmodels, one schema changed", changed),
            Gen("runmodels, one schema changed again", changed_again)]


def baseline_contender(spec: Path, package: str, checkout: Path, work: Path) -> Gen:
    """runmodels cold from another checkout (`--baseline`): before and after in one run."""
    out, cache = work / "out", work / "cache"
    env = dict(os.environ, RUNMODELS_CACHE=str(cache), PYTHONPATH=str(checkout / "generator"))
    cmd = [PY, "-m", "runmodels", "generate", str(spec), "--out", str(out), "--package",
           package, "-q"]

    def cold(rep: int) -> dict[str, Any]:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        return timed(cmd, env, checkout)

    return Gen(f"runmodels cold (empty cache), baseline {checkout.name}", cold)


def peer_contenders(spec: Path, work: Path, only: set[str] | None = None) -> list[Gen]:
    gens = []
    dmcg = which("datamodel-codegen") if only is None or "dmcg" in only else None
    if dmcg:
        def run_dmcg(rep: int) -> dict[str, Any]:
            target = work / "dmcg.py"
            target.unlink(missing_ok=True)
            result = timed([dmcg, "--input", str(spec), "--input-file-type", "openapi",
                            "--output-model-type", "dataclasses.dataclass",
                            "--output", str(target)], cwd=work)
            text = target.read_text(encoding="utf-8") if target.exists() else ""
            result["classes"] = len(re.findall(r"^class ", text, re.MULTILINE))
            result["has_run"] = bool(re.search(r"^class (RunObject|Run)\b", text, re.MULTILINE))
            return result

        gens.append(Gen(f"datamodel-code-generator {version_of('datamodel-code-generator')} "
                        "(dataclasses)", run_dmcg))
    opc = which("openapi-python-client") if only is None or "opc" in only else None
    if opc:
        def run_opc(rep: int) -> dict[str, Any]:
            target = work / "opc"
            shutil.rmtree(target, ignore_errors=True)
            result = timed([opc, "generate", "--path", str(spec), "--meta", "none",
                            "--output-path", str(target), "--overwrite"], cwd=work)
            models = target / "models"
            names = {p.stem for p in models.glob("*.py")} if models.is_dir() else set()
            result["classes"] = len(names)
            result["has_run"] = bool(names & {"run_object", "run"})
            result["warnings"] = result["tail"].count("WARNING")
            return result

        gens.append(Gen(f"openapi-python-client {version_of('openapi-python-client')}", run_opc))
    return gens


def bench_generation(spec: Path, package: str, schema: str, reps: int, peers: bool,
                     work: Path, baseline: Path | None = None,
                     only_peers: set[str] | None = None) -> dict[str, Any]:
    log(f"generation: {spec.name} ({reps} reps{'' if peers else ', runmodels only'})")
    gens = runmodels_contenders(spec, package, schema, work / "runmodels")
    if baseline is not None:
        gens.insert(1, baseline_contender(spec, package, baseline, work / "baseline"))
    if peers:
        peer_dir = work / "peers"
        peer_dir.mkdir(parents=True, exist_ok=True)
        gens += peer_contenders(spec, peer_dir, only_peers)
    return {"spec": spec.name, "package": package, "rows": _interleaved(gens, reps),
            "package_dir": str(work / "runmodels" / "out" / package)}


def _interleaved(gens: list[Gen], reps: int) -> list[dict[str, Any]]:
    """Run every contender once per round (A B C, A B C…); one row of medians per contender."""
    for rep in range(reps):
        for gen in gens:
            result = gen.run(rep)
            gen.results.append(result)
            log(f"  {gen.label}: {result['seconds']:.2f} s wall, {result['cpu_s']:.2f} s CPU, "
                f"{result['peak_mb']:.0f} MB ({result['processes']} processes), rc {result['rc']}")
    rows = []
    for gen in gens:
        ok = [r for r in gen.results if r["rc"] == 0]
        row: dict[str, Any] = {
            "contender": gen.label,
            "seconds": median([r["seconds"] for r in ok]),
            "cpu_s": median([r["cpu_s"] for r in ok]),
            "peak_mb": median([r["peak_mb"] for r in ok]),
            "largest_mb": median([r["largest_mb"] for r in ok]),
            "processes": max((r["processes"] for r in ok), default=0),
            "runs": [round(r["seconds"], 3) for r in gen.results],
            "failed": len(gen.results) - len(ok),
        }
        last = gen.results[-1]
        for key in ("classes", "has_run", "warnings", "written"):
            if key in last:
                row[key] = last[key]
        if row["failed"]:
            row["error"] = last["tail"][-400:]
        rows.append(row)
    return rows


def bench_scaling(copies: int, reps: int, peers: bool, work: Path) -> dict[str, Any]:
    """Cold generation of the 2026 schemas once and `copies` times (issue 7: 10x in <= 12x)."""
    import synthetic

    log(f"scaling: the 2026 schemas 1x and {copies}x ({reps} reps{', with dmcg' if peers else ''})")
    document = synthetic.load_spec(WHOLE_SPEC)
    gens: list[Gen] = []
    sizes = {}
    for n in (1, copies):
        spec = synthetic.scaled_spec(document, n, work / f"spec-{n}x")
        sizes[n] = spec.stat().st_size
        out, cache = work / f"out-{n}x", work / f"cache-{n}x"
        env = dict(os.environ, RUNMODELS_CACHE=str(cache), PYTHONPATH=str(ROOT))
        cmd = [PY, "-m", "runmodels", "generate", str(spec), "--out", str(out), "--package",
               "scaled", "-q"]

        def cold(rep: int, out: Path = out, cache: Path = cache, env: dict[str, str] = env,
                 cmd: list[str] = cmd) -> dict[str, Any]:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            return timed(cmd, env, ROOT)

        gens.append(Gen(f"runmodels cold, {n}× schemas", cold))
        dmcg = which("datamodel-codegen") if peers else None
        if dmcg:
            def run_dmcg(rep: int, spec: Path = spec, n: int = n, dmcg: str = dmcg
                         ) -> dict[str, Any]:
                target = work / f"dmcg-{n}x.py"
                target.unlink(missing_ok=True)
                return timed([dmcg, "--input", str(spec), "--input-file-type", "openapi",
                              "--output-model-type", "dataclasses.dataclass",
                              "--output", str(target)], cwd=work)

            gens.append(Gen(f"datamodel-code-generator, {n}× schemas", run_dmcg))
    rows = _interleaved(gens, reps)
    for row in rows:
        row["spec_mb"] = round(sizes[1 if row["contender"].endswith(" 1× schemas") else copies]
                               / 2**20, 1)
    return {"copies": copies, "rows": rows}


# --- decode / encode ------------------------------------------------------------------------------
def _bench_calls(cases: list[tuple[str, str, Callable[[], Any]]], reps: int,
                 budget: float) -> dict[tuple[str, str], float]:
    """Median microseconds per call; each round runs every case once (interleaved)."""
    loops: dict[tuple[str, str], int] = {}
    for contender, op, fn in cases:  # calibrate: about `budget` seconds per measurement
        fn()
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < budget / 4:
            fn()
            n += 1
        loops[(contender, op)] = max(1, int(n * 4 * budget / (time.perf_counter() - start) / 4))
    samples: dict[tuple[str, str], list[float]] = {k: [] for k in loops}
    for _ in range(reps):
        for contender, op, fn in cases:
            n = loops[(contender, op)]
            start = time.perf_counter()
            for _ in range(n):
                fn()
            samples[(contender, op)].append((time.perf_counter() - start) / n * 1e6)
    return {k: median(v) for k, v in samples.items()}


def _corpus_run_example() -> tuple[str, Any] | None:
    """The RunObject example of the 2026 spec (x-oaiMeta.example), when the corpus is here."""
    if not WHOLE_SPEC.exists():
        return None
    import yaml

    text = WHOLE_SPEC.read_text(encoding="utf-8")
    start = text.index("\n    RunObject:\n")
    block = text[start:text.index("\n    RunStep", start)]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    schema = yaml.load(block, Loader=loader)["RunObject"]
    example = schema.get("x-oaiMeta", {}).get("example")
    if not isinstance(example, str):
        return None
    return "corpus RunObject example", json.loads(example)


def bench_codecs(package_dir: Path, reps: int, budget: float) -> dict[str, Any]:
    sys.path.insert(0, str(package_dir.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import importlib

    gen = importlib.import_module(package_dir.name)
    import peer_models as pm

    payloads: list[tuple[str, str, Any]] = []
    corpus = _corpus_run_example()
    if corpus:
        payloads.append(("run", corpus[0], corpus[1]))
    payloads.append(("run", "Run, completed", json.loads((PAYLOADS / "Run__completed_with_usage.json").read_text())))
    payloads.append(("run", "Run, requires_action, 8 tool calls",
                     json.loads((PAYLOADS / "Run__requires_action_8_tool_calls.json").read_text())))
    payloads.append(("steps", "run-step list, 20 steps",
                     json.loads((PAYLOADS / "ListRunStepsResponse__20_steps.json").read_text())))

    ours: dict[str, Any] = {"run": gen.Run, "steps": gen.ListRunStepsResponse}
    generated: dict[str, Callable[[Any], Any]] = {}
    for kind, cls in ours.items():
        generated[f"from_dict_{kind}"] = cls.from_dict
        generated[f"to_dict_{kind}"] = cls.to_dict
        generated[f"from_json_{kind}"] = cls.from_json
        generated[f"to_json_{kind}"] = cls.to_json
    contenders: list[tuple[str, dict[str, Callable[[Any], Any]]]] = [("runmodels", generated)]
    if gen._runtime.fast_json():
        # the same package under another name, told not to use orjson: the fallback's speed
        twin = package_dir.with_name(f"{package_dir.name}_stdlib")  # removed with the work folder
        shutil.copytree(package_dir, twin, dirs_exist_ok=True)
        plain = importlib.import_module(twin.name)
        plain._runtime._orjson = False
        json_only: dict[str, Callable[[Any], Any]] = {}
        for kind, cls in {"run": plain.Run, "steps": plain.ListRunStepsResponse}.items():
            json_only[f"from_dict_{kind}"] = cls.from_dict  # decodes the payload; not timed
            json_only[f"from_json_{kind}"] = cls.from_json
            json_only[f"to_json_{kind}"] = cls.to_json
        contenders.append(("runmodels, stdlib json", json_only))
    # contenders that decode only to have a value to encode: those ops are someone else's row
    untimed: dict[str, set[str]] = {"runmodels, stdlib json": {"from_dict"}}
    if have("pydantic"):
        for label, codec in pm.pydantic_codecs():
            contenders.append((label, codec))
            if label.endswith("full dump"):
                untimed[label] = {"from_dict", "from_json"}
    for name, builder in (("msgspec", pm.msgspec_codec), ("mashumaro", pm.mashumaro_codec),
                          ("cattrs", pm.cattrs_codec)):
        if have(name):
            contenders.append((f"{name} {version_of(name)}", builder()))

    results: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    exact: list[dict[str, Any]] = []  # whether to_dict(from_dict(payload)) == payload
    for kind, label, data in payloads:
        text = json.dumps(data)
        cases: list[tuple[str, str, Callable[[], Any]]] = []
        for contender, codec in contenders:
            try:
                obj = codec[f"from_dict_{kind}"](data)
            except Exception as exc:  # noqa: BLE001 - a peer that rejects it is reported, not timed
                log(f"  {contender} cannot decode {label}: {str(exc).splitlines()[0][:120]}")
                failures.append({"payload": label, "contender": contender,
                                 "error": str(exc).splitlines()[0][:200]})
                continue
            to_dict = codec.get(f"to_dict_{kind}")
            if to_dict is not None and "to_dict" not in untimed.get(contender, ()):
                exact.append({"payload": label, "contender": contender,
                              "exact": to_dict(obj) == data})
            for op in ("from_dict", "to_dict", "from_json", "to_json"):
                fn = codec.get(f"{op}_{kind}")
                if op in untimed.get(contender, ()):
                    continue
                if fn is None:
                    continue
                arg = data if op == "from_dict" else text if op == "from_json" else obj
                cases.append((contender, op, (lambda fn=fn, arg=arg: fn(arg))))
        log(f"codecs: {label}")
        timings = _bench_calls(cases, reps, budget)
        for (contender, op), us in timings.items():
            results.append({"payload": label, "contender": contender, "op": op, "us": us})
    base = json.loads((PAYLOADS / "Run__completed_with_usage.json").read_text())
    return {"results": results, "failures": failures, "contenders": [c for c, _ in contenders],
            "exact": exact, "abilities": abilities(contenders, base)}


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


# What each codec does with data its models did not foresee, and with absent members: a probe
# edits the completed run payload, and passes when decoding accepts it and encoding gives back
# what the probe checks.
NEW_TOOL = {"type": "web_search_preview", "search_context_size": "low"}
PROBES: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]],
                   Callable[[dict[str, Any]], bool]]] = [
    ("keeps an unknown field", lambda d: {**d, "future_field": {"a": [1]}},
     lambda out: out.get("future_field") == {"a": [1]}),
    ("keeps a tool of an unknown type", lambda d: {**d, "tools": [*d["tools"], NEW_TOOL]},
     lambda out: out["tools"][-1] == NEW_TOOL),
    ("keeps an unknown status", lambda d: {**d, "status": "paused"},
     lambda out: out["status"] == "paused"),
    ("leaves an absent field absent", lambda d: _without(d, "temperature"),
     lambda out: "temperature" not in out),
    ("keeps an explicit null", lambda d: {**d, "temperature": None},
     lambda out: "temperature" in out and out["temperature"] is None),
]


def abilities(contenders: list[tuple[str, dict[str, Callable[[Any], Any]]]],
              base: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for contender, codec in contenders:
        decode, encode = codec.get("from_dict_run"), codec.get("to_dict_run")
        if decode is None or encode is None or contender == "runmodels, stdlib json":
            continue
        row: dict[str, Any] = {"contender": contender}
        for name, edit, check in PROBES:
            try:
                row[name] = "yes" if check(encode(decode(edit(base)))) else "no"
            except Exception:  # noqa: BLE001 - a peer that refuses the payload is the finding
                row[name] = "rejects it"
        rows.append(row)
    return rows


# --- import time ---------------------------------------------------------------------------------
_IMPORT_PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
exec(sys.argv[2])
print(time.perf_counter() - start)
"""


def import_ms(path: str, statement: str, reps: int) -> float | None:
    """Median wall ms of `statement` in fresh interpreters (bytecode already compiled)."""
    samples = []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for i in range(reps + 1):
        out = subprocess.run([PY, "-c", _IMPORT_PROBE, path, statement], capture_output=True,
                             text=True, env=env, check=False)
        if out.returncode != 0:
            log(f"  import failed: {statement}: {out.stderr.strip()[-300:]}")
            return None
        if i:  # the first run compiles bytecode
            samples.append(float(out.stdout) * 1000)
    return median(samples)


def bench_imports(run_pkg: Path, whole_pkg: Path | None, reps: int) -> list[dict[str, Any]]:
    log("imports")
    probes = [("generated run package: import", str(run_pkg.parent), f"import {run_pkg.name}"),
              ("generated run package: from … import Run", str(run_pkg.parent),
               f"from {run_pkg.name} import Run")]
    if whole_pkg is not None:
        probes += [("whole-spec package: import", str(whole_pkg.parent), f"import {whole_pkg.name}"),
                   ("whole-spec package: from … import RunObject", str(whole_pkg.parent),
                    f"from {whole_pkg.name} import RunObject"),
                   ("whole-spec package: from … import Client (every model)",
                    str(whole_pkg.parent), f"from {whole_pkg.name} import Client")]
    if have("openai"):
        probes.append(("openai: from openai.types.beta.threads import Run", ".",
                       "from openai.types.beta.threads import Run"))
    samples: dict[str, list[float]] = {label: [] for label, _, _ in probes}
    for _ in range(reps):  # interleaved; each probe is itself a median of 1 run here
        for label, path, statement in probes:
            ms = import_ms(path, statement, 1)
            if ms is not None:
                samples[label].append(ms)
    return [{"what": label, "ms": median(v)} for label, v in samples.items() if v]


# --- report --------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cores": os.cpu_count(), "memory": mem,
            "versions": {d: version_of(d) for d in (
                "black", "pydantic", "openai", "msgspec", "mashumaro", "cattrs", "orjson",
                "datamodel-code-generator", "openapi-python-client")}}


def _fmt_s(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.2f} s"


def _ratio(a: float, b: float | None) -> str:
    if not b or math.isnan(a) or math.isnan(b):
        return "—"
    return f"{a / b:.3f}×" if a / b < 0.1 else f"{a / b:.2f}×"


MEMORY_NOTE = (
    "Wall is elapsed time; CPU is user + system time of the whole process tree (above wall when "
    "worker processes ran on both cores). Peak RSS is the largest sum of the resident memory of "
    "the command and all its descendants, sampled every 20 ms (formatting workers included; "
    "pages a forked worker shares with its parent count in both, so it is an upper bound); in "
    "brackets the largest single process.\n")


def _memory(row: dict[str, Any]) -> str:
    return f"{row['peak_mb']:.0f} MB ({row['largest_mb']:.0f} MB)"


def report(data: dict[str, Any]) -> str:
    out: list[str] = []
    m = data["machine"]
    out.append(f"One run of `{data.get('command', 'python benchmarks/run.py')}`, "
               f"{data.get('date', '?')}.  \n"
               f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}; "
               f"{m['platform']}. Mode: {data['mode']}.\n")
    for gen in data["generation"]:
        out.append(f"### Generation: {gen['spec']} (whole process tree, median of "
                   f"{max(len(r['runs']) for r in gen['rows'])})\n")
        rows = gen["rows"]
        dmcg = next((r["seconds"] for r in rows if r["contender"].startswith("datamodel")), None)
        out.append("| contender | wall | CPU (user+sys) | peak RSS, whole tree (largest "
                   "process) | wall vs datamodel-code-generator | target | notes |")
        out.append("|---|---:|---:|---:|---:|---|---|")
        targets = {"runmodels cold": "≤ 0.2×, ≤ 200 MB", "runmodels warm": "≤ 1/20 (0.05×)",
                   "runmodels, one": "≤ 1/30 (0.033×), ≤ 3 files written"}
        for r in rows:
            target = next((t for k, t in targets.items() if r["contender"].startswith(k)), "")
            notes = []
            if "classes" in r:
                notes.append(f"{r['classes']} classes/modules")
            if "has_run" in r and not r["has_run"]:
                notes.append("**no RunObject** (dropped)")
            if "written" in r:
                notes.append(f"{r['written']} files written")
            if r.get("warnings"):
                notes.append(f"{r['warnings']} warnings")
            if r["failed"]:
                notes.append(f"**failed** {r['failed']}×")
            out.append(f"| {r['contender']} | {_fmt_s(r['seconds'])} | {_fmt_s(r['cpu_s'])} | "
                       f"{_memory(r)} | {_ratio(r['seconds'], dmcg) if dmcg else '—'} | "
                       f"{target} | {'; '.join(notes)} |")
        out.append("")
    if data["generation"]:
        out.append(MEMORY_NOTE)
    scaling = data.get("scaling")
    if scaling:
        copies = scaling["copies"]
        out.append(f"### Linear growth: the 2026 schemas 1× and {copies}× (cold, median of "
                   f"{max(len(r['runs']) for r in scaling['rows'])})\n")
        out.append(f"| contender | spec | wall | CPU (user+sys) | peak RSS, whole tree (largest "
                   f"process) | {copies}× ÷ 1× | target |")
        out.append("|---|---:|---:|---:|---:|---:|---|")
        base: dict[str, float] = {}
        for r in scaling["rows"]:
            tool, _, size = r["contender"].rpartition(", ")
            if size.startswith("1×"):
                base[tool] = r["seconds"]
            growth = "" if size.startswith("1×") else f"{r['seconds'] / base[tool]:.1f}×" \
                if base.get(tool) else "—"
            target = f"≤ {copies * 1.2:g}×" if tool.startswith("runmodels") and growth else ""
            out.append(f"| {r['contender']} | {r['spec_mb']} MB | {_fmt_s(r['seconds'])} | "
                       f"{_fmt_s(r['cpu_s'])} | {_memory(r)} | {growth} | {target} |")
        out.append("")
    codecs = data.get("codecs")
    if codecs:
        out.append("### Decode / encode (µs per call, median; ratio = runmodels ÷ peer)\n")
        contenders = codecs["contenders"]
        by: dict[tuple[str, str, str], float] = {
            (r["payload"], r["contender"], r["op"]): r["us"] for r in codecs["results"]}
        payloads = list(dict.fromkeys(r["payload"] for r in codecs["results"]))
        head = "| payload | op | " + " | ".join(contenders[1:]).join(["runmodels | ", ""]) + " |"
        out.append(head)
        out.append("|---|---|" + "---:|" * len(contenders))
        for payload in payloads:
            for op in ("from_dict", "to_dict", "from_json", "to_json"):
                ours = by.get((payload, "runmodels", op))
                if ours is None:
                    continue
                cells = [f"{ours:.1f}"]
                for c in contenders[1:]:
                    theirs = by.get((payload, c, op))
                    failed = any(f["payload"] == payload and f["contender"] == c
                                 for f in codecs.get("failures", []))
                    cells.append("rejects payload" if failed else "—" if theirs is None
                                 else f"{theirs:.1f} ({_ratio(ours, theirs)})")
                out.append(f"| {payload} | {op} | " + " | ".join(cells) + " |")
        exact = codecs.get("exact", [])
        if exact:
            out.append("\nto_dict(from_dict(payload)) == payload: " + "; ".join(
                f"{c} {'/'.join('yes' if r['exact'] else 'no' for r in exact if r['contender'] == c)}"
                for c in dict.fromkeys(r["contender"] for r in exact)) + " (per payload, in order).")
        out.append("\nTargets: from_dict ≤ 0.33× pydantic (issue 2: ≤ 0.5×), < 1× mashumaro and "
                   "cattrs, ≤ 3× msgspec; to_dict ≤ 0.33× pydantic; from_json/to_json ≤ 1× "
                   "pydantic (its exclude_unset column, which like runmodels writes back only the members "
                   "the payload had). runmodels parses and writes JSON with orjson when it is installed; "
                   "the 'runmodels, stdlib json' column is the same package on the standard "
                   "library's json (the fallback).\n")
    abilities_rows = codecs.get("abilities") if codecs else None
    if abilities_rows:
        out.append("### What each codec does with what its models did not foresee\n")
        out.append("Each probe edits the completed-run payload, decodes it and encodes the "
                   "result back. Not probed, and done by runmodels only: strict mode reporting "
                   "every violation with its JSON path, typed enums that keep unknown values "
                   "(the peers' models here hold enums as plain strings).\n")
        out.append("| codec | " + " | ".join(name for name, _, _ in PROBES) + " |")
        out.append("|---|" + "---|" * len(PROBES))
        for row in abilities_rows:
            out.append(f"| {row['contender']} | "
                       + " | ".join(row[name] for name, _, _ in PROBES) + " |")
        out.append("")
    imports = data.get("imports")
    if imports:
        out.append("### Import, cold (fresh interpreter, bytecode compiled; median)\n")
        out.append("| what | median | target |")
        out.append("|---|---:|---|")
        targets = {"generated run package": "≤ 25 ms", "whole-spec package: import": "≤ 100 ms",
                   "whole-spec package: from … import RunObject": "≤ 150 ms (issue 3)"}
        for r in imports:
            target = next((t for k, t in targets.items() if r["what"].startswith(k)), "")
            out.append(f"| {r['what']} | {r['ms']:.1f} ms | {target} |")
        out.append("")
    return "\n".join(out)


RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
README = ROOT / "README.md"
README_START = "<!-- benchmark tables: written by `python benchmarks/run.py --write-docs` -->"
README_END = "<!-- end of benchmark tables -->"
RESULTS_INTRO = """# Benchmark results

Every table below comes from the one run named on the next line, written here by
`python benchmarks/run.py --write-docs` (a full run; README.md's tables are a selection of the
same run). Peers installed with `pip install -e '.[bench]'` (orjson among them). The VM is noisy:
read ratios within one run.

"""


def readme_selection(data: dict[str, Any]) -> dict[str, Any]:
    """What README.md shows of a run: the whole-spec generation, growth, runmodels against
    pydantic's comparable encoding, the probes and the imports."""
    brief = dict(data)
    whole = [g for g in data["generation"] if g["spec"] == WHOLE_SPEC.name]
    brief["generation"] = whole or data["generation"][:1]
    codecs = data.get("codecs")
    if codecs:
        keep = [c for c in codecs["contenders"]
                if c == "runmodels" or c.endswith("exclude_unset")]
        brief["codecs"] = dict(codecs, contenders=keep, **{
            key: [r for r in codecs.get(key, []) if r["contender"] in keep]
            for key in ("results", "failures", "exact")})
    return brief


def write_docs(data: dict[str, Any], text: str) -> None:
    """benchmarks/RESULTS.md from this run, and README.md's tables (between its markers)."""
    RESULTS_MD.write_text(RESULTS_INTRO + text + "\n", encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    start = readme.index(README_START) + len(README_START)
    end = readme.index(README_END)
    README.write_text(f"{readme[:start]}\n{report(readme_selection(data))}\n{readme[end:]}",
                      encoding="utf-8")
    log(f"wrote {RESULTS_MD} and the tables of {README}")


def verify_black(spec: Path) -> int:
    """Every file of the generated package formatted by runmodels equals black's own output."""
    sys.path.insert(0, str(ROOT))
    from concurrent.futures import ProcessPoolExecutor

    from runmodels.build.package_ir import build_package
    from runmodels.emit.render import render_package

    files = render_package(build_package(spec, "verify_pkg"))
    items = sorted((p, s) for p, s in files.items() if p.endswith(".py"))
    log(f"verify-black: {len(items)} files of {spec.name} (black on every file; minutes)")
    with ProcessPoolExecutor() as pool:
        same = list(pool.map(_same_as_black, [s for _, s in items], chunksize=8))
    bad = [p for (p, _), ok in zip(items, same) if not ok]
    for path in bad:
        print(f"differs from black: {path}")
    print(f"verify-black {spec.name}: {len(items) - len(bad)}/{len(items)} files identical")
    return 1 if bad else 0


def _same_as_black(source: str) -> bool:
    import black

    from runmodels.format.black_format import MODE, format_source, split_header

    header, body = split_header(source)
    return format_source(source) == header + black.format_str(body, mode=MODE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, < 2 minutes")
    parser.add_argument("--reps", type=int, help="generation repetitions (default 3, quick 1)")
    parser.add_argument("--only", choices=("generation", "codecs", "imports", "scaling"),
                        action="append",
                        help="run only these sections (repeatable)")
    parser.add_argument("--no-whole-peers", action="store_true",
                        help="skip the peers on the whole 2026 spec (they take ~40 s each)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--verify-black", type=Path, nargs="?", const=WHOLE_SPEC, metavar="SPEC",
                        help="only check that the fast formatter's output is black's, file by file")
    parser.add_argument("--scale", type=int, default=10, metavar="N",
                        help="the scaling section compares 1x and N x the 2026 schemas (default 10;"
                             " it runs in full mode or with --only scaling, 0 skips it)")
    parser.add_argument("--scale-peers", action="store_true",
                        help="time datamodel-code-generator on the scaled specs too (slow)")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also time runmodels cold from another checkout (for example "
                             "`git archive main | tar -x -C /tmp/base`), in the same rounds")
    parser.add_argument("--peer", choices=("dmcg", "opc"), action="append",
                        help="time only these peers (repeatable; default: every installed one)")
    parser.add_argument("--write-docs", action="store_true",
                        help="write benchmarks/RESULTS.md and README.md's tables from this run "
                             "(a full run only)")
    args = parser.parse_args()
    if args.write_docs and (args.quick or args.only or args.reps or args.baseline or args.peer):
        parser.error("--write-docs needs the full run: no --quick, --only, --reps, --baseline "
                     "or --peer")
    if args.baseline is not None and not (args.baseline / "generator" / "runmodels").is_dir():
        parser.error(f"--baseline {args.baseline}: no generator/runmodels/ there")
    only_peers = set(args.peer) if args.peer else None
    if args.verify_black:
        raise SystemExit(verify_black(args.verify_black))
    sections = set(args.only or ("generation", "codecs", "imports")
                   + (() if args.quick else ("scaling",)))
    if not args.scale or not WHOLE_SPEC.exists():
        sections.discard("scaling")
    reps = args.reps or (1 if args.quick else 3)
    data: dict[str, Any] = {
        "mode": "quick" if args.quick else "full", "machine": machine(), "generation": [],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(["python benchmarks/run.py", *sys.argv[1:]]),
    }
    # bytecode for the generator, as an installed package has (pip compiles at install time);
    # without it every timed run would compile the generator's source first
    for checkout in (ROOT, *([args.baseline] if args.baseline else [])):
        subprocess.run([PY, "-m", "compileall", "-q", str(checkout / "generator")], check=True,
                       stdout=subprocess.DEVNULL)
    work = Path(tempfile.mkdtemp(prefix="runmodels-bench-"))
    try:
        run_gen = bench_generation(RUN_SPEC, "runs_v2", "Run", reps, True, work / "runs",
                                   args.baseline, only_peers)
        if "generation" in sections:
            data["generation"].append(run_gen)
        whole_pkg = None
        if WHOLE_SPEC.exists() and sections & {"generation", "imports"}:
            whole_peers = "generation" in sections and not (args.quick or args.no_whole_peers)
            whole = bench_generation(WHOLE_SPEC, "openai_api", "RunObject",
                                     reps if "generation" in sections else 1, whole_peers,
                                     work / "whole", args.baseline, only_peers)
            if "generation" in sections:
                data["generation"].append(whole)
            whole_pkg = Path(whole["package_dir"])
        run_pkg = Path(run_gen["package_dir"])
        if "scaling" in sections:
            data["scaling"] = bench_scaling(args.scale, reps, args.scale_peers, work / "scaling")
        if "codecs" in sections:
            data["codecs"] = bench_codecs(run_pkg, 5 if args.quick else 9,
                                          0.05 if args.quick else 0.2)
        if "imports" in sections:
            data["imports"] = bench_imports(run_pkg, whole_pkg, 3 if args.quick else 5)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(data)
    print(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    data["table"] = text
    args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.json}")
    if args.write_docs:
        write_docs(data, text)


if __name__ == "__main__":
    main()
