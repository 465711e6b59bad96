"""The corpus's own run examples (schema, response and SSE examples) round-trip with runs_v2."""

from __future__ import annotations

import json
from types import ModuleType

from corpus import V2_2024, WHOLE_2026, Example, corpus_file, iter_examples

from runmodels.spec.tree import load_file

# corpus component -> runs_v2 class, for the run family
RUN_FAMILY = {
    "RunObject": "Run",
    "RunStepObject": "RunStep",
    "ListRunsResponse": "ListRunsResponse",
    "ListRunStepsResponse": "ListRunStepsResponse",
    "RunStepDeltaObject": "RunStepDelta",
}
RUN_EVENTS = {"thread.run.step.delta": "RunStepDelta"}


def _target(example: Example) -> str | None:
    if example.event is not None:
        if example.event in RUN_EVENTS:
            return RUN_EVENTS[example.event]
        if example.event.startswith("thread.run.step."):
            return "RunStep"
        if example.event.startswith("thread.run."):
            return "Run"
        return None
    return RUN_FAMILY.get(example.schema or "")


def _check_file(runs_v2: ModuleType, path: object) -> tuple[int, int, int, list[str]]:
    doc = load_file(corpus_file(path))  # type: ignore[arg-type]
    found = matched = ok = 0
    failures: list[str] = []
    for example in iter_examples(doc):
        target = _target(example)
        if target is None:
            continue
        found += 1
        try:
            data = example.data()
        except json.JSONDecodeError as exc:  # the corpus has a few broken examples
            print(f"  not JSON, skipped: {example.where}: {exc}")
            continue
        matched += 1
        try:
            decoded = getattr(runs_v2, target).from_dict(data)
            assert decoded.to_dict() == data, "to_dict(from_dict(x)) != x"
            ok += 1
        except Exception as exc:  # noqa: BLE001 - collect them all, then fail once
            failures.append(f"{example.where} as {target}: {exc}")
    return found, matched, ok, failures


def test_2024_run_examples_round_trip(runs_v2: ModuleType) -> None:
    found, matched, ok, failures = _check_file(runs_v2, V2_2024)
    print(f"2024 run family examples: found {found}, matched {matched}, round-tripped {ok}")
    assert not failures, "\n".join(failures)
    assert ok >= 20


def test_2026_run_examples_round_trip(runs_v2: ModuleType) -> None:
    found, matched, ok, failures = _check_file(runs_v2, WHOLE_2026)
    print(f"2026 run family examples: found {found}, matched {matched}, round-tripped {ok}")
    assert not failures, "\n".join(failures)
    assert ok >= 20
