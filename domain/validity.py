"""Validity as OTOBO stores it in its ``valid`` table.

OTOBO never deletes customer users or customers; it sets them invalid. Only id 1 counts as
valid (``Valid.pm`` ``ValidIDsGet``): 2 and 3 are both excluded from "valid" listings.
"""

from __future__ import annotations

import enum


class Validity(enum.Enum):
    """The three rows OTOBO seeds into ``valid``; the value is the ``valid_id``."""

    VALID = 1
    INVALID = 2
    INVALID_TEMPORARILY = 3

    @classmethod
    def from_id(cls, valid_id: int | None) -> Validity:
        """Map a stored ``valid_id``; unknown ids (a foreign OTOBO database) count as invalid."""
        try:
            return cls(valid_id)
        except ValueError:
            return cls.INVALID


VALID_TABLE_ROWS: tuple[tuple[int, str], ...] = (
    (Validity.VALID.value, "valid"),
    (Validity.INVALID.value, "invalid"),
    (Validity.INVALID_TEMPORARILY.value, "invalid-temporarily"),
)
