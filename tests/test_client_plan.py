"""The client plan as data: built from small specs and asserted without rendering anything, and
compared by `runmodels diff` (a lost `poll_run`, a renamed keyword argument)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runmodels.build.package_ir import build_package
from runmodels.cli.main import main
from runmodels.diff import apisnapshot
from runmodels.diff.apidiff import diff_records, diff_specs, package_roles
from runmodels.emit.render import render_package
from runmodels.errors import SpecError
from runmodels.ir.client_plan import CALL_OPTIONS, ClientPlan

ROOT = Path(__file__).resolve().parents[1]
V2 = ROOT / "specs" / "runs_v2.yaml"
POLL = "      x-runmodels-poll:\n        name: poll_run\n        until-not: is_processing\n"


def _plan(tmp_path: Path, text: str, name: str = "spec.yaml") -> tuple[ClientPlan, Path]:
    spec = tmp_path / name
    spec.write_text(textwrap.dedent(text), encoding="utf-8")
    return build_package(spec, "pkg").client, spec


def _without_poll(tmp_path: Path) -> Path:
    text = V2.read_text(encoding="utf-8")
    assert POLL in text
    copy = tmp_path / "runs_v2_without_poll.yaml"
    copy.write_text(text.replace(POLL, ""), encoding="utf-8")
    return copy


JOBS = """\
openapi: 3.1.0
info: {title: jobs, version: "1"}
paths:
  /jobs:
    get:
      operationId: listJobs
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: after, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/JobList'}
    post:
      operationId: createJob
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/CreateJob'}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Job'}
            text/event-stream:
              schema: {type: object}
  /jobs/{job_id}:
    get:
      operationId: getJob
      parameters:
        - {name: job_id, in: path, required: true, schema: {type: string}}
      x-runmodels-poll: {name: poll_job, until-not: is_running}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Job'}
components:
  schemas:
    CreateJob:
      type: object
      required: [task]
      properties:
        task: {type: string}
        timeout: {type: integer, description: Seconds the job may take.}
        stream: {type: boolean}
    Job:
      type: object
      required: [id, status]
      properties:
        id: {type: string}
        status: {type: string}
      x-runmodels-status:
        field: status
        helpers: {is_running: [queued, running]}
    JobList:
      type: object
      properties:
        data: {type: array, items: {$ref: '#/components/schemas/Job'}}
        has_more: {type: boolean}
        last_id: {type: string}
"""


def test_plan_lists_every_method_with_its_kind_in_rendering_order(tmp_path: Path) -> None:
    plan, _ = _plan(tmp_path, JOBS)
    assert [(m.name, m.kind) for m in plan.methods] == [
        ("list_jobs", "call"), ("iter_jobs", "iter"),
        ("create_job", "call"), ("stream_job", "stream"),
        ("_get_job_with_headers", "headers"), ("get_job", "call"),
        ("poll_job", "poll"), ("create_job_and_poll", "and_poll"),
    ]
    assert "_get_job_with_headers" not in plan.public()
    methods = plan.public()
    # pagination: `after` is the iterator's business, passed to the list method by its name
    iter_jobs = methods["iter_jobs"]
    assert [a.name for a in iter_jobs.arguments] == ["limit"]
    assert iter_jobs.pagination is not None and iter_jobs.pagination.cursor == "after"
    assert iter_jobs.pagination.item.ref == "Job"
    # streaming: the stream variant sends `stream: true`; neither method takes `stream`
    assert methods["stream_job"].sets_stream
    assert methods["create_job"].stream_variant == "stream_job"  # `stream=True` says to call it
    assert not methods["list_jobs"].stream_variant
    for name in ("create_job", "stream_job", "create_job_and_poll"):
        assert "stream" not in [a.name for a in methods[name].arguments]
    # polling: through the private method returning headers, until the helper is false
    poll = methods["poll_job"].poll
    assert poll is not None
    assert (poll.helper, poll.negate, poll.fetch) == ("is_running", True,
                                                      "_get_job_with_headers")
    assert methods["get_job"].delegate == "_get_job_with_headers"
    then = methods["create_job_and_poll"].then_poll
    assert then is not None and then.poll == "poll_job" and then.targets == ("result.id",)


def test_a_spec_name_meeting_an_option_is_renamed_with_a_located_warning(
        tmp_path: Path) -> None:
    plan, spec = _plan(tmp_path, JOBS)
    create = plan.public()["create_job"]
    timeout = next(a for a in create.arguments if a.json_name == "timeout")
    assert (timeout.name, timeout.source, timeout.renamed) == ("timeout_body", "field", True)
    assert timeout.name not in CALL_OPTIONS
    (warning,) = [w for w in plan.warnings if w.code == "argument-renamed"]  # once, not per method
    line = spec.read_text().splitlines().index(
        "        timeout: {type: integer, description: Seconds the job may take.}") + 1
    assert (Path(warning.file or "").name, warning.line) == ("spec.yaml", line)
    assert warning.pointer == "#/components/schemas/CreateJob/properties/timeout"
    assert "timeout_body" in warning.message and warning.limitation  # valid spec: not refused
    pkg = build_package(spec, "pkg")
    assert warning in pkg.warnings  # what the CLI lists


def test_a_query_parameter_meeting_an_option_is_located_at_the_parameter(
        tmp_path: Path) -> None:
    text = JOBS.replace("- {name: limit, in: query, schema: {type: integer}}",
                        "- {name: extra_headers, in: query, schema: {type: string}}")
    plan, spec = _plan(tmp_path, text)
    args = [a.name for a in plan.public()["list_jobs"].arguments]
    assert args == ["extra_headers_query", "after"]
    (warning,) = [w for w in plan.warnings if w.code == "argument-renamed"
                  and "extra_headers" in w.message]
    line = next(i for i, row in enumerate(spec.read_text().splitlines(), 1)
                if "name: extra_headers" in row)
    assert warning.line == line and warning.column is not None
    assert warning.pointer == "#/paths/~1jobs/get/parameters/0"


def test_a_poll_naming_an_unknown_helper_is_warned_of_once_where_it_is_written(
        tmp_path: Path) -> None:
    plan, spec = _plan(tmp_path, JOBS.replace("until-not: is_running", "until: is_done"))
    assert not [m for m in plan.methods if m.kind in ("poll", "and_poll", "headers")]
    (warning,) = [w for w in plan.warnings if w.code == "poll-extension-invalid"]
    line = next(i for i, row in enumerate(spec.read_text().splitlines(), 1)
                if "x-runmodels-poll" in row)
    assert warning.line == line and "'is_done'" in warning.message
    assert warning.pointer == "#/paths/~1jobs~1{job_id}/get/x-runmodels-poll"
    assert not warning.limitation  # a defect: --strict-spec refuses it


@pytest.mark.parametrize("poll", ["[poll_job]", "{name: 3, until: is_running}",
                                  "{name: poll_job, until: is_running, after: createJob}"])
def test_a_malformed_poll_extension_leaves_the_poll_out(tmp_path: Path, poll: str) -> None:
    plan, _ = _plan(tmp_path, JOBS.replace("{name: poll_job, until-not: is_running}", poll))
    assert "poll_job" not in plan.public()
    assert [w.code for w in plan.warnings].count("poll-extension-invalid") == 1


def test_after_names_the_companions_of_a_poll(tmp_path: Path) -> None:
    plan, _ = _plan(tmp_path, JOBS.replace("until-not: is_running}",
                                           "until-not: is_running, after: [nothing]}"))
    assert "poll_job" in plan.public() and "create_job_and_poll" not in plan.public()


def test_a_bad_idempotency_extension_is_refused_with_its_location(tmp_path: Path) -> None:
    text = JOBS.replace("      operationId: createJob\n",
                        "      operationId: createJob\n      x-runmodels-idempotency: [1]\n")
    with pytest.raises(SpecError) as caught:
        _plan(tmp_path, text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "idempotency" in row)
    assert caught.value.line == line
    assert caught.value.pointer == "#/paths/~1jobs/post/x-runmodels-idempotency"


def test_idempotency_header_is_planned_per_request_method(tmp_path: Path) -> None:
    text = JOBS.replace("info: {title: jobs, version: \"1\"}\n",
                        "info: {title: jobs, version: \"1\"}\nx-runmodels-idempotency: true\n")
    plan, _ = _plan(tmp_path, text)
    methods = plan.public()
    assert methods["create_job"].idempotency_header == "Idempotency-Key"
    assert methods["stream_job"].idempotency_header == "Idempotency-Key"
    assert methods["list_jobs"].idempotency_header is None  # a GET repeats safely


def test_the_runs_plan_has_the_documented_companions() -> None:
    methods = build_package(V2, "runs_v2").client.public()
    assert {"iter_runs", "iter_run_steps", "poll_run", "create_run_and_poll",
            "submit_tool_outputs_and_poll", "create_thread_and_run_and_poll", "stream_run",
            "stream_thread_and_run", "stream_submit_tool_outputs"} <= set(methods)
    assert "modify_run_and_poll" not in methods  # modify_* does not start processing


# ---- the diff compares the plan ----------------------------------------------------------------


def test_diff_reports_a_lost_poll_as_breaking(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _without_poll(tmp_path)
    report = diff_specs(V2, copy)
    found = {(c.entity, c.kind): c for c in report.changes}
    assert found[("poll_run", "method-removed")].breaking
    for companion in ("create_run_and_poll", "submit_tool_outputs_and_poll",
                      "create_thread_and_run_and_poll"):
        assert found[(companion, "method-removed")].breaking
    assert not [c for c in report.changes if c.entity.startswith("_")]  # private: not API
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["diff", "specs/runs_v2.yaml", str(copy),
                                       "--fail-on", "breaking"])
    assert result.exit_code == 1, result.output
    assert "! poll method poll_run() removed (of get_run)" in result.output
    assert CliRunner().invoke(main, ["diff", "specs/runs_v2.yaml", str(copy)]).exit_code == 0
    back = diff_specs(copy, V2)
    assert not back.breaking and ("poll_run", "method-added") in {
        (c.entity, c.kind) for c in back.changes}


def test_diff_reports_a_lost_iterator_and_a_lost_stream_variant(tmp_path: Path) -> None:
    _, old = _plan(tmp_path, JOBS, "old.yaml")
    text = (JOBS.replace("        - {name: after, in: query, schema: {type: string}}\n", "")
            .replace("            text/event-stream:\n              schema: {type: object}\n",
                     ""))
    _, new = _plan(tmp_path, text, "new.yaml")
    found = {(c.entity, c.kind): c.breaking for c in diff_specs(old, new).changes}
    assert found[("iter_jobs", "method-removed")] is True
    assert found[("stream_job", "method-removed")] is True


def test_diff_reports_a_keyword_argument_renamed_by_a_clash(tmp_path: Path) -> None:
    # the body field `task` is `task_body` while a query parameter `task` exists
    clash = JOBS.replace(
        "      operationId: createJob\n",
        "      operationId: createJob\n      parameters:\n"
        "        - {name: task, in: query, schema: {type: string}}\n")
    _, old = _plan(tmp_path, clash, "old.yaml")
    _, new = _plan(tmp_path, JOBS, "new.yaml")
    changes = diff_specs(old, new).changes
    renamed = [c for c in changes if c.kind == "argument-renamed"]
    assert {(c.entity, c.old, c.new) for c in renamed} >= {
        ("create_job", "task_body", "task"), ("stream_job", "task_body", "task"),
        ("create_job_and_poll", "task_body", "task")}
    assert all(c.breaking for c in renamed)


def test_the_api_record_keeps_the_plan(tmp_path: Path) -> None:
    old_pkg = build_package(V2, "runs")
    new_pkg = build_package(_without_poll(tmp_path), "runs")
    records = []
    for pkg in (old_pkg, new_pkg):
        record = apisnapshot.record(pkg, package_roles(pkg, V2))
        text = apisnapshot.dumps(record)
        assert apisnapshot.loads(text) == record
        assert '"_get_run_with_headers"' not in text  # private methods are not API
        records.append(record)
    assert "poll_run" in records[0].client and "poll_run" not in records[1].client
    report = diff_records(records[0], records[1], "before", "after")
    assert ("poll_run", "method-removed", True) in {
        (c.entity, c.kind, c.breaking) for c in report.changes}


def test_the_poll_options_are_reserved_in_every_method_of_a_polled_operation(
        tmp_path: Path) -> None:
    text = (JOBS.replace(
        "        - {name: job_id, in: path, required: true, schema: {type: string}}\n",
        "        - {name: job_id, in: path, required: true, schema: {type: string}}\n"
        "        - {name: interval, in: query, schema: {type: integer}}\n")
        .replace("        stream: {type: boolean}\n",
                 "        stream: {type: boolean}\n        poll_timeout: {type: integer}\n")
        .replace("        - {name: limit, in: query, schema: {type: integer}}\n",
                 "        - {name: interval, in: query, schema: {type: integer}}\n"))
    plan, spec = _plan(tmp_path, text)
    by_name = {m.name: m for m in plan.methods}
    for name in ("get_job", "_get_job_with_headers", "poll_job"):
        assert "interval_query" in [a.name for a in by_name[name].arguments], name
    for name in ("create_job", "stream_job", "create_job_and_poll"):
        assert "poll_timeout_body" in [a.name for a in by_name[name].arguments], name
    assert "interval" in [a.name for a in by_name["list_jobs"].arguments]  # not polled: free
    codes = [w.code for w in plan.warnings]
    assert codes.count("argument-renamed") == 3  # timeout, interval, poll_timeout
    source = render_package(build_package(spec, "pkg"), modules=False)["client.py"]
    compile(source, "client.py", "exec")  # no argument twice in one signature
