"""Tests for runmodels.spec.load: positions, YAML features, safety limits and $ref resolution."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus import corpus_file

from runmodels.errors import SpecError
from runmodels.spec import tree as load
from runmodels.spec.load import SpecSet
from runmodels.spec.tree import YMap, YSeq, load_file

FIXTURES = Path(__file__).resolve().parent / "load_fixtures" / "refs"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "openai-openapi"


@pytest.fixture(params=[True, False], ids=["libyaml", "pure"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[bool]:
    """Run a test with the C parser and with the pure-Python parser."""
    if request.param and not load.USE_LIBYAML:
        pytest.skip("libyaml not available")
    monkeypatch.setattr(load, "USE_LIBYAML", request.param)
    yield request.param


def write(tmp_path: Path, text: str | bytes, name: str = "spec.yaml") -> Path:
    """Write a spec file and return its path."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> SpecError:
    """The SpecError that loading path raises."""
    with pytest.raises(SpecError) as info:
        load_file(path)
    return info.value


# --- positions and plain containers -------------------------------------------------------

POSITIONS = """\
openapi: 3.1.0
paths:
  /runs:
    get:
      tags: [a, b]
      responses:
        200:
          description: ok
        true: yes
        ~: nothing
"""


def test_positions_of_nodes_and_keys(tmp_path: Path, parser: bool) -> None:
    path = write(tmp_path, POSITIONS)
    doc = load_file(path)
    assert isinstance(doc, YMap) and isinstance(doc, dict)
    assert doc.loc == (1, 1) and doc.file == path
    assert doc.key_locs["paths"] == (2, 1)
    get = doc["paths"]["/runs"]["get"]
    assert get.loc == (5, 7)
    assert doc["paths"]["/runs"].key_locs["get"] == (4, 5)
    assert isinstance(get["tags"], YSeq) and get["tags"] == ["a", "b"]
    assert get["tags"].loc == (5, 13) and get["tags"].file == path
    responses = get["responses"]
    assert list(responses) == ["200", "true", "~"]
    assert responses["true"] is True and responses["~"] == "nothing"
    assert responses.key_locs["200"] == (7, 9)
    assert responses["200"].loc == (8, 11)
    assert doc["openapi"] == "3.1.0"


def test_scalar_types(tmp_path: Path, parser: bool) -> None:
    path = write(tmp_path, "a: 12\nb: 0x1f\nc: 1.5\nd: .inf\ne: null\nf: 'x'\ng: 2024-01-02\n"
                           "h: !!str 7\ni: 1_000\nj: !!float 3\nk: ! 5\n")
    doc = load_file(path)
    assert doc == {"a": 12, "b": 31, "c": 1.5, "d": float("inf"), "e": None, "f": "x",
                   "g": "2024-01-02", "h": "7", "i": 1000, "j": 3.0, "k": "5"}


def test_location_helper() -> None:
    specs = SpecSet(FIXTURES / "root.yaml")
    schemas = specs.root["components"]["schemas"]
    assert specs.location(schemas) == (FIXTURES / "root.yaml", 6, 5)
    assert specs.location(specs.root, "components") == (FIXTURES / "root.yaml", 4, 1)
    assert specs.location(schemas, "List") == (FIXTURES / "root.yaml", 26, 5)
    assert specs.location(schemas["List"]) == (FIXTURES / "root.yaml", 27, 7)
    assert specs.location("scalar") == (None, None, None)


# --- anchors, aliases, merge keys ---------------------------------------------------------


def test_duplicate_anchor_later_definition_wins(tmp_path: Path, parser: bool) -> None:
    path = write(tmp_path, "a: &x 1\nb: *x\nc: &x {k: 2}\nd: *x\ne: &x [3]\nf: *x\n")
    doc = load_file(path)
    assert doc["b"] == 1 and doc["d"] == {"k": 2} and doc["f"] == [3]
    assert doc["d"] is doc["c"]


def test_merge_keys(tmp_path: Path, parser: bool) -> None:
    text = (
        "base: &base {a: 1, b: 1}\n"
        "other: &other {b: 2, c: 2}\n"
        "one:\n  <<: *base\n  b: 9\n"
        "many:\n  <<: [*base, *other]\n  d: 4\n"
        "inline:\n  <<: {z: 0}\n"
        "text: <<\n"
    )
    doc = load_file(write(tmp_path, text))
    assert doc["one"] == {"a": 1, "b": 9}
    assert doc["many"] == {"a": 1, "b": 1, "c": 2, "d": 4}
    assert doc["inline"] == {"z": 0}
    assert doc["text"] == "<<"
    assert doc["many"].key_locs["d"] == (8, 3)
    assert doc["many"].key_locs["c"] == (2, 22)


def test_bad_merge_value(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "a:\n  <<: 3\n"))
    assert "merge key" in err.message and (err.line, err.column) == (2, 3)


def test_alias_bomb_is_shared_not_copied(tmp_path: Path, parser: bool) -> None:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 11):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    start = time.perf_counter()
    doc = load_file(path)
    assert time.perf_counter() - start < 2
    assert doc["l10"][0] is doc["l10"][9] is doc["l9"]


def test_merge_bomb_is_bounded(tmp_path: Path) -> None:
    keys = ", ".join(f"k{i}: {i}" for i in range(2000))
    lines = [f"m0: &m0 {{{keys}}}"]
    lines += [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m0]}}" for i in range(1, 400)]
    start = time.perf_counter()
    err = error_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert time.perf_counter() - start < 2
    assert "merge" in err.message and err.line is not None


def test_recursive_and_undefined_alias(tmp_path: Path, parser: bool) -> None:
    err = error_of(write(tmp_path, "a: &x\n  b: *x\n"))
    assert "contains it" in err.message and (err.line, err.column) == (2, 6)
    err = error_of(write(tmp_path, "a: *nope\n", "u.yaml"))
    assert "no anchor" in err.message and (err.line, err.column) == (1, 4)


# --- JSON ---------------------------------------------------------------------------------


def test_json_input(parser: bool) -> None:
    doc = load_file(FIXTURES / "defs.json")
    y = doc["definitions"]["Y"]
    assert y == {"type": "integer", "minimum": 1000.0, "nullable": False}
    assert isinstance(y["minimum"], float)
    assert y.loc == (3, 10) and doc["definitions"].key_locs["Y"] == (3, 5)
    assert doc["definitions"]["Tabbed"] == {"k": "v"}


def _check_positions(node: object, lines: list[str]) -> int:
    """Every container's loc is its bracket and every key's loc its opening quote; a count."""
    stack, seen = [node], 0
    while stack:
        item = stack.pop()
        if isinstance(item, YMap):
            line, col = item.loc
            assert lines[line - 1][col - 1] == "{", (item.loc, lines[line - 1])
            for key, (kline, kcol) in item.key_locs.items():
                assert lines[kline - 1][kcol - 1:].startswith(json.dumps(key)), (key, kline)
            stack.extend(item.values())
            seen += 1 + len(item)
        elif isinstance(item, YSeq):
            line, col = item.loc
            assert lines[line - 1][col - 1] == "[", (item.loc, lines[line - 1])
            stack.extend(item)
            seen += 1
        else:
            assert not isinstance(item, (dict, list)), "a container without positions"
    return seen


def test_json_is_parsed_as_json(tmp_path: Path) -> None:
    """Standard-library semantics: surrogate pairs, raw U+007F, the last duplicate key wins."""
    text = ('{"openapi": "3.1.0", "info": {"title": "\\ud83d\\ude00 \x7f", "version": "1"},\n'
            ' "x": {"dup": 1, "dup": [2, {"k": [[], {}]}]}, "n": NaN, "big": 123456789012345678901}')
    doc = load_file(write(tmp_path, text, "spec.json"))
    assert doc == json.loads(text)
    assert doc["info"]["title"] == "\U0001F600 \x7f"
    assert doc["x"]["dup"].loc == (2, 25) and doc["x"].key_locs["dup"] == (2, 18)
    assert _check_positions(doc, text.splitlines()) > 8
    # a dropped duplicate that holds duplicates and containers of its own: later nodes keep
    # their places
    text = '{"a": {"x": [1], "x": {"y": {"z": 1, "z": [2, {"w": 3}]}, "q": [[4]]}}, "b": [5]}'
    doc = load_file(write(tmp_path, text, "dups.json"))
    assert doc == json.loads(text) and doc["b"].loc == (1, text.index("[5") + 1)
    assert _check_positions(doc, text.splitlines()) > 8


def test_json_with_trailing_commas_is_read_as_yaml(tmp_path: Path) -> None:
    """Real .json specs carry trailing commas; YAML's flow style takes them, as it always did."""
    doc = load_file(write(tmp_path, '{"a": {"b": [1, 2,],\n\t"c": 3,},\n}', "commas.json"))
    assert doc == {"a": {"b": [1, 2], "c": 3}}
    assert doc["a"].key_locs["c"] == (2, 2) and doc["a"]["b"].loc == (1, 13)


def test_json_positions_of_every_node_and_key(tmp_path: Path) -> None:
    spec = corpus_file(CORPUS / "2024-04-25-assistants-v2.yaml")
    text = json.dumps(load_file(spec), indent=1, ensure_ascii=False)
    doc = load_file(write(tmp_path, text, "spec.json"))
    assert doc == json.loads(text)
    assert _check_positions(doc, text.splitlines()) > 10_000


def test_json_errors_are_located(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, '{"a": 1,\n "b": [1, 2}', "bad.json"))
    assert err.message.startswith("invalid JSON: ") and (err.line, err.column) == (2, 12)
    err = error_of(write(tmp_path, '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "deep.json"))
    assert "deeper than 500" in err.message and err.line == 1
    err = error_of(write(tmp_path, b'{"a": "\x00"}', "nul.json"))
    assert "NUL" in err.message


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!custom", "!!python/name:x"])
def test_unknown_tags_refused(tmp_path: Path, parser: bool, tag: str) -> None:
    path = write(tmp_path, f"openapi: 3.0.0\nx:\n  y: {tag} ls\n")
    err = error_of(path)
    assert "custom tags are not allowed" in err.message
    assert f"{path}:3:6" in str(err) and err.hint


def test_unknown_collection_tag(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "a: !!python/object/new:os.system [ls]\n"))
    assert "custom tags" in err.message and (err.line, err.column) == (1, 4)


def test_deep_nesting(tmp_path: Path, parser: bool) -> None:
    depth = 100_000 if parser else 5_000  # libyaml's own composer would crash the process here
    err = error_of(write(tmp_path, "a: " + "[" * depth + "]" * depth + "\n"))
    assert "deeper than 500" in err.message and err.line == 1
    assert load_file(write(tmp_path, "a: " + "[" * 400 + "]" * 400 + "\n", "ok.yaml"))


def test_file_too_big(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(load.MAX_FILE_BYTES + 1)
    start = time.perf_counter()
    err = error_of(path)
    assert "larger than 50 MB" in err.message and time.perf_counter() - start < 1


def test_invalid_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b"openapi: 3.1.0\ninfo: caf\xc3\xa9 \x80\x81\n")
    err = error_of(path)
    assert "UTF-8" in err.message and f"{path}:2:12" in str(err)


def test_nul_byte(tmp_path: Path) -> None:
    path = write(tmp_path, b"a: 1\nb: x\x00y\n")
    err = error_of(path)
    assert "NUL" in err.message and f"{path}:2:5" in str(err)


def test_binary_garbage(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, bytes(range(256)) * 4))
    assert "UTF-8" in err.message and (err.line, err.column) == (2, 118)


def test_invalid_yaml(tmp_path: Path, parser: bool) -> None:
    path = write(tmp_path, "openapi: 3.1.0\npaths: [1, 2\nx: 3\n")
    err = error_of(path)
    assert err.message.startswith("invalid YAML") and err.line == 3 and err.hint
    assert f"{path}:3:" in str(err)


@pytest.mark.parametrize("text", ["", "# just a comment\n", "---\n", "~\n"])
def test_empty_document(tmp_path: Path, text: str) -> None:
    err = error_of(write(tmp_path, text))
    assert err.message == "empty document" and err.line == 1


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_root_not_mapping(tmp_path: Path, text: str) -> None:
    err = error_of(write(tmp_path, text))
    assert "root must be a mapping" in err.message and err.line == 1


def test_multiple_documents_and_complex_keys(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "a: 1\n---\nb: 2\n"))
    assert "more than one" in err.message and err.line == 2
    err = error_of(write(tmp_path, "? [a]\n: 1\n", "k.yaml"))
    assert "keys must be plain scalars" in err.message and (err.line, err.column) == (1, 3)


def test_bom_and_utf16(tmp_path: Path) -> None:
    assert load_file(write(tmp_path, "\ufeffa: 1\n".encode())) == {"a": 1}
    assert load_file(write(tmp_path, "a: é\n".encode("utf-16"), "u.yaml")) == {"a": "é"}


def test_missing_file(tmp_path: Path) -> None:
    err = error_of(tmp_path / "absent.yaml")
    assert "cannot read" in err.message and err.hint


# --- $ref resolution ----------------------------------------------------------------------


@pytest.fixture()
def specs() -> SpecSet:
    """The refs fixture workspace."""
    return SpecSet(FIXTURES / "root.yaml")


def test_local_and_escaped_refs(specs: SpecSet) -> None:
    root = FIXTURES / "root.yaml"
    file, pointer, node = specs.resolve_ref("#/components/schemas/Run", root)
    assert (file, pointer, node) == (root, "/components/schemas/Run", {"type": "object"})
    assert specs.resolve_ref("#/components/schemas/a~1b~0c", root)[2] == {"type": "string"}
    assert specs.resolve_ref("#/components/schemas/a%20b", root)[2] == {"type": "number"}
    assert specs.resolve_ref("#/components/schemas/List/1", root)[2] == "second"
    assert specs.resolve_ref("#", root)[2] is specs.root


def test_ref_chain(specs: SpecSet) -> None:
    _, pointer, node = specs.resolve_ref("#/components/schemas/Chain1", FIXTURES / "root.yaml")
    assert pointer == "/components/schemas/Run" and node == {"type": "object"}


def test_cross_file_relative_to_referring_file(specs: SpecSet) -> None:
    file, pointer, node = specs.resolve_ref("#/components/schemas/Remote", FIXTURES / "root.yaml")
    assert file == FIXTURES / "defs.json" and pointer == "/definitions/Y"
    assert node["type"] == "integer"
    file, pointer, node = specs.resolve_ref("sub/other.yaml#/components/schemas/Z",
                                            FIXTURES / "root.yaml")
    assert file == FIXTURES / "sub" / "leaf.yaml" and pointer == "" and node["type"] == "boolean"
    assert specs.resolve_ref("./sub/leaf.yaml", FIXTURES / "root.yaml")[2] is node
    assert specs.load(FIXTURES / "sub" / ".." / "sub" / "leaf.yaml") is node


def test_circular_ref(specs: SpecSet) -> None:
    with pytest.raises(SpecError) as info:
        specs.resolve_ref("#/components/schemas/LoopA", FIXTURES / "root.yaml")
    assert "circular $ref" in info.value.message


def test_missing_file_and_pointer_report_ref_position(specs: SpecSet) -> None:
    schemas = specs.root["components"]["schemas"]
    root = FIXTURES / "root.yaml"
    with pytest.raises(SpecError) as info:
        specs.resolve_ref(schemas["Missing"]["$ref"], root, at=schemas["Missing"])
    assert info.value.file == root and (info.value.line, info.value.column) == (23, 7)
    assert "root.yaml:23:7" in str(info.value) and "does not exist" in info.value.message
    with pytest.raises(SpecError) as info:
        specs.resolve_ref(schemas["BadPointer"]["$ref"], root, at=schemas["BadPointer"])
    assert (info.value.line, info.value.column) == (25, 7)
    assert "root.yaml:25:7" in str(info.value) and "'Nope'" in info.value.message
    assert info.value.pointer == "/components/schemas/Nope"
    with pytest.raises(SpecError) as info:
        specs.resolve_ref("#/paths/x", root)
    assert info.value.file == root


def test_ref_outside_allowed_root() -> None:
    other = FIXTURES / "sub" / "other.yaml"
    specs = SpecSet(other)
    with pytest.raises(SpecError) as info:
        specs.resolve_ref("#/components/schemas/Up", other)
    assert "leaves the allowed folder" in info.value.message
    assert "--allow-root" in (info.value.hint or "")
    assert "other.yaml:8:7" in str(info.value) and info.value.file == other
    widened = SpecSet(other, allowed_roots=[FIXTURES])
    assert widened.resolve_ref("#/components/schemas/Up", other)[2] == {"type": "object"}


@pytest.mark.parametrize("ref", ["https://example.com/spec.yaml#/x", "http://h/a.json",
                                 "ftp://h/a.yaml"])
def test_network_refs_refused(specs: SpecSet, ref: str) -> None:
    with pytest.raises(SpecError) as info:
        specs.resolve_ref(ref, FIXTURES / "root.yaml")
    assert "never downloads" in info.value.message


def test_fragment_must_be_pointer(specs: SpecSet) -> None:
    with pytest.raises(SpecError) as info:
        specs.resolve_ref("#Run", FIXTURES / "root.yaml")
    assert "JSON pointer" in info.value.message


# --- the real corpus ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["2024-04-25-assistants-v2.yaml", "2026-08-21.yaml"])
def test_corpus_loads(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip("corpus not present")
    start = time.perf_counter()
    doc = load_file(path)
    elapsed = time.perf_counter() - start
    assert isinstance(doc, YMap) and "paths" in doc and "components" in doc
    if load.USE_LIBYAML:
        assert elapsed < 5
    if name.startswith("2024"):
        status = doc["components"]["schemas"]["RunObject"]["properties"]["status"]
        assert "expired" in status["enum"]


def test_pure_parser_matches_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    path = CORPUS / "2024-04-25-assistants-v2.yaml"
    if not path.exists() or not load.USE_LIBYAML:
        pytest.skip("corpus or libyaml not present")
    fast = load_file(path)
    monkeypatch.setattr(load, "USE_LIBYAML", False)
    assert load_file(path) == fast


@pytest.mark.parametrize("name", ["spec.json", "spec.yaml"])
def test_escaped_surrogate_pairs_are_one_character(tmp_path: Path, parser: bool,
                                                  name: str) -> None:
    """`\\ud83d\\ude00` is how JSON writers escape 😀: one character, as in JSON, not two."""
    path = write(tmp_path, '{"k\\ud83d\\ude00": "a\\ud83d\\ude00b", "lone": "\\ud83d"}', name)
    doc = load_file(path)
    assert doc == {"k😀": "a😀b", "lone": "\ud83d"}
