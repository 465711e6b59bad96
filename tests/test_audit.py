"""`runmodels audit`: every kind of drift, found in JSON, JSON Lines and HAR captures, reported
as text, JSON and markdown, gating CI with --fail-on, and turned into an overlay."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from corpus import V2_2024, corpus_file, iter_examples

from runmodels.audit.audit import audit, to_json, to_markdown, to_text
from runmodels.spec.tree import load_file

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "runs_v2.yaml"
PAYLOADS = ROOT / "tests" / "payloads" / "v2"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def drifted_run() -> dict[str, Any]:
    """A run with one deviation of each kind a run can have."""
    run = copy.deepcopy(payload("Run__requires_action_8_tool_calls"))
    run["status"] = "paused"  # unknown_enum
    run["created_at"] = "yesterday"  # wrong_type
    run["model"] = None  # null
    del run["instructions"]  # missing
    run["reasoning_effort"] = "low"  # unknown_member
    run["tools"] = [{"type": "web_search", "web_search": {}}]  # unknown_variant
    return run


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def by_kind(report: Any) -> dict[tuple[str, str], Any]:
    return {(f.path, f.kind): f for f in report.ordered}


def test_each_kind_found_with_path_count_value_and_file(tmp_path: Path) -> None:
    write(tmp_path / "Run__drift.json", drifted_run())
    write(tmp_path / "Run__fine.json", payload("Run__completed_with_usage"))
    report = audit(SPEC, [tmp_path])
    found = by_kind(report)
    assert set(found) == {
        ("$.status", "unknown_enum"), ("$.created_at", "wrong_type"), ("$.model", "null"),
        ("$.instructions", "missing"), ("$.reasoning_effort", "unknown_member"),
        ("$.tools[*]", "unknown_variant")}
    assert (report.payloads, report.decoded, report.conforming) == (2, 2, 1)
    status = found[("$.status", "unknown_enum")]
    assert (status.schema, status.count, status.example) == ("Run", 1, "paused")
    assert status.files == [str(tmp_path / "Run__drift.json")]
    assert found[("$.created_at", "wrong_type")].example == "yesterday"


def test_json_lines_aggregate_and_fold_indexes(tmp_path: Path) -> None:
    runs = [drifted_run(), drifted_run(), payload("Run__queued")]
    runs[1]["status"] = "sleeping"
    (tmp_path / "run.jsonl").write_text("\n".join(json.dumps(r) for r in runs) + "\n\n")
    page = {"object": "list", "data": [drifted_run(), drifted_run()], "first_id": "a",
            "last_id": "b", "has_more": False}
    write(tmp_path / "ListRunsResponse.json", page)
    report = audit(SPEC, [tmp_path])
    found = {(f.schema, f.path, f.kind): f for f in report.ordered}
    status = found[("Run", "$.status", "unknown_enum")]
    assert status.count == 2 and status.examples == ["paused", "sleeping"]
    listed = found[("ListRunsResponse", "$.data[*].status", "unknown_enum")]
    assert listed.count == 2 and listed.model == "Run"
    assert report.payloads == 4


def har(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                    "entries": entries}}


def entry(method: str, url: str, status: int, mime: str, text: str,
          base64_body: bool = False) -> dict[str, Any]:
    content: dict[str, Any] = {"mimeType": mime, "size": len(text)}
    if base64_body:
        content.update(text=base64.b64encode(text.encode()).decode(), encoding="base64")
    else:
        content["text"] = text
    return {"request": {"method": method, "url": url, "headers": []},
            "response": {"status": status, "headers": [], "content": content}}


def test_har_entries_matched_by_method_and_path(tmp_path: Path) -> None:
    base = "https://api.openai.com/v1/threads/thread_1/runs"
    step = payload("RunStep__function_in_progress")
    stream = "".join(
        f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in [
            ("thread.run.created", drifted_run()), ("thread.run.completed", payload("Run__queued"))]
    ) + "event: done\ndata: [DONE]\n\n"
    entries = [
        entry("GET", f"{base}/run_1", 200, "application/json", json.dumps(drifted_run())),
        entry("POST", f"{base}/run_1/cancel", 200, "application/json; charset=utf-8",
              json.dumps(drifted_run()), base64_body=True),
        entry("POST", base, 200, "text/event-stream", stream),
        entry("GET", f"{base}/run_1", 404, "application/json", '{"error": {}}'),
        entry("GET", "https://api.openai.com/v1/files", 200, "application/json", "{}"),
    ]
    entries.append(entry("GET", f"{base}/run_1/steps/step_1", 200, "application/json",
                         json.dumps(step)))
    write(tmp_path / "capture.har", har(entries))
    report = audit(SPEC, [tmp_path / "capture.har"])
    found = {(f.schema, f.path, f.kind): f for f in report.ordered}
    assert found[("Run", "$.status", "unknown_enum")].count == 2  # get_run and cancel_run
    streamed = [f for f in report.ordered if f.schema == "AssistantStreamEvent"]
    assert {(f.path, f.kind) for f in streamed} >= {("$.data.status", "unknown_enum")}
    assert [u.source.rsplit("#", 1)[1] for u in report.unmatched] == ["4"]  # /v1/files
    assert "GET /v1/files" in report.unmatched[0].reason
    assert report.decoded == 2 + 3 + 1  # two runs, three stream events, one step

def test_reports_in_three_formats(tmp_path: Path) -> None:
    write(tmp_path / "Run.json", drifted_run())
    report = audit(SPEC, [tmp_path])
    text = to_text(report)
    assert "$.status  unknown_enum ×1  \"paused\"" in text
    data = json.loads(to_json(report))
    assert {d["kind"] for d in data["deviations"]} >= {"unknown_enum", "missing"}
    assert data["payloads"] == 1 and data["not_decoded"] == []
    markdown = to_markdown(report)
    assert "| `$.status` | unknown_enum | 1 | `\"paused\"` |" in markdown
    assert markdown.count("### `Run`") == 1


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runmodels", "audit", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_fail_on_gates_ci(tmp_path: Path) -> None:
    write(tmp_path / "Run.json", drifted_run())
    (tmp_path / "fine").mkdir()
    write(tmp_path / "fine" / "Run.json", payload("Run__queued"))
    assert run_cli(str(SPEC), str(tmp_path / "Run.json")).returncode == 0
    assert run_cli(str(SPEC), str(tmp_path / "Run.json"), "--fail-on", "any").returncode == 1
    assert run_cli(str(SPEC), str(tmp_path / "fine"), "--fail-on", "any").returncode == 0
    only_enum = run_cli(str(SPEC), str(tmp_path / "Run.json"), "--fail-on", "unknown_enum")
    assert only_enum.returncode == 1
    bad = run_cli(str(SPEC), str(tmp_path / "Run.json"), "--fail-on", "typo")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    missing = run_cli(str(SPEC), str(tmp_path / "nothing.json"))
    assert missing.returncode == 2 and "nothing.json" in missing.stderr


def test_real_examples_that_break_their_schema(tmp_path: Path) -> None:
    """The 2024 OpenAI spec's own examples: its drift is real drift."""
    spec = corpus_file(V2_2024)
    doc = load_file(spec)
    written = 0
    for index, example in enumerate(iter_examples(doc)):
        if example.schema and example.event is None:
            try:
                data = example.data()
            except ValueError:
                continue
            write(tmp_path / f"{example.schema}__{index}.json", data)
            written += 1
    assert written > 10
    report = audit(spec, [tmp_path])
    assert report.decoded > 10
    assert report.findings, "the published examples do deviate from their schemas"


def test_the_emitted_overlay_makes_strict_decoding_pass(tmp_path: Path) -> None:
    from runmodels.audit.audit import import_package
    from runmodels.audit.overlay import build_overlay, overlay_text
    from runmodels.build.package_ir import build_package

    captures = tmp_path / "captures"
    captures.mkdir()
    runs = [drifted_run(), drifted_run()]
    runs[1]["status"], runs[1]["created_at"] = "sleeping", None
    for index, run in enumerate(runs):
        write(captures / f"Run__{index}.json", run)
    report = audit(SPEC, [captures])
    assert {f.kind for f in report.ordered} == {
        "unknown_enum", "wrong_type", "null", "missing", "unknown_member", "unknown_variant"}
    overlay = tmp_path / "observed.overlay.yaml"
    overlay.write_text(overlay_text(build_overlay(report, SPEC)), encoding="utf-8")
    assert "Not covered" not in overlay.read_text(encoding="utf-8")
    for overlays, package in (([], "audit_before"), ([overlay], "audit_after")):
        module = import_package(build_package(SPEC, package, overlays=overlays),
                                tmp_path / package)
        for run in runs:
            if overlays:
                module.Run.from_dict(run, strict=True)  # what was observed is now the spec
            else:
                with pytest.raises(module.DecodeError):
                    module.Run.from_dict(run, strict=True)
        assert module.RunStatus("paused").is_known == bool(overlays)
