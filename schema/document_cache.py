"""Parse and validate each distinct query text once, under Roster's limits.

Clients send the same few query texts again and again (with different variables), and parsing
plus validating a document costs more than a one-user lookup's SQL. Strawberry's
``ParserCache`` and ``ValidationCache`` key their caches differently: the validation cache
hashes the whole parsed document on every request (a walk of every AST node). Here both are
keyed by the query text: parsed documents in one cache for the process (parsing does not
depend on the schema, only on the token limit), validation verdicts in one per schema (they
depend on the schema and its rules).

Only texts up to ``MAX_TEXT_LENGTH`` characters are cached, so a client sending huge unique
queries cannot make the caches hold much memory; those are parsed and validated each time.

The limits that apply to parsing (at most ``max_tokens`` tokens) and validation (extra rules:
query depth, aliases, no introspection when it is off) are applied here too, rather than by one
Strawberry extension each: every extension costs every request a set of hook calls, which was
measurable in a one-user lookup. So is the query's cost (``schema.query_cost``), which depends
on the variables and is therefore checked per request, after validation: validation is run
here (as Strawberry would run it) so that a too costly query is refused before execution.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from graphql import ASTValidationRule, DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

if TYPE_CHECKING:
    from schema.query_cost import QueryCost

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_TEXT_LENGTH = 20_000
MAX_ENTRIES = 512


class Lru(Generic[K, V]):
    """At most ``max_entries`` values, the least recently used dropped first."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


Verdicts = Lru[str, tuple[GraphQLError, ...]]
"""Query text → its validation errors (empty: valid), for one schema."""

_parsed: Lru[tuple[str, int], DocumentNode] = Lru()
"""(query text, token limit) → parsed document, for the whole process."""


@dataclass(frozen=True)
class DocumentRules:
    """What a document must satisfy beyond the GraphQL specification."""

    max_tokens: int
    validation_rules: tuple[type[ASTValidationRule], ...]
    cost: QueryCost | None = None
    """Counts each request's cost against the maximum; None: no maximum."""


def known_valid_document(
    text: str, verdicts: Verdicts, rules: DocumentRules
) -> DocumentNode | None:
    """The parsed document of ``text`` when an earlier request found it valid under ``rules``
    (None when it has not been seen, was invalid, or has been evicted since)."""
    if len(text) > MAX_TEXT_LENGTH or verdicts.get(text) != ():
        return None
    return _parsed.get((text, rules.max_tokens))


class DocumentCache(SchemaExtension):
    """Made per request around its schema's :data:`Verdicts`."""

    def __init__(self, verdicts: Verdicts, rules: DocumentRules) -> None:
        self._verdicts = verdicts
        self._rules = rules
        self._cacheable = False

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query
        self._cacheable = text is not None and len(text) <= MAX_TEXT_LENGTH
        key = (text or "", self._rules.max_tokens)
        if self._cacheable and context.graphql_document is None:
            context.graphql_document = _parsed.get(key)
        context.parse_options["max_tokens"] = self._rules.max_tokens
        yield
        # A syntax error leaves no document to keep.
        if self._cacheable and context.graphql_document is not None:
            _parsed.put(key, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query or ""
        document = context.graphql_document
        assert document is not None  # validation follows a successful parse
        verdict = self._verdicts.get(text) if self._cacheable else None
        if verdict is None:
            rules = (*context.validation_rules, *self._rules.validation_rules)
            verdict = tuple(validate_document(context.schema._schema, document, rules))
            if self._cacheable:
                self._verdicts.put(text, verdict)
        errors = list(verdict)
        if not errors and self._rules.cost is not None:
            cost = self._rules.cost.verdict(
                context.schema._schema, text, document, context.operation_name, context.variables
            )
            refusal = cost.error
            if refusal is not None:
                errors = [refusal]
            else:
                context.extensions_results.update(cost.extensions)
        # Set (even when empty): Strawberry then skips its own validation.
        context.pre_execution_errors = errors
        yield
