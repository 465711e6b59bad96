"""RFC 9535 JSONPath as overlays use it: every selector and filter form on one document, and
the syntax errors with their positions."""

from __future__ import annotations

from typing import Any

import pytest

from runmodels.spec.jsonpath import JSONPathError, compile_query

DOC: dict[str, Any] = {
    "paths": {
        "/runs": {"get": {"operationId": "listRuns", "tags": ["Assistants"]},
                  "post": {"operationId": "createRun", "tags": ["Assistants"],
                           "x-count": 3}},
        "/files": {"get": {"operationId": "listFiles", "deprecated": True, "x-count": 1.5}},
    },
    "list": [10, 20, 30, 40, 50],
    "x-traits": {"paged": True},
    "odd keys": {"a'b": 1, "é": 2},
    "flags": [True, 1, None, "1", [1], {"k": 1}],
}


def keys(query: str) -> list[Any]:
    """The (key, value) of each selected node, values of containers shown as '{}' / '[]'."""
    out = []
    for node in compile_query(query).find(DOC):
        value = node.value
        shown = "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else value
        out.append((node.key, shown))
    return out


@pytest.mark.parametrize("query, expected", [
    ("$", [(None, "{}")]),
    ("$.list", [("list", "[]")]),
    ("$['list']", [("list", "[]")]),
    ('$["odd keys"]["a\'b"]', [("a'b", 1)]),
    ("$['odd keys']['\\u00e9']", [("é", 2)]),
    ("$['odd keys'].é", [("é", 2)]),
    ("$.x-traits.paged", [("paged", True)]),  # '-' in a shorthand name: a leniency
    ("$.paths['/runs'].*", [("get", "{}"), ("post", "{}")]),
    ("$.list[*]", [(i, v) for i, v in enumerate([10, 20, 30, 40, 50])]),
    ("$.list[0]", [(0, 10)]),
    ("$.list[-1]", [(4, 50)]),
    ("$.list[9]", []),
    ("$.list[1:3]", [(1, 20), (2, 30)]),
    ("$.list[:2]", [(0, 10), (1, 20)]),
    ("$.list[3:]", [(3, 40), (4, 50)]),
    ("$.list[::2]", [(0, 10), (2, 30), (4, 50)]),
    ("$.list[::-1]", [(4, 50), (3, 40), (2, 30), (1, 20), (0, 10)]),
    ("$.list[-2:]", [(3, 40), (4, 50)]),
    ("$.list[0:5:0]", []),
    ("$.list[0, -1, 0]", [(0, 10), (4, 50), (0, 10)]),
    ("$..operationId", [("operationId", "listRuns"), ("operationId", "createRun"),
                        ("operationId", "listFiles")]),
    ("$..[?@.deprecated]", [("get", "{}")]),
    ("$.paths..x-count", [("x-count", 3), ("x-count", 1.5)]),
    ("$.paths.*[?@.operationId == 'createRun']", [("post", "{}")]),
    ('$.paths.*[?@.operationId=="createRun"]', [("post", "{}")]),
    ("$.paths.*[?@.operationId != 'createRun']", [("get", "{}"), ("get", "{}")]),
    ("$.paths.*[?@['x-count'] > 2]", [("post", "{}")]),
    ("$.paths.*[?@['x-count'] >= 1.5 && @['x-count'] < 3]", [("get", "{}")]),
    ("$.paths.*[?@['x-count'] <= 1.5 || @.operationId == 'listRuns']", [("get", "{}"),
                                                                         ("get", "{}")]),
    ("$.paths.*[?!@.deprecated]", [("get", "{}"), ("post", "{}")]),
    ("$.paths.*[?!(@.deprecated || @.x-count)]", [("get", "{}")]),
    ("$.paths[?@.get.deprecated == true]", [("/files", "{}")]),
    ("$.paths[?(@.*.tags[?(@ == 'Assistants')])]", [("/runs", "{}")]),
    ("$.list[?@ > 20 && @ < 50]", [(2, 30), (3, 40)]),
    ("$.list[?@ == $.list[0]]", [(0, 10)]),
    ("$.paths.*[?@.missing == @.other]", [("get", "{}"), ("post", "{}"), ("get", "{}")]),
    ("$.flags[?@ == 1]", [(1, 1)]),  # true is not 1, "1" is not 1
    ("$.flags[?@ == true]", [(0, True)]),
    ("$.flags[?@ == null]", [(2, None)]),
    ("$.flags[?@ == 'x' || @ < 'z']", [(3, "1")]),
    ("$.paths.*[?length(@.operationId) == 9]", [("post", "{}"), ("get", "{}")]),
    ("$.paths.*[?count(@.*) == 3]", [("post", "{}"), ("get", "{}")]),
    ("$.paths.*[?match(@.operationId, 'list.*')]", [("get", "{}"), ("get", "{}")]),
    ("$.paths.*[?search(@.operationId, 'Run')]", [("get", "{}"), ("post", "{}")]),
    ("$.paths.*[?value(@.tags[0]) == 'Assistants']", [("get", "{}"), ("post", "{}")]),
])
def test_query(query: str, expected: list[Any]) -> None:
    assert keys(query) == expected


def test_nodes_carry_their_parent_and_key() -> None:
    (node,) = compile_query("$.paths['/runs'].post.tags[0]").find(DOC)
    assert node.parent is DOC["paths"]["/runs"]["post"]["tags"] and node.key == 0


def test_singular() -> None:
    assert compile_query("$.a['b'][0]").singular
    assert not compile_query("$.a.*").singular and not compile_query("$..a").singular


@pytest.mark.parametrize("query, message, position", [
    ("paths", "a JSONPath query starts with '$'", 0),
    ("@.paths", "a JSONPath query starts with '$'", 0),  # @ only inside filters
    ("$.", "expected a member name or '*' after '.'", 2),
    ("$.1a", "expected a member name or '*' after '.'", 2),
    ("$[", "expected a selector", 2),
    ("$['a'", "expected ']'", 5),
    ("$['a]", "unterminated string", 5),
    ("$['\\q']", "invalid escape", 4),
    ("$[01]", "expected ']'", 3),
    ("$[-0]", "expected an integer", 2),
    ("$[9007199254740992]", "integer out of range", 2),
    ("$.a b", "unexpected character ' '", 3),
    ("$[?@.a == ]", "expected a value", 10),
    ("$[?@.* == 1]", "only singular queries", 3),
    ("$[?'x']", "cannot stand alone", 3),
    ("$[?length(@.a)]", "cannot stand alone", 3),
    ("$[?match(@.a, 'x') == true]", "cannot be compared", 3),
    ("$[?nope(@)]", "unknown function 'nope'", 3),
    ("$[?count(1) == 1]", "count() takes a query", 3),
    ("$[?length(@.a, @.b) == 1]", "length() takes 1 argument", 3),
    ("$[?(@.a]", "expected ')'", 7),
])
def test_syntax_errors(query: str, message: str, position: int) -> None:
    with pytest.raises(JSONPathError) as caught:
        compile_query(query)
    assert message in caught.value.message
    assert caught.value.position == position
    assert f"at character {position + 1} of {query!r}" in str(caught.value)
