"""Python names from spec names: always identifiers, never keywords or names the generated
code needs, and handed out deterministically."""

from __future__ import annotations

import keyword

import pytest

from runmodels.build import names

HOSTILE = ["", "class", "import", "__init__", "_private", "123abc", "a-b.c d", "ÄÖÜ",
           "日本語", "x" * 300, "None", "self", "to_dict", "__slots__", "-", "___"]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_name_is_a_plain_identifier(text: str) -> None:
    for made in (names.field_name(text), names.class_name(text), names.member_name(text),
                 names.module_name(names.class_name(text))):
        assert made.isascii() and made.isidentifier(), (text, made)
        assert not keyword.iskeyword(made), (text, made)
    assert not names.field_name(text).startswith("_")


@pytest.mark.parametrize("text,snake,pascal", [
    ("submitToolOutputs", "submit_tool_outputs", "SubmitToolOutputs"),
    ("submit-tool-outputs", "submit_tool_outputs", "SubmitToolOutputs"),
    ("run_step.delta", "run_step_delta", "RunStepDelta"),
    ("HTTPError", "http_error", "HTTPError"),
    ("café au lait", "cafe_au_lait", "CafeAuLait"),
])
def test_words_of_any_spelling(text: str, snake: str, pascal: str) -> None:
    assert names.snake(text) == snake
    assert names.pascal(text) == pascal


def test_enum_members_of_every_json_scalar() -> None:
    assert names.member_name("in_progress") == "IN_PROGRESS"
    assert names.member_name(1) == "VALUE_1"
    assert names.member_name(-1.5) == "VALUE_MINUS_1_5"
    assert names.member_name(True) == "TRUE"
    assert names.member_name("") == "EMPTY"


def test_fields_never_shadow_what_the_class_body_uses() -> None:
    for taken in names.RESERVED_FIELD_NAMES:
        assert names.field_name(taken) != taken
    assert not names.is_free_attribute("to_dict") and names.is_free_attribute("is_done")


def test_module_names_avoid_the_names_windows_reserves() -> None:
    assert names.module_name("Con") == "con_"
    assert names.module_name("Models") == "models_"
    assert names.module_name("RunStep") == "run_step"


def test_namer_is_first_come_and_case_folding_by_default() -> None:
    files = names.Namer()
    assert [files.claim(n) for n in ("run", "Run", "run", "RUN2")] == ["run", "Run2", "run3",
                                                                       "RUN22"]
    classes = names.Namer(fold_case=False)
    assert [classes.claim(n) for n in ("Run", "RUN", "Run")] == ["Run", "RUN", "Run2"]
    assert "Run2" in classes and "Run3" not in classes
