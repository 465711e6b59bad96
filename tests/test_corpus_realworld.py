"""Every document of ../shared/corpus (the OpenAI specs and all of realworld/) generates, imports,
passes `mypy --strict`, and round-trips every example that names its schema.

One generation of all 94 documents is shared by the tests (a few minutes on 2 cores: one mypy
process checks every package at once). The table of counts per folder is printed on every run;
`python tests/corpus_docs.py` prints the same table and every failure by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_docs import CORPUS, Outcome, documents, failures, run_all, table

pytestmark = pytest.mark.slow  # seconds to minutes: left out of `pytest -m "not slow"`

# documents no sound package can come from (not OpenAPI, nothing to generate), by name
EXPECTED_FATAL: dict[str, str] = {}
TIMES: dict[str, float] = {}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    if not (CORPUS / "realworld" / "manifest.tsv").is_file():
        pytest.skip(f"{CORPUS} is absent (the shared corpus is not beside this checkout)")
    out: Path = tmp_path_factory.mktemp("corpus")
    outcomes, times = run_all(out)
    TIMES.update(times)
    return outcomes


def test_table_is_printed_and_counts_every_document(corpus: list[Outcome],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + table(corpus, TIMES))
    assert len(corpus) == len(documents()) >= 94


def test_every_document_generates_except_the_fatal_ones(corpus: list[Outcome]) -> None:
    found = failures(corpus)
    assert not found["crashed"], "\n".join(found["crashed"])
    refused = {o.doc.name: o.refused for o in corpus if o.refused is not None}
    assert set(refused) == set(EXPECTED_FATAL), "\n".join(found["refused"])


def test_every_package_imports(corpus: list[Outcome]) -> None:
    found = failures(corpus)["import"]
    assert not found, "\n".join(found)


def test_every_package_passes_mypy_strict(corpus: list[Outcome]) -> None:
    found = failures(corpus)["mypy"]
    assert not found, "\n".join(found)


def test_every_matched_example_round_trips(corpus: list[Outcome]) -> None:
    """`to_dict(from_dict(x)) == x` for every example, also those that break their schema."""
    found = failures(corpus)["examples"]
    assert sum(o.round_tripped for o in corpus) >= 1000
    assert not found, "\n".join(found)


def test_form_and_multipart_operations_get_methods(corpus: list[Outcome]) -> None:
    """Stripe's 2018 API sends every write as a URL-encoded form, OpenAI's uploads are
    multipart, some APIs take a file as the whole body: each such operation is a method (none
    is left out as `body-not-json`)."""
    by_name = {o.doc.name: o for o in corpus}
    assert by_name["stripe-2018-05"].form_methods == 90
    assert by_name["twilio-numbers-v2"].form_methods == 13
    assert by_name["2026-08-21"].form_methods >= 10
    assert sum(o.form_methods for o in corpus) >= 145
    left_out = [w for o in corpus for w in o.warnings if "body-not-json" in w
                and any(media in w for media in ("multipart/form-data", "x-www-form-urlencoded",
                                                 "octet-stream", "image/"))]
    assert not left_out, "\n".join(left_out)
