"""Top-level GraphQL errors, each with a stable ``extensions.code``.

Expected problems of a mutation are ``userErrors``, never these. These are for requests that
cannot be served at all: no or a wrong key, a scope too small, an argument out of range.
Anything else that goes wrong is masked as ``INTERNAL_SERVER_ERROR`` and logged.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class ApiError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


class CursorExpired(ApiError):
    """A changes-feed cursor from before the events ``roster audit prune`` deleted: the
    client missed changes it can no longer read, and must read the objects anew."""

    code = "CURSOR_EXPIRED"
