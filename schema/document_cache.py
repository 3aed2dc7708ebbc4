"""Parse and validate each distinct query text once, under Roster's limits.

Clients send the same few query texts again and again (with different variables), and parsing
plus validating a document costs more than a one-user lookup's SQL. Strawberry's
``ParserCache`` and ``ValidationCache`` key their caches differently: the validation cache
hashes the whole parsed document on every request (a walk of every AST node). Here one LRU,
keyed by the query text, holds the parsed document and its validation errors together.

Only texts up to ``max_text_length`` characters are cached, so a client sending huge unique
queries cannot make the cache hold much memory; those are parsed and validated each time.

The limits that apply to parsing (at most ``max_tokens`` tokens) and validation (extra rules:
query depth, aliases, no introspection when it is off) are applied here too, rather than by one
Strawberry extension each: every extension costs every request a set of hook calls, which was
measurable in a one-user lookup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import ASTValidationRule, DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension


@dataclass
class _Entry:
    document: DocumentNode
    errors: tuple[GraphQLError, ...] = ()
    validated: bool = False


@dataclass
class DocumentLru:
    """Query text → parsed document and validation errors, least recently used dropped."""

    max_entries: int = 512
    max_text_length: int = 20_000
    _entries: OrderedDict[str, _Entry] = field(default_factory=OrderedDict)

    def get(self, text: str) -> _Entry | None:
        entry = self._entries.get(text)
        if entry is not None:
            self._entries.move_to_end(text)
        return entry

    def put(self, text: str, document: DocumentNode) -> _Entry | None:
        if len(text) > self.max_text_length:
            return None
        entry = self._entries[text] = _Entry(document)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return entry


@dataclass(frozen=True)
class DocumentRules:
    """What a document must satisfy beyond the GraphQL specification."""

    max_tokens: int
    validation_rules: tuple[type[ASTValidationRule], ...]


class DocumentCache(SchemaExtension):
    """Made per request around one shared :class:`DocumentLru` (one per schema: validation
    depends on the schema and its rules)."""

    def __init__(self, cache: DocumentLru, rules: DocumentRules) -> None:
        self._cache = cache
        self._rules = rules
        self._entry: _Entry | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            self._entry = self._cache.get(context.query)
            if self._entry is not None:
                context.graphql_document = self._entry.document
        context.parse_options["max_tokens"] = self._rules.max_tokens
        yield
        # A miss: Strawberry parsed the text (a syntax error leaves no document to keep).
        if self._entry is None and context.query and context.graphql_document is not None:
            self._entry = self._cache.put(context.query, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self._entry
        if entry is not None and entry.validated:
            context.pre_execution_errors = list(entry.errors)
        else:
            context.validation_rules = (*context.validation_rules, *self._rules.validation_rules)
        yield
        if entry is not None and not entry.validated:
            entry.errors = tuple(context.pre_execution_errors or ())
            entry.validated = True
