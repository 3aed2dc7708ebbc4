"""Argument checks shared by every connection field."""

from __future__ import annotations

from datasources.paging import MAX_PAGE_SIZE
from domain.pagination import Cursor, InvalidCursor
from resolvers.errors import BadUserInput


def page_arguments(
    first: int, after: str | None, *, key_length: int = 1, ordering: str = ""
) -> Cursor | None:
    """Validate ``first`` and decode ``after``; a bad value is a BAD_USER_INPUT error."""
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE_SIZE}.", argument="first")
    if after is None:
        return None
    try:
        return Cursor.decode(after, key_length=key_length, ordering=ordering)
    except InvalidCursor as exc:
        raise BadUserInput(str(exc), argument="after") from exc
