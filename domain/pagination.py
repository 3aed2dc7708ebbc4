"""Keyset pagination: opaque cursors that stay correct while rows are inserted.

A cursor carries the sort key of the row it points at, its position (for lists capped at a
backend's list limit) and the ordering it belongs to, so the next page starts strictly after
that key: no row is skipped or repeated when other rows appear in between, unlike offset
paging, and a cursor from another ordering is refused instead of silently misread.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any


class InvalidCursor(ValueError):
    """The client sent a cursor we did not issue, or one of another ordering."""


def storable(text: str) -> bool:
    """Whether ``text`` can be a stored key, and so be compared with one: no NUL (writes
    refuse it; PostgreSQL rejects it in a parameter) and no lone surrogate (JSON's
    ``"\\ud800"`` decodes to one; it has no UTF-8 form, so no driver can send it)."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Cursor:
    key: tuple[Any, ...]
    position: int  # 1-based position of the row in the whole result
    ordering: str = ""  # e.g. "login:asc"; a cursor only continues its own ordering

    def encode(self) -> str:
        raw = json.dumps(
            {"k": list(self.key), "p": self.position, "o": self.ordering}, separators=(",", ":")
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str, *, key_length: int, ordering: str = "") -> Cursor:
        invalid = InvalidCursor("The cursor is not one this server issued.")
        try:
            padded = value + "=" * (-len(value) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            key, position, cursor_ordering = data["k"], data["p"], data.get("o", "")
        except (binascii.Error, ValueError, KeyError, TypeError, RecursionError) as exc:
            raise invalid from exc  # (ValueError covers undecodable text and huge numbers)
        if (
            not isinstance(key, list)
            or len(key) != key_length
            or not all(isinstance(k, str) for k in key)
            or not all(storable(k) for k in key)
            or not isinstance(position, int)
            or isinstance(position, bool)
            or position < 0
        ):
            raise invalid
        if cursor_ordering != ordering:
            raise InvalidCursor("The cursor belongs to another ordering.")
        return cls(tuple(key), position, ordering)
