"""Checks on submitted text that every write runs before touching storage.

PostgreSQL refuses NUL in text and most columns are short ``VARCHAR``s in OTOBO's schema, so
both are checked up front: the caller gets a typed problem instead of a database error, and
nothing is written.
"""

from __future__ import annotations

import re

from domain.errors import ErrorCode, Problem

# C0 controls and DEL. Tab, LF and CR are allowed only in multi-line fields.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")


def is_blank(value: object) -> bool:
    """OTOBO's "missing": ``None`` or empty. We also treat whitespace-only as missing.

    OTOBO uses Perl truthiness, so the string ``"0"`` counts as missing there; that is a Perl
    accident, not a rule a client relies on, so ``"0"`` is a value here.
    """
    return value is None or (isinstance(value, str) and value.strip() == "")


def is_clean_text(value: str, *, max_length: int | None, multiline: bool = False) -> bool:
    """Whether :func:`check_text` finds nothing (the common case, tested without building
    the problems list)."""
    if max_length is not None and len(value) > max_length:
        return False
    return (_CONTROL if multiline else _CONTROL_SINGLE_LINE).search(value) is None


def check_text(
    value: str, *, field: tuple[str, ...], max_length: int | None, multiline: bool = False
) -> list[Problem]:
    """Problems of one text value: control characters and length in characters."""
    problems: list[Problem] = []
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    if pattern.search(value):
        problems.append(
            Problem(field, ErrorCode.INVALID_CHARACTERS, "Contains NUL or control characters.")
        )
    if max_length is not None and len(value) > max_length:
        problems.append(
            Problem(
                field,
                ErrorCode.TOO_LONG,
                f"Is {len(value)} characters long; at most {max_length} fit.",
            )
        )
    return problems
