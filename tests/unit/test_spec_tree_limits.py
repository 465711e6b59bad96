"""The YAML/JSON loader's limits: each refuses with one located SpecError, never a traceback
or an exhausted machine.  The limits are lowered here so that small documents reach them."""

from __future__ import annotations

from pathlib import Path

import pytest

from runmodels.errors import SpecError
from runmodels.spec import tree
from runmodels.spec.load import SpecSet


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_positions_are_kept_for_containers_and_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, "api.yaml", "openapi: 3.1.0\ncomponents:\n  schemas:\n"
                  "    Run: {type: object}\n")
    specs = SpecSet(path)
    schemas = specs.root["components"]["schemas"]
    assert specs.location(schemas["Run"]) == (path.resolve(), 4, 10)
    assert specs.location(schemas, "Run")[1:] == (4, 5)


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_nesting_deeper_than_the_limit_is_refused_where_it_happens(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    monkeypatch.setattr(tree, "MAX_DEPTH", 5)
    deep = "[" * 8 + "]" * 8
    path = _write(tmp_path, f"deep.{suffix}", '{"a": ' + deep + "}\n")
    with pytest.raises(SpecError) as raised:
        tree.load_file(path)
    assert "deeper than 5" in raised.value.message
    assert raised.value.line == 1 and raised.value.column is not None
    shallow = _write(tmp_path, f"ok.{suffix}", '{"a": [[1]]}\n')
    assert tree.load_file(shallow) == {"a": [[1]]}


def test_an_alias_bomb_is_refused_before_anything_walks_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tree, "MAX_EXPANDED_VALUES", 1000)
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcd":  # 10 ** 4 values once expanded, from 4 short lines
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(SpecError) as raised:
        SpecSet(path)
    assert "expands to more than 1,000 values" in raised.value.message
    assert raised.value.hint is not None and "alias" in raised.value.hint


def test_a_file_over_the_size_limit_is_refused_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tree, "MAX_FILE_BYTES", 64)
    path = _write(tmp_path, "big.yaml", "openapi: 3.1.0\n" + "# padding\n" * 10)
    with pytest.raises(SpecError) as raised:
        tree.load_file(path)
    assert "larger than" in raised.value.message and raised.value.line == 1


@pytest.mark.parametrize("text,what", [("", "empty document"), ("- a\n- b\n", "a list"),
                                       ("just a string\n", "the scalar")])
def test_a_root_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str, what: str) -> None:
    path = _write(tmp_path, "root.yaml", text)
    with pytest.raises(SpecError) as raised:
        tree.load_file(path)
    assert what in raised.value.message
