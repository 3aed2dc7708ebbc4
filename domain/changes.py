"""``UNSET``: a patch field the client did not give (``None`` is a value: "clear it").

Typed change objects (``CustomerChanges``, ``GroupChanges`` …) default every field to
``UNSET``, so an update writes only what was given and a create can tell "missing" from
"empty".
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Final, TypeGuard, TypeVar

T = TypeVar("T")


class Unset(enum.Enum):
    UNSET = "UNSET"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def is_given(value: T | Unset) -> TypeGuard[T]:
    return value is not UNSET


def given_fields(change: Any) -> dict[str, Any]:
    """The fields of a dataclass change object that were given, by field name."""
    return {
        f.name: getattr(change, f.name)
        for f in dataclasses.fields(change)
        if getattr(change, f.name) is not UNSET
    }


def differs(old: Any, new: Any) -> bool:
    """Whether a stored value and a given one differ (an empty text is no value: OTOBO
    stores ``''`` where a value was cleared). What decides an update's no-op: a single write
    (``resolvers.use_cases``) and an import row (``bulk_import``) alike write, record and
    publish only the fields for which this holds."""
    return (None if old == "" else old) != (None if new == "" else new)
