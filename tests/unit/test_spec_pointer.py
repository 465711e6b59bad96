"""JSON Pointer tokens (RFC 6901): escaping is reversible, and `~1` decodes before `~0`."""

from __future__ import annotations

import pytest

from runmodels.spec import pointer

TOKENS = ["", "plain", "a/b", "m~n", "~1", "~0", "~01", "/~/", "路径", "a b", "0"]


@pytest.mark.parametrize("token", TOKENS)
def test_escape_and_unescape_are_inverse(token: str) -> None:
    escaped = pointer.escape(token)
    assert "/" not in escaped
    assert pointer.unescape(escaped) == token


def test_the_rfc_examples() -> None:
    assert pointer.escape("a/b") == "a~1b"
    assert pointer.escape("m~n") == "m~0n"
    # `~01` is the escaped `~1`: decoding `~0` first would turn it into `/`
    assert pointer.unescape("~01") == "~1"
    assert pointer.unescape("~10") == "/0"


def test_join_and_split_round_trip_a_path_of_tokens() -> None:
    tokens = ["paths", "/threads/{thread_id}/runs", "post", "requestBody"]
    joined = pointer.join(tokens)
    assert joined == "/paths/~1threads~1{thread_id}~1runs/post/requestBody"
    assert pointer.split(joined) == tokens
    assert pointer.split("#" + joined) == tokens  # a $ref's fragment


def test_the_whole_document_and_the_empty_key() -> None:
    assert pointer.split("") == [] and pointer.split("#") == []
    assert pointer.join([]) == ""
    assert pointer.split("/") == [""]  # the member named "" of the root
    assert pointer.join([""]) == "/"
