"""Who may call what: every mutation needs an admin key."""

from typing import Any

from strawberry.permission import BasePermission

from schema.audit import Info


class IsAdmin(BasePermission):
    message = "This API key has the read scope; mutations need an admin key."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(info.context.actor.can_write)


ADMIN: list[type[BasePermission]] = [IsAdmin]
"""``permission_classes`` for every mutation."""
