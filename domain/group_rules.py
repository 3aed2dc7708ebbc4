"""Group writes: the typed change of a create or update and its validation, and the settings
the effective-permission rules read from the configuration.

OTOBO's GroupAdd/GroupUpdate check little and let the database fail; here the name is
required, every text is checked for control characters and length first (so the caller gets
typed problems and nothing is written), and names are unique case-insensitively (checked
against storage by the use case).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from domain.changes import UNSET, Unset, is_given
from domain.config import CustomerGroupConfig
from domain.errors import ErrorCode, Problem
from domain.permissions import GroupSettings
from domain.text import NO_THREE_BYTE_COLUMNS, check_text, is_blank
from domain.validity import Validity

NAME = ("name",)
GROUP_ID = ("group_id",)


MAX_GROUP_NAME_LENGTH = 191
"""OTOBO's ``permission_groups.name`` is ``VARCHAR(191)`` (utf8mb4's index limit on MySQL)."""


@dataclass(frozen=True, slots=True)
class GroupChanges:
    """The values of a group create, or the patch of an update (``UNSET``: keep).

    ``None`` clears the comment; a ``None`` name or validity is refused. The group an update
    changes is named apart from the change.
    """

    name: str | Unset | None = UNSET
    comment: str | Unset | None = UNSET
    validity: Validity | Unset | None = UNSET

    def trimmed(self) -> GroupChanges:
        """The name without surrounding white space (OTOBO trims it, too)."""
        if isinstance(self.name, str):
            return dataclasses.replace(self, name=self.name.strip())
        return self


def validate_group(
    change: GroupChanges,
    *,
    creating: bool,
    three_byte: Mapping[str, str] = NO_THREE_BYTE_COLUMNS,
) -> list[Problem]:
    """The problems of ``change``: a create needs a name; a given name must not be blank.
    ``three_byte``: the fields (``name``, ``comment``) whose column stores only 3-byte UTF-8,
    with the fix (``DbGroupStore.three_byte``)."""
    problems: list[Problem] = []
    if creating or is_given(change.name):
        if not is_given(change.name) or is_blank(change.name):
            problems.append(Problem(NAME, ErrorCode.REQUIRED, "name is required."))
        else:
            problems += check_text(
                str(change.name),
                field=NAME,
                max_length=MAX_GROUP_NAME_LENGTH,
                three_byte_fix=three_byte.get("name"),
            )
    if isinstance(change.comment, str):
        problems += check_text(
            change.comment,
            field=("comment",),
            max_length=250,
            multiline=True,
            three_byte_fix=three_byte.get("comment"),
        )
    if change.validity is None:
        problems.append(Problem(("validity",), ErrorCode.REQUIRED, "validity is required."))
    return problems


def name_taken(name: str, stored: str | None = None) -> Problem:
    """``name`` is another group's (``stored``: that group's spelling, when known): group
    names are unique case-insensitively, so a case twin is named, not left to be guessed."""
    if stored is None or stored == name:
        return Problem(NAME, ErrorCode.NAME_TAKEN, f"A group named {name!r} exists.")
    message = (
        f"Group name {name!r} is taken: the group {stored!r} has it but for case (group names "
        "are unique case-insensitively)."
    )
    return Problem(NAME, ErrorCode.NAME_TAKEN, message)


def unknown_group(field: tuple[str, ...], group_id: int) -> Problem:
    return Problem(field, ErrorCode.UNKNOWN_GROUP, f"No group with ID {group_id}.")


def group_settings(config: CustomerGroupConfig) -> GroupSettings:
    """The configuration as :func:`domain.permissions.effective_permissions` reads it."""
    return GroupSettings(
        support=config.support,
        always_groups=tuple(config.always_groups),
        company_always_groups=tuple(config.company_always_groups),
        permission_types=tuple(config.permission_types),
    )
