"""The one place where a domain problem's field becomes the path of a GraphQL input field.

Use cases and domain rules name what is wrong in domain terms (``("email",)``,
``("customer_id",)``, ``("grants", "0", "group_id")``; a customer user's Map fields by their
Map attribute, ``("UserEmail",)``; ``()`` for the input as a whole). A client sees the path
of what it typed: ``["input", "email"]``, ``["input", "grants", "0", "groupId"]``. Each
payload passes the names that do not follow the snake_case → camelCase rule (a Map's
attribute → field names, an update's ``login`` → ``newLogin``).
"""

from __future__ import annotations

from collections.abc import Mapping

INPUT = "input"


def camel_case(name: str) -> str:
    """``customer_id`` → ``customerId``; a name without underscores is kept as it is."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def input_path(field: tuple[str, ...], names: Mapping[str, str] | None = None) -> list[str] | None:
    """The GraphQL path of a problem's ``field``; ``None`` for the input as a whole."""
    if not field:
        return None
    known = names or {}
    return [INPUT, *(known.get(part) or camel_case(part) for part in field)]
