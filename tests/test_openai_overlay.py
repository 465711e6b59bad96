"""specs/openai.overlay.yaml on the real OpenAI specs: the run family of the published API gets
the conveniences of specs/runs_v2.yaml, and works against tests/fake_runs_server.py.

Both corpus files (the 2026 whole-API spec and the 2024-04 Assistants v2 spec) are generated
with `--select 'path:/threads/{thread_id}/runs'` plus the overlay into a temporary folder,
imported, and driven over real HTTP on 127.0.0.1.  `runmodels diff` with the overlay compares
the two.  Skipped when ../shared/corpus is not beside the checkout.
"""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_runs_server import FakeState, start_fake_server

from runmodels.api import generate
from runmodels.paths import display_path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "openai-openapi"
NEW, OLD = CORPUS / "2026-08-21.yaml", CORPUS / "2024-04-25-assistants-v2.yaml"
OVERLAY = ROOT / "specs" / "openai.overlay.yaml"
SELECT = ("path:/threads/{thread_id}/runs",)
PACKAGES = {"openai_runs_2026": NEW, "openai_runs_2024": OLD}

pytestmark = [
    pytest.mark.slow,  # seconds: left out of `pytest -m "not slow"`
    pytest.mark.skipif(not NEW.is_file() or not OLD.is_file(),
                                    reason="../shared/corpus/openai-openapi is not beside the checkout"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("openai_overlay")
    warnings = {name: generate(spec, out, name, select=SELECT, overlays=[OVERLAY]).warnings
                for name, spec in PACKAGES.items()}
    sys.path.insert(0, str(out))
    try:
        yield {"out": out, "warnings": warnings, "shown": display_path(OVERLAY)}
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n.split(".")[0] in PACKAGES]:
            del sys.modules[name]


@pytest.fixture(scope="module", params=sorted(PACKAGES))
def pkg(request: pytest.FixtureRequest, built: dict[str, Any]) -> ModuleType:
    assert built["warnings"][request.param] == (), "every overlay target matches"
    return importlib.import_module(request.param)


@pytest.fixture
def server() -> Iterator[tuple[str, FakeState]]:
    with start_fake_server() as pair:  # checks the OpenAI-Beta header, as the real API does
        yield pair


def client_for(pkg: ModuleType, url: str) -> Any:
    client = pkg.Client(url, "sk-test", timeout=5.0)
    client._sleep = lambda seconds: None  # poll intervals are not slept
    return client


def test_names_helpers_and_methods(pkg: ModuleType, built: dict[str, Any]) -> None:
    for name in ("Run", "RunStatus", "RunStep", "RunStepStatus", "ToolOutput", "RequiredAction",
                 "RunToolCall", "SubmitToolOutputsRunRequest"):
        assert isinstance(getattr(pkg, name), type), name
    assert not hasattr(pkg, "RunObject") and not hasattr(pkg, "SubmitToolOutputsRunRequestToolOutputsItem")
    for model in (pkg.Run, pkg.RunStep):
        for helper in ("is_terminal", "is_processing", "is_complete", "is_failed",
                       "requires_action"):
            assert isinstance(getattr(model, helper), property), (model, helper)
    for method in ("create_run", "get_run", "list_runs", "iter_runs", "cancel_run",
                   "modify_run", "list_run_steps", "iter_run_steps", "get_run_step",
                   "submit_tool_outputs_to_run", "poll_run", "create_run_and_poll",
                   "submit_tool_outputs_and_poll", "stream_run", "stream_submit_tool_outputs"):
        assert callable(getattr(pkg.Client, method)), method
    assert not hasattr(pkg.Client, "submit_tool_ouputs_to_run")  # OpenAI's typo is gone
    params = inspect.signature(pkg.Client.create_run).parameters
    assert "open_ai_beta" not in params  # the client sends it
    assert params["stream"].default is False  # not the body member: only refuses stream=True
    header = (built["out"] / pkg.__name__ / "models" / "run.py").read_text().splitlines()[0]
    assert f" + overlay {built['shown']}. Do not edit" in header


def test_lifecycle_against_the_fake_server(pkg: ModuleType,
                                           server: tuple[str, FakeState]) -> None:
    url, state = server
    client = client_for(pkg, url)
    thread_id = state.create_thread()["id"]
    run = client.create_run_and_poll(thread_id, assistant_id="asst_1", poll_interval=0.01)
    assert isinstance(run, pkg.Run) and run.status == pkg.RunStatus.REQUIRES_ACTION
    assert run.requires_action and not run.is_terminal and not run.is_processing
    assert isinstance(run.required_action, pkg.RequiredAction)
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert all(isinstance(c, pkg.RunToolCall) for c in calls) and len(calls) == 2
    outputs = [pkg.ToolOutput(tool_call_id=c.id, output=f"out {c.id}") for c in calls]
    done = client.submit_tool_outputs_and_poll(thread_id, run.id, tool_outputs=outputs,
                                               poll_interval=0.01)
    assert done.is_complete and done.is_terminal and not done.is_failed
    submitted = [r for r in state.requests if r.path.endswith("/submit_tool_outputs")]
    assert submitted[0].body == {"tool_outputs": [o.to_dict() for o in outputs]}
    assert all(r.headers.get("openai-beta") == "assistants=v2" for r in state.requests)
    steps = list(client.iter_run_steps(thread_id, run.id, order="asc"))
    assert steps and all(isinstance(s, pkg.RunStep) and s.is_complete for s in steps)
    assert client.poll_run(thread_id, run.id, interval=0.01).is_complete


def test_typed_streams(pkg: ModuleType, server: tuple[str, FakeState]) -> None:
    url, state = server
    client = client_for(pkg, url)
    with client.stream_run(state.create_thread()["id"], assistant_id="asst_1") as stream:
        events = list(stream)
    assert state.requests[-1].body == {"assistant_id": "asst_1", "stream": True}
    assert [e.event for e in events][:3] == [
        "thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert isinstance(events[0].data, pkg.Run) and events[-1].data.is_complete
    step_events = [e for e in events if e.event == "thread.run.step.created"]
    assert isinstance(step_events[0].data, pkg.RunStep)


def test_diff_with_the_overlay_tells_the_real_story(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "runmodels", "diff", str(OLD), str(NEW), "--overlay", str(OVERLAY),
         "--select", SELECT[0], "--format", "json"],
        check=False, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    changes = {(c["entity"], c["member"], c["kind"]) for c in report["changes"]}
    entities = {c["entity"] for c in report["changes"]}
    # the friendly names hold on both sides: Run is compared with Run, not removed and re-added
    assert ("RunStatus", "incomplete", "enum-member-added") in changes
    assert not any(kind == "model-removed" and e in ("Run", "RunStep", "ToolOutput")
                   for e, _, kind in changes)
    assert "RunObject" not in entities and "submit_tool_ouputs_to_run" not in entities
    assert any(e == "create_run" for e in entities)  # operations compare by their names
    text = subprocess.run(
        [sys.executable, "-m", "runmodels", "diff", str(OLD), str(NEW), "--overlay", str(OVERLAY),
         "--select", SELECT[0]], check=False, capture_output=True, text=True, cwd=ROOT,
        timeout=300).stdout
    assert text.startswith("API changes from 2024-04-25-assistants-v2.yaml + overlay "
                           "specs/openai.overlay.yaml to 2026-08-21.yaml + overlay")


def test_every_extension_example_of_the_docs_applies_to_the_real_spec(tmp_path: Path) -> None:
    """Each YAML example of docs/extensions.md, as an overlay on the 2026 spec: its target
    matches and it has the effect the page describes."""
    import re

    from runmodels.build.client_plan import idempotency_header
    from runmodels.build.package_ir import build_package

    docs = (ROOT / "docs" / "extensions.md").read_text(encoding="utf-8")
    examples = re.findall(r"```yaml\n(.*?)```", docs, re.DOTALL)
    assert len(examples) == 8
    overlay = tmp_path / "docs.overlay.yaml"
    overlay.write_text("overlay: 1.1.0\ninfo: {title: docs, version: '1'}\nactions:\n"
                       + "".join(examples), encoding="utf-8")
    pkg = build_package(NEW, "docs", SELECT, overlays=[overlay])
    assert [w for w in pkg.warnings if "docs.overlay.yaml" in (w.file or "")] == []
    run = pkg.entities["Run"]
    assert {h.name for h in run.helpers} == {"is_terminal", "is_processing", "requires_action"}
    assert "created" in {f.name for f in run.fields}
    assert "ToolOutput" in pkg.entities and "RunStatus" in pkg.entities
    ops = {op.name: op for op in pkg.operations}
    assert "submit_tool_outputs_to_run" in ops and ops["create_run"].stream_event is not None
    assert "page_size" in {p.name for p in ops["list_runs"].parameters}
    assert dict(ops["get_run"].extensions)["x-runmodels-poll"]["name"] == "poll_run"
    assert idempotency_header(ops["create_run"]) == "Idempotency-Key"
    assert idempotency_header(ops["cancel_run"]) is None


def test_overlaid_packages_pass_mypy_strict_and_ruff(built: dict[str, Any]) -> None:
    for tool in (["mypy", "--strict", "--no-incremental", *PACKAGES],
                 ["ruff", "check", "--isolated", *PACKAGES]):
        result = subprocess.run([sys.executable, "-m", *tool], check=False, capture_output=True,
                                text=True, cwd=built["out"], timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
