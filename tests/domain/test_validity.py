"""Validity as OTOBO stores it: only valid_id 1 is valid; an id OTOBO never seeds is invalid.

A foreign OTOBO database may hold valid ids we do not know; reading one must not crash a
listing, and must never make a user count as valid (reference §"valid": ``ValidIDsGet``).
"""

from __future__ import annotations

import pytest

from domain.validity import VALID_TABLE_ROWS, Validity


@pytest.mark.parametrize(
    ("valid_id", "expected"),
    [
        (1, Validity.VALID),
        (2, Validity.INVALID),
        (3, Validity.INVALID_TEMPORARILY),
        (0, Validity.INVALID),
        (4, Validity.INVALID),
        (-1, Validity.INVALID),
        (None, Validity.INVALID),
    ],
)
def test_from_id(valid_id: int | None, expected: Validity) -> None:
    assert Validity.from_id(valid_id) is expected


def test_valid_table_rows_are_the_three_otobo_seeds() -> None:
    assert VALID_TABLE_ROWS == ((1, "valid"), (2, "invalid"), (3, "invalid-temporarily"))
