"""Keyset cursors: a cursor round-trips, belongs to one ordering, and anything the server did
not issue is refused with ``InvalidCursor`` (which the API turns into BAD_USER_INPUT) rather
than reaching the database: wrong shape, wrong key length, NUL or lone surrogates in a key.
"""

from __future__ import annotations

import base64
import json

import pytest

from domain.pagination import Cursor, InvalidCursor


def raw(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_round_trip() -> None:
    cursor = Cursor(("smith", "ada"), 42, "lastName:asc")
    encoded = cursor.encode()
    assert "=" not in encoded
    assert Cursor.decode(encoded, key_length=2, ordering="lastName:asc") == cursor


def test_non_ascii_keys_round_trip() -> None:
    cursor = Cursor(("Größe", "カス"), 1)
    assert Cursor.decode(cursor.encode(), key_length=2) == cursor


def test_a_cursor_of_another_ordering_is_refused() -> None:
    encoded = Cursor(("a",), 1, "login:asc").encode()
    with pytest.raises(InvalidCursor, match="another ordering"):
        Cursor.decode(encoded, key_length=1, ordering="login:desc")


def test_a_cursor_without_ordering_is_of_the_default_ordering() -> None:
    assert Cursor.decode(raw({"k": ["a"], "p": 1}), key_length=1) == Cursor(("a",), 1)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not-base64!",
        base64.b64encode(b"\xff\xfe").decode(),
        raw([1, 2]),
        raw({"k": ["a"]}),
        raw({"k": "a", "p": 1}),
        raw({"k": ["a", "b"], "p": 1}),
        raw({"k": [1], "p": 1}),
        raw({"k": ["a\u0000"], "p": 1}),
        raw({"k": ["a"], "p": -1}),
        raw({"k": ["a"], "p": True}),
        raw({"k": ["a"], "p": "1"}),
        raw({"k": ["a"], "p": 1.5}),
    ],
)
def test_cursors_we_did_not_issue_are_refused(value: str) -> None:
    with pytest.raises(InvalidCursor):
        Cursor.decode(value, key_length=1)


def test_a_lone_surrogate_in_a_key_is_refused() -> None:
    encoded = base64.urlsafe_b64encode(b'{"k":["\\ud800"],"p":1}').decode()
    with pytest.raises(InvalidCursor):
        Cursor.decode(encoded, key_length=1)


def test_deeply_nested_json_is_refused_not_a_crash() -> None:
    encoded = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode()
    with pytest.raises(InvalidCursor):
        Cursor.decode(encoded, key_length=1)
