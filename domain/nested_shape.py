"""A nested read described in domain names: what ``schema.planner`` asks a database to build
in one statement (``datasources.db.nested_reads``).

A :class:`Shape` is an object's members in answer order; each member names the answer's key
and a field of the entity in domain terms (``login``, ``validity``, ``group_grants`` …, or
``attribute:<Map attribute>`` for a customer user's Map value), and for a relation the shape
of the objects below. ``non_null`` says the answer may not hold null there (GraphQL's ``!``):
a member the database could answer with null there is not planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ATTRIBUTE = "attribute:"
"""The prefix of a customer user's Map value member: ``attribute:UserFirstname``."""


@dataclass(frozen=True, slots=True)
class Member:
    key: str
    """The key in the answer (a GraphQL response key: letters, digits, underscores)."""
    name: str
    """The entity's field, in domain terms."""
    non_null: bool = False
    shape: Shape | None = None
    """The objects below, for a relation."""


@dataclass(frozen=True, slots=True)
class Shape:
    members: tuple[Member, ...]
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(self.members))

    def __hash__(self) -> int:
        """Computed once: statements are cached by shape, and hashing the nested members
        again on every request cost ~0.1 ms of a one-user read (peer Q3)."""
        return self._hash


RootKind = Literal["customer_user", "customer_user_page", "default_services"]


@dataclass(frozen=True, slots=True)
class Root:
    """One root field: one user by login, a page of users by login (``valid`` fixed per
    shape: it changes the statement), or the default services."""

    key: str
    kind: RootKind
    shape: Shape
    nodes_key: str = ""
    """A page's key of its list (``nodes``) inside the connection object."""
    valid_only: bool = False


class Unplannable(Exception):
    """The database cannot build this shape exactly as the general path answers it."""
