"""Keyset pagination: opaque cursors that stay correct while rows are inserted.

A cursor carries the sort key of the row it points at (and its position, for lists capped at a
backend's list limit), so the next page starts strictly after that key: no row is skipped or
repeated when other rows appear in between, unlike offset paging.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any


class InvalidCursor(ValueError):
    """The client sent a cursor we did not issue (or from another ordering)."""


@dataclass(frozen=True, slots=True)
class Cursor:
    key: tuple[Any, ...]
    position: int  # 1-based position of the row in the whole result

    def encode(self) -> str:
        raw = json.dumps({"k": list(self.key), "p": self.position}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str, *, key_length: int) -> Cursor:
        try:
            padded = value + "=" * (-len(value) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            key, position = data["k"], data["p"]
        except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise InvalidCursor("The cursor is not one this server issued.") from exc
        if (
            not isinstance(key, list)
            or len(key) != key_length
            or not all(isinstance(k, str | int | float) or k is None for k in key)
            or not isinstance(position, int)
            or position < 0
        ):
            raise InvalidCursor("The cursor is not one this server issued.")
        return cls(tuple(key), position)
