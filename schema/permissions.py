"""Who may call what: every mutation needs an admin key, but sign-in (``customerUserAuthenticate``)
also takes a key of scope ``authenticate``, which may call nothing else (``app.scope_gate``)."""

from typing import Any

from strawberry.permission import BasePermission

from datasources.db.api_keys import Scope
from schema.audit import Info


class IsAdmin(BasePermission):
    message = "This API key has the read scope; mutations need an admin key."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(info.context.actor.can_write)


ADMIN: list[type[BasePermission]] = [IsAdmin]
"""``permission_classes`` for every mutation."""


class CanAuthenticate(BasePermission):
    message = "Signing customer users in needs an API key of scope authenticate or admin."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor.scope in (Scope.AUTHENTICATE, Scope.ADMIN)


AUTHENTICATE: list[type[BasePermission]] = [CanAuthenticate]
"""``permission_classes`` of ``customerUserAuthenticate``."""
