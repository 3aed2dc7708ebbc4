"""Run a query whose text was already found valid straight on graphql-core's executor.

Why: for a one-user lookup, Strawberry's ``Schema.execute`` around the execution itself (an
execution context object, an extension runner that enters a context manager per hook and per
extension, operation-type checks, a middleware manager) cost about 15 % of the request's CPU,
more than graphql-core's execution of the query. Clients send the same few query texts again
and again, so that work is done once, on the first request of a text (through Strawberry,
which fills ``schema.document_cache``'s caches), and repeated requests go straight to the
executor here.

What this does as ``Schema.execute`` with Roster's extensions does (``schema.builder``):
- only documents that an earlier request parsed and validated under the same limits
  (``document_cache``); anything else — a new text, an invalid one, an unknown or missing
  operation name, a subscription — returns None and goes through Strawberry, which answers
  it (and its errors) as always;
- the same executor call (execution context class, awaitable check, operation extensions);
- the query's cost checked against the maximum (``schema.query_cost``): a refusal before
  execution, or the cost in the result's ``extensions``; statement timeouts answered as
  ``TIMEOUT`` (``schema.time_limit``), as ``StatementTimeouts`` answers them;
- errors logged and masked by ``schema.masking.report_errors``, as the schema's
  ``process_errors`` and ``MaskUnexpectedErrors`` log and mask them, and a
  ``BACKEND_UNAVAILABLE`` error per backend that did not answer, as ``BackendOutages`` adds.

That list is :data:`MIRRORED_EXTENSIONS`, and a schema whose extensions are not exactly those
is refused when it is built (:class:`UnmirroredExtensions`): an extension added to the schema
(or removed from it) would otherwise apply to the first request of a text and silently not to
the repeated ones. ``server.direct_execution = false`` turns this path off (a diagnostic
switch: every request then goes through Strawberry). ``tests/api/test_direct_execution.py``
runs a representative set of requests on both paths on purpose and compares the answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType, execute
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.utils.await_maybe import await_maybe

from datasources.backend import collect_unavailable
from schema.document_cache import DocumentCache, DocumentRules, Verdicts, known_valid_document
from schema.masking import MaskUnexpectedErrors
from schema.outages import BackendOutages, outage_errors
from schema.planner import Planner
from schema.time_limit import StatementTimeouts, typed_timeouts

RUNNABLE = frozenset({OperationType.QUERY, OperationType.MUTATION})

ErrorReport = Callable[
    [list[GraphQLError], DocumentNode, dict[str, Any] | None], list[GraphQLError]
]
"""Logs a result's errors and returns them as the client sees them (``schema.masking``)."""

MIRRORED_EXTENSIONS: tuple[type[SchemaExtension], ...] = (
    DocumentCache,
    MaskUnexpectedErrors,
    StatementTimeouts,
    BackendOutages,
)
"""The schema extensions whose work :meth:`DirectExecution.execute` does itself, in the
schema's order (``schema.builder``). Change it only together with ``execute``."""


class UnmirroredExtensions(RuntimeError):
    """The schema's extensions are not the ones the direct path does the work of."""


class DirectExecution:
    """Executes known-valid queries of one schema; see the module's docstring."""

    def __init__(
        self,
        schema: strawberry.Schema,
        verdicts: Verdicts,
        rules: DocumentRules,
        report: ErrorReport,
        planner: Planner | None = None,
    ) -> None:
        _refuse_unmirrored(schema)
        self._schema = schema
        self._planner = planner
        self._verdicts = verdicts
        self._rules = rules
        self._report = report
        self.answered = 0
        """Requests answered here rather than through Strawberry (tests read it)."""

    async def execute(
        self,
        query: str,
        *,
        variable_values: dict[str, Any] | None,
        context_value: Any,
        operation_name: str | None,
        operation_extensions: dict[str, Any] | None,
        allowed: frozenset[OperationType] = RUNNABLE,
    ) -> ExecutionResult | None:
        """The result of ``query``, or None when Strawberry's path must answer it (also when
        its operation is not of a kind in ``allowed``: a mutation sent by GET)."""
        document = known_valid_document(query, self._verdicts, self._rules)
        if document is None or not _runnable(document.definitions, operation_name, allowed):
            return None
        self.answered += 1
        extensions: dict[str, Any] | None = None
        if self._rules.cost is not None:  # refused before execution, as DocumentCache does
            cost = self._rules.cost.verdict(
                self._schema._schema, query, document, operation_name, variable_values
            )
            refusal = cost.error
            if refusal is not None:
                self._schema.process_errors([refusal])
                return ExecutionResult(data=None, errors=[refusal])
            extensions = cost.extensions
        if self._planner is not None:  # one statement for the whole answer (schema.planner)
            data = await self._planner.answer(
                document, operation_name, variable_values, context_value
            )
            if data is not None:
                return ExecutionResult(data=data, errors=None, extensions=extensions)
        with collect_unavailable() as outages:
            try:
                result: GraphQLExecutionResult = await await_maybe(
                    execute(
                        self._schema._schema,
                        document,
                        variable_values=variable_values,
                        operation_name=operation_name,
                        context_value=context_value,
                        is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                        executor_class=self._schema.execution_context_class,
                        operation_extensions=operation_extensions,
                    )
                )
            except Exception as exc:  # as Schema.execute does: an error result, not a crash
                result = GraphQLExecutionResult(None, [GraphQLError(str(exc), original_error=exc)])
        errors = result.errors
        if errors:
            errors = self._report(typed_timeouts(errors), document, variable_values)
        if outages:
            errors = [*(errors or []), *outage_errors(outages)]
        return ExecutionResult(data=result.data, errors=errors or None, extensions=extensions)


def extension_classes(schema: strawberry.Schema) -> tuple[type[Any], ...]:
    """The class of each of ``schema``'s extensions, in order: an extension is given as an
    instance, a class, or a factory made per request (``schema.builder``'s DocumentCache)."""
    classes: list[type[Any]] = []
    for extension in schema.extensions:
        if isinstance(extension, SchemaExtension):
            classes.append(type(extension))
        elif isinstance(extension, type):
            classes.append(extension)
        else:
            classes.append(type(extension()))
    return tuple(classes)


def _refuse_unmirrored(schema: strawberry.Schema) -> None:
    """Refuse (when the schema is built, so at start-up) a schema whose extensions differ from
    :data:`MIRRORED_EXTENSIONS`: repeated queries would skip an added one, or still get the
    work of a removed one."""
    found = extension_classes(schema)
    if found == MIRRORED_EXTENSIONS:
        return
    names = ", ".join(kind.__name__ for kind in found) or "none"
    mirrored = ", ".join(kind.__name__ for kind in MIRRORED_EXTENSIONS)
    raise UnmirroredExtensions(
        f"the schema's extensions ({names}) are not the ones the direct execution path "
        f"mirrors ({mirrored}): make schema.direct_execution.DirectExecution.execute do what "
        "the changed extensions do and update MIRRORED_EXTENSIONS, or the repeated requests "
        "of a query text would be answered differently from its first"
    )


def _runnable(
    definitions: Any, operation_name: str | None, allowed: frozenset[OperationType]
) -> bool:
    """Whether the document names exactly one query or mutation to run (graphql-core's rule
    for picking the operation), so the executor will not refuse it."""
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        chosen = operations if len(operations) == 1 else []
    else:
        chosen = [o for o in operations if o.name is not None and o.name.value == operation_name]
    return len(chosen) == 1 and chosen[0].operation in allowed
