"""The emitter's small pieces: literals mean exactly the spec's value (no string can end them
early), annotations spell the IR's types, names are listed in the order ruff wants."""

from __future__ import annotations

import ast
import math

import pytest

from runmodels.emit import exprs
from runmodels.emit.order import all_key, isort_key, natural
from runmodels.ir.nodes import Field, TypeRef

HOSTILE = ["", "plain", "it's", 'say "hi"', "\\", "\n", "'''", '"""', "\x00\x1b", "\u202e",
           "é", "}{", "\"\"\"); import os; os.system('x') #"]


@pytest.mark.parametrize("value", [*HOSTILE, 0, -1, 2**70, 1.5, True, None, ("a", 1)])
def test_literal_evaluates_back_to_the_value(value: object) -> None:
    text = exprs.literal(value)
    assert ast.literal_eval(text) == value
    assert "\n" not in text  # one line: nothing after it can be read as code


def test_literal_of_floats_json_lacks() -> None:
    for value in (math.inf, -math.inf):
        assert eval(exprs.literal(value)) == value
    assert math.isnan(eval(exprs.literal(math.nan)))


@pytest.mark.parametrize("text", HOSTILE + ["a\nb\n  c", 'ends with a quote"', "tab\there"])
def test_doc_literal_is_one_string_meaning_the_text(text: str) -> None:
    source = exprs.doc_literal(text)
    module = ast.parse(source)
    assert len(module.body) == 1 and isinstance(module.body[0], ast.Expr)
    value = ast.literal_eval(source)
    expected = "\n".join(line.rstrip() for line in text.rstrip().split("\n"))
    assert value == expected


@pytest.mark.parametrize("t,text", [
    (TypeRef("str"), "str"),
    (TypeRef("int", nullable=True), "int | None"),
    (TypeRef("any"), "Any"),
    (TypeRef("any", nullable=True), "Any"),  # Any takes None already
    (TypeRef("any", types=("str", "int")), "str | int"),
    (TypeRef("list", item=TypeRef("model", ref="Run")), "list[Run]"),
    (TypeRef("map", item=TypeRef("list", item=TypeRef("enum", ref="S", nullable=True))),
     "dict[str, list[S | None]]"),
    (TypeRef("list"), "list[Any]"),
])
def test_annotations(t: TypeRef, text: str) -> None:
    assert exprs.annotation(t) == text


def test_an_optional_field_may_be_unset() -> None:
    required = Field("id", "id", TypeRef("str"), True)
    optional = Field("note", "note", TypeRef("str", nullable=True), False)
    assert exprs.field_annotation(required) == "str"
    assert exprs.field_annotation(optional) == "str | None | Unset"


def test_import_order_is_ruffs() -> None:
    names = ["decode_run", "Run10", "RUN_LIMIT", "run_step", "Run2", "RunStep", "_private"]
    assert sorted(names, key=isort_key) == ["RUN_LIMIT", "Run2", "Run10", "RunStep",
                                           "_private", "decode_run", "run_step"]
    # __all__ (RUF022): the same groups, each case-sensitive
    assert sorted(["Ab", "AB", "Aa"], key=all_key) == ["AB", "Aa", "Ab"]
    assert natural("tool10") > natural("tool9")
