"""Checks on submitted text that every write runs before touching storage.

PostgreSQL refuses NUL in text and most columns are short ``VARCHAR``s in OTOBO's schema, so
both are checked up front: the caller gets a typed problem instead of a database error, and
nothing is written. So is a 4-byte UTF-8 character (outside the Basic Multilingual Plane:
emoji, rarer CJK) for a MariaDB/MySQL column that stores only 3-byte UTF-8 (``utf8mb3``, older
OTOBO installs): ``three_byte_fix`` is then the ``ALTER TABLE`` that fixes the column
(``datasources.db.collation_check.three_byte_columns``), and the problem names it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from domain.errors import ErrorCode, Problem

NO_THREE_BYTE_COLUMNS: Mapping[str, str] = MappingProxyType({})
"""No column stores only 3-byte UTF-8 (PostgreSQL, SQLite, a utf8mb4 MariaDB)."""

# C0 controls and DEL. Tab, LF and CR are allowed only in multi-line fields.
_CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL_CHARACTERS_SINGLE_LINE = r"\x00-\x1f\x7f"
_FOUR_BYTE_CHARACTERS = "\U00010000-\U0010ffff"
"""The characters UTF-8 encodes in 4 bytes: the ones MariaDB's ``utf8mb3`` cannot store."""
_CONTROL = re.compile(f"[{_CONTROL_CHARACTERS}]")
_CONTROL_SINGLE_LINE = re.compile(f"[{_CONTROL_CHARACTERS_SINGLE_LINE}]")
_FOUR_BYTE = re.compile(f"[{_FOUR_BYTE_CHARACTERS}]")
_REFUSED = {
    (False, False): _CONTROL_SINGLE_LINE,
    (True, False): _CONTROL,
    (False, True): re.compile(f"[{_CONTROL_CHARACTERS_SINGLE_LINE}{_FOUR_BYTE_CHARACTERS}]"),
    (True, True): re.compile(f"[{_CONTROL_CHARACTERS}{_FOUR_BYTE_CHARACTERS}]"),
}


def is_blank(value: object) -> bool:
    """OTOBO's "missing": ``None`` or empty. We also treat whitespace-only as missing.

    OTOBO uses Perl truthiness, so the string ``"0"`` counts as missing there; that is a Perl
    accident, not a rule a client relies on, so ``"0"`` is a value here.
    """
    return value is None or (isinstance(value, str) and value.strip() == "")


def has_four_byte(value: str) -> bool:
    """Whether ``value`` has a character UTF-8 encodes in 4 bytes (outside the BMP)."""
    return _FOUR_BYTE.search(value) is not None


def refused_characters(*, multiline: bool, three_byte: bool) -> re.Pattern[str]:
    """One pattern for the characters a value may not hold: control characters (tab, LF and
    CR only in a multi-line field) and, for a column that stores only 3-byte UTF-8, 4-byte
    ones. One search finds either, so the 4-byte check costs nothing on other columns:
    ``validate_values`` on the default Map went from 3.4 to 3.7 µs a row (CPU time) with a
    separate test and keyword per field, and to 3.0 µs with this pattern searched inline."""
    return _REFUSED[multiline, three_byte]


def check_text(
    value: str,
    *,
    field: tuple[str, ...],
    max_length: int | None,
    multiline: bool = False,
    three_byte_fix: str | None = None,
) -> list[Problem]:
    """Problems of one text value: control characters, length in characters, and 4-byte
    characters when its column stores only 3-byte UTF-8 (``three_byte_fix`` is its fix)."""
    problems: list[Problem] = []
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    if pattern.search(value):
        problems.append(
            Problem(field, ErrorCode.INVALID_CHARACTERS, "Contains NUL or control characters.")
        )
    elif three_byte_fix is not None and _FOUR_BYTE.search(value) is not None:
        problems.append(four_byte_problem(field, three_byte_fix))
    if max_length is not None and len(value) > max_length:
        problems.append(
            Problem(
                field,
                ErrorCode.TOO_LONG,
                f"Is {len(value)} characters long; at most {max_length} fit.",
            )
        )
    return problems


def four_byte_problem(field: tuple[str, ...], fix: str) -> Problem:
    """A 4-byte character for a column that stores only 3-byte UTF-8, with the fix."""
    return Problem(
        field,
        ErrorCode.INVALID_CHARACTERS,
        "Contains a character outside the Basic Multilingual Plane (an emoji or a rarer CJK "
        "character: 4 bytes in UTF-8), and the database column stores only 3-byte UTF-8 "
        f"(MariaDB's utf8mb3). An administrator fixes the column with: {fix}",
    )
