"""What a MariaDB/MySQL collation counts as equal, said in a user error.

Roster compares keys as PostgreSQL does (case-insensitively, nothing else), but a unique index
on a MariaDB/MySQL column compares by the column's collation, and OTOBO's
``utf8mb4_unicode_ci`` (UCA 4.0.0) ignores case and accents and counts every character outside
the Basic Multilingual Plane (emoji, rarer CJK ideographs) as equal to every other: ``a😀``
and ``a🚀`` are one login there. Such a value is refused as taken; the message says why, so
the caller does not look for a case or accent twin that is not there.
"""

from __future__ import annotations

_OUTSIDE_BMP = "treats characters outside the Basic Multilingual Plane such as emoji as equal"

IGNORES = {
    "utf8mb4_unicode_ci": f"it ignores case, accents, and {_OUTSIDE_BMP}",
    "utf8mb4_general_ci": f"it ignores case, accents, and {_OUTSIDE_BMP}",
    "utf8mb4_unicode_520_ci": "it ignores case and accents",
    "utf8mb4_0900_ai_ci": "it ignores case and accents",
    "utf8mb4_uca1400_ai_ci": "it ignores case and accents",
    "utf8mb4_uca1400_nopad_ai_ci": "it ignores case and accents",
}
"""What the collations OTOBO databases have count as equal, by name (lower case)."""


def taken_by_collation(subject: str, value: str, stored: str, collation: str) -> str:
    """The message for ``value`` refused because the column's ``collation`` counts it as equal
    to the ``stored`` one (``subject``: ``Login``, ``Group name``, ``Customer ID``, …)."""
    ignores = IGNORES.get(collation.lower(), "it compares more loosely than case alone")
    if stored == value:  # a concurrent write stored the very same value
        return f"{subject} {value!r} is taken."
    return (
        f"{subject} {value!r} is taken: this database's collation ({collation}) does not tell "
        f"{value!r} from the stored {stored!r} apart ({ignores})."
    )
