"""Services and who may use them: OTOBO's rules (``Kernel/System/Service.pm``,
``CustomerUserService.pm``) as pure functions.

* **The hierarchy lives in the name.** ``service.name`` holds the full path (``IT::Network::VPN``);
  there is no parent column, so the parent is the service named by everything before the last
  ``::``. A segment may not contain ``::``; moving or renaming a service renames every
  descendant; a service cannot move under itself or a descendant.
* **Names are cleaned as OTOBO cleans them** (``StringClean`` with TrimLeft, TrimRight,
  RemoveAllNewlines, RemoveAllTabs): every CR, LF, form feed and tab is removed, then
  surrounding whitespace is trimmed. Anything else is kept verbatim (``[test]%*\\``).
* **A child of an invalid service counts as invalid** wherever validity decides what is offered
  (OTOBO's ``Ticket::Service::KeepChildren`` off), unless ``keep_children`` is on. Validity is
  never written to the children; it is judged when read.
* **Default services are a fallback, not an addition**: a customer user may use its own
  services that count as valid, or, only when it has none, the default services (stored under
  the pseudo-login ``<DEFAULT>``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from domain.changes import UNSET, Unset, is_given
from domain.customer_user_rules import RESERVED_LOGINS
from domain.errors import ErrorCode, Problem
from domain.records import Audit
from domain.text import NO_THREE_BYTE_COLUMNS, check_text, is_blank
from domain.validity import Validity

SEPARATOR = "::"
DEFAULT_LOGIN = "<DEFAULT>"
"""OTOBO's pseudo customer user whose services are the default services."""

MAX_NAME_LENGTH = 191
"""The full path, as ``service.name`` stores it: OTOBO's column is ``VARCHAR(191)``
(AdminService checks 200, so a longer name fails in OTOBO's database; Roster refuses it)."""
MAX_COMMENT_LENGTH = 250
MAX_SET_SIZE = 10_000
"""Most distinct entries one assignment mutation may name: enough for any admin screen, and
bounded so one request cannot ask for an unbounded statement."""

# StringClean's RemoveAllNewlines and RemoveAllTabs (``Kernel/System/CheckItem.pm``).
_REMOVED = re.compile(r"[\n\r\f\t]")
# Perl's \s, which TrimLeft/TrimRight strip: the ASCII blanks and Unicode's spaces, but not the
# other C0 controls (those stay and are refused as invalid characters).
_SPACE = "\t\n\x0b\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TRIM = re.compile(rf"^[{_SPACE}]+|[{_SPACE}]+$")


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One row of OTOBO's ``service`` table."""

    id: int
    name: str
    """The full path, e.g. ``IT::Network::VPN``."""
    validity: Validity
    comment: str | None
    audit: Audit
    ancestor_invalid: bool = False
    """Some ancestor (a service whose name prefixes this one's) is not valid."""

    @property
    def name_short(self) -> str:
        return short_name(self.name)

    @property
    def parent_name(self) -> str | None:
        return parent_name(self.name)


def clean(value: str) -> str:
    """OTOBO's cleaning of service names and comments: no line breaks or tabs, trimmed."""
    return _TRIM.sub("", _REMOVED.sub("", value))


def parent_name(name: str) -> str | None:
    """The full name of the parent: everything before the last ``::`` (None at top level)."""
    head, separator, _ = name.rpartition(SEPARATOR)
    return head if separator else None


def short_name(name: str) -> str:
    """OTOBO's ``NameShort``: the last segment."""
    return name.rpartition(SEPARATOR)[2]


def full_name(parent: str | None, short: str) -> str:
    return short if parent is None else f"{parent}{SEPARATOR}{short}"


def is_within(name: str, root: str) -> bool:
    """``name`` is ``root`` or one of its descendants (OTOBO's "starts with old name ::")."""
    return name == root or name.startswith(root + SEPARATOR)


def rebase(name: str, old_root: str, new_root: str) -> str:
    """The name of ``name`` (``old_root`` or below it) once ``old_root`` is called ``new_root``."""
    if not is_within(name, old_root):
        raise ValueError(f"{name!r} is not within {old_root!r}")
    return new_root + name[len(old_root) :]


def counts_as_valid(service: ServiceRecord, *, keep_children: bool) -> bool:
    """Whether a service is offered: its own validity is VALID and, unless ``keep_children``,
    no ancestor is invalid (OTOBO's ``ServiceList(Valid => 1, KeepChildren => …)``)."""
    if service.validity is not Validity.VALID:
        return False
    return keep_children or not service.ancestor_invalid


@dataclass(frozen=True, slots=True)
class Availability:
    services: list[ServiceRecord]
    uses_defaults: bool


def available_services(
    own: Iterable[ServiceRecord], defaults: Iterable[ServiceRecord], *, keep_children: bool
) -> Availability:
    """OTOBO's own-or-default rule (``CustomerUserServiceMemberList`` with DefaultServices):
    the user's own services that count as valid; only if there are none, the default services
    that count as valid. A user whose only services are invalid gets the defaults."""
    usable = [s for s in own if counts_as_valid(s, keep_children=keep_children)]
    if usable:
        return Availability(by_name(usable), uses_defaults=False)
    fallback = [s for s in defaults if counts_as_valid(s, keep_children=keep_children)]
    return Availability(by_name(fallback), uses_defaults=True)


def by_name(services: Iterable[ServiceRecord]) -> list[ServiceRecord]:
    """Services in full-name order by code point (the order of every service listing)."""
    return sorted(services, key=lambda s: s.name)


def is_reserved_login(login: str) -> bool:
    """``<DEFAULT>`` (in any case: logins match case-insensitively) names the defaults."""
    return login.strip().lower() in RESERVED_LOGINS


K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Replacement(Generic[K]):
    """What replacing a stored set with a wanted one changes, in the order given/stored."""

    added: list[K]
    removed: list[K]


def replacement(current: Sequence[K], wanted: Sequence[K]) -> Replacement[K]:
    """``wanted`` (deduplicated, order kept) minus ``current``, and ``current`` minus
    ``wanted``: the rows to insert and to delete so the stored set becomes ``wanted``."""
    have = set(current)
    want = dict.fromkeys(wanted)
    return Replacement(
        added=[k for k in want if k not in have],
        removed=[k for k in dict.fromkeys(current) if k not in want],
    )


def can_be_assigned(service: ServiceRecord) -> bool:
    """Only a service that is itself VALID can be newly assigned (as OTOBO's screen offers
    only valid services; a child of an invalid one is offered there, so it may be assigned)."""
    return service.validity is Validity.VALID


# ---- changes and their validation -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceChanges:
    """A service's values as a create or an update gives them. A field left ``UNSET`` was not
    given: an update keeps it, a create takes the default (top level, no comment, VALID)."""

    name: str | Unset | None = UNSET
    """The short name, without ``::`` (the parent comes from ``parent_id``)."""
    parent_id: int | Unset | None = UNSET
    """The service to put this one below; ``None``: the top level."""
    comment: str | Unset | None = UNSET
    validity: Validity | Unset | None = UNSET

    def cleaned(self) -> ServiceChanges:
        """Name and comment cleaned as OTOBO cleans them; a blank comment is no comment."""
        name, comment = self.name, self.comment
        return replace(
            self,
            name=clean(name) if isinstance(name, str) else name,
            comment=(clean(comment) or None) if isinstance(comment, str) else comment,
        )


def validate_service(
    change: ServiceChanges,
    *,
    creating: bool,
    three_byte: Mapping[str, str] = NO_THREE_BYTE_COLUMNS,
) -> list[Problem]:
    """Problems with a create (all fields) or patch (the given fields); ``change`` is cleaned.
    ``three_byte``: the fields (``name``, ``comment``) whose column stores only 3-byte UTF-8,
    with the fix (``DbServiceStore.three_byte``).

    The full-path length, the parent and uniqueness need the stored services and are checked
    by the use case (``resolvers.use_cases.services``).
    """
    problems: list[Problem] = []
    if creating or is_given(change.name):
        problems.extend(_name_problems(change.name, three_byte.get("name")))
    if isinstance(change.comment, str):
        problems.extend(
            check_text(
                change.comment,
                field=("comment",),
                max_length=MAX_COMMENT_LENGTH,
                three_byte_fix=three_byte.get("comment"),
            )
        )
    if change.validity is None:
        problems.append(Problem(("validity",), ErrorCode.REQUIRED, "validity is required."))
    return problems


def _name_problems(name: object, three_byte_fix: str | None) -> list[Problem]:
    path = ("name",)
    if not isinstance(name, str) or is_blank(name):
        return [Problem(path, ErrorCode.REQUIRED, "name is required.")]
    if SEPARATOR in name:
        return [
            Problem(
                path,
                ErrorCode.INVALID_NAME,
                f"A service name may not contain {SEPARATOR!r}; choose a parent with parentId.",
            )
        ]
    return check_text(name, field=path, max_length=MAX_NAME_LENGTH, three_byte_fix=three_byte_fix)


def full_name_problem(name: str, *, field: tuple[str, ...], subject: str) -> Problem | None:
    """TOO_LONG when a full path exceeds :data:`MAX_NAME_LENGTH` (``subject`` names whose)."""
    if len(name) <= MAX_NAME_LENGTH:
        return None
    return Problem(
        field,
        ErrorCode.TOO_LONG,
        f"The full name of {subject} would be {len(name)} characters long; "
        f"at most {MAX_NAME_LENGTH} fit.",
    )


def unknown_service(
    service_id: int, field: tuple[str, ...], code: ErrorCode = ErrorCode.NOT_FOUND
) -> Problem:
    return Problem(field, code, f"No service with id {service_id}.")


def inactive_problem(services: Sequence[ServiceRecord], field: tuple[str, ...]) -> Problem:
    """INACTIVE_SERVICE for services being assigned that :func:`can_be_assigned` refuses."""
    names = listed([f"{s.id} ({s.name})" for s in services])
    return Problem(
        field,
        ErrorCode.INACTIVE_SERVICE,
        f"Not valid, so it cannot be assigned: {names}. Make it valid first.",
    )


def too_many(count: int, *, field: tuple[str, ...]) -> Problem | None:
    if count <= MAX_SET_SIZE:
        return None
    return Problem(
        field,
        ErrorCode.TOO_LONG,
        f"Names {count} distinct entries; at most {MAX_SET_SIZE} are accepted at once.",
    )


def listed(values: Sequence[object], *, limit: int = 10) -> str:
    """A short, readable list for an error message: the first ``limit`` values and a count."""
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values[:limit])
    rest = len(values) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
