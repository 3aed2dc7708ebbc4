"""What clients and the log see of an error.

- An exception that was not raised as a GraphQL error on purpose (a bug, a driver failure)
  could carry internals (SQL, hostnames) in its message: the client gets "Unexpected error."
  with the code ``INTERNAL_SERVER_ERROR``, so it can tell it from its own mistakes, and the log
  gets the traceback, at ERROR.
- A client's mistake is a line at INFO (code, path, the message as the client got it), never
  a traceback at ERROR: any key holder could otherwise fill the log and make ERROR alerting
  useless. Strawberry's ``Schema.process_errors`` logs every error with a traceback, so
  :class:`RosterSchema` replaces it.
- graphql-core's request errors (syntax, validation, variables) get a code
  (``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED``, ``BAD_USER_INPUT``) and lose the
  input values their messages would echo (``schema.error_text``); no message, in the response
  or the log, shows a secret the request sent.
- Errors raised on purpose (Roster's own, permissions, limits) keep their message and code.

Both execution paths use this module: Strawberry's (``process_errors`` then
:class:`MaskUnexpectedErrors`) and ``schema.direct_execution`` (:func:`report_errors`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from schema.error_text import NO_SECRETS, Secrets, request_secrets, without_values
from schema.time_limit import typed_timeouts

logger = logging.getLogger("roster.graphql")

UNEXPECTED = "Unexpected error."
INTERNAL = "INTERNAL_SERVER_ERROR"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"

OPERATION_NAME_REQUIRED = (
    "The document has several operations: name the one to run in operationName."
)
_GRAPHQL_CORE_OPERATION_NAME_REQUIRED = "Must provide operation name"


def _unexpected(error: GraphQLError) -> bool:
    """Whether ``error`` wraps an exception nobody raised as a GraphQL error on purpose.

    Not when it points into the document without a field path: graphql-core reports a literal
    its scalar could not read (an ``Int`` of 5,000 digits makes ``int()`` raise ValueError) as
    a validation error that wraps that exception; the document is at fault, not the server."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not (error.path is None and error.locations)


def _code(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def _request_error_code(error: GraphQLError) -> str:
    """The code of one of graphql-core's errors about the request itself (no path)."""
    if isinstance(error, GraphQLSyntaxError):
        return PARSE_FAILED
    if error.message.startswith("Variable '$"):
        return BAD_USER_INPUT  # the variables are the client's data, as argument values are
    return VALIDATION_FAILED


def _client_text(error: GraphQLError, secrets: Secrets) -> tuple[str, str | None]:
    """(message, code) as the client sees them, for an error that is not unexpected."""
    code = _code(error)
    message = error.message
    if code is None:  # graphql-core's own message, which may echo the input
        if message.startswith(_GRAPHQL_CORE_OPERATION_NAME_REQUIRED):
            message = OPERATION_NAME_REQUIRED
        else:
            message = without_values(message)
        if error.path is None:
            code = _request_error_code(error)
        elif message.startswith("Argument '"):  # a variable's null for a non-null argument
            code = BAD_USER_INPUT
    return secrets.scrub(message), code


def mask_error(error: GraphQLError, secrets: Secrets = NO_SECRETS) -> GraphQLError:
    """``error`` as the client sees it."""
    extensions: dict[str, Any] | None
    if _unexpected(error):
        message, extensions = UNEXPECTED, {"code": INTERNAL}
    else:
        message, code = _client_text(error, secrets)
        if message == error.message and code == _code(error):
            return error
        extensions = {**(error.extensions or {}), "code": code} if code else error.extensions
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def log_errors(errors: Iterable[GraphQLError], secrets: Secrets = NO_SECRETS) -> None:
    """One line per client mistake at INFO; a server fault at ERROR, with its traceback."""
    for error in errors:
        where = f" at {'.'.join(str(p) for p in error.path)}" if error.path else ""
        if _unexpected(error):
            logger.error("unexpected error%s", where, exc_info=error.original_error)
            continue
        message, code = _client_text(error, secrets)
        if code is None or code == INTERNAL:  # a field failed without saying why: ours
            # No exc_info: a GraphQLError prints the query text, literals included.
            logger.error("%s%s: %s", code or "error", where, message)
        else:
            logger.info("%s%s: %s", code, where, message)


def report_errors(
    errors: Iterable[GraphQLError],
    document: DocumentNode | None,
    variables: Mapping[str, Any] | None,
) -> list[GraphQLError]:
    """Log ``errors`` and return them as the client sees them (the direct execution path)."""
    secrets = request_secrets(document, variables)
    errors = list(errors)
    log_errors(errors, secrets)
    return [mask_error(error, secrets) for error in errors]


def _secrets(context: ExecutionContext | None) -> Secrets:
    if context is None:
        return NO_SECRETS
    return request_secrets(context.graphql_document, context.variables)


class MaskUnexpectedErrors(SchemaExtension):
    """:func:`mask_error` on every error of a result.

    Not Strawberry's ``MaskErrors``: it asks ``isinstance(result, <a runtime-checkable
    Protocol>)`` on every request, which cost 3 % of a one-user lookup's CPU. Incremental
    delivery, which ``MaskErrors`` also covers, is not enabled here."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            secrets = _secrets(self.execution_context)
            result.errors = [mask_error(error, secrets) for error in result.errors]


class _NamedOperationContext(ExecutionContext):
    """Strawberry runs the *first* operation of a document when no ``operationName`` is
    given; the GraphQL specification (and graphql-core) refuse that when there are several,
    and so does Roster: a client that forgot the name must not get another operation's
    result (or have another mutation run)."""

    @property
    def operation_name(self) -> str | None:
        provided: str | None = self._provided_operation_name
        if provided is not None:
            return provided
        document = self.graphql_document
        if document is None:
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != 1 or operations[0].name is None:
            return None  # several: graphql-core's executor refuses the request
        return operations[0].name.value


class RosterSchema(strawberry.Schema):
    """Strawberry's schema with Roster's error log and operation choice (see the module)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # A statement timeout is logged as the TIMEOUT it becomes (StatementTimeouts turns it
        # into one after this runs), as on the direct path: not as a server fault.
        log_errors(typed_timeouts(errors), _secrets(execution_context))

    def _create_execution_context(self, *args: Any, **kwargs: Any) -> ExecutionContext:
        # A private hook of Strawberry's; tests/api/test_operation_names.py is its canary.
        context = super()._create_execution_context(*args, **kwargs)
        context.__class__ = _NamedOperationContext
        return context
