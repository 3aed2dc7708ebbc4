"""The depth and alias limits as validation rules that take time linear in the document.

Why not Strawberry's ``QueryDepthLimiter``/``MaxAliasesLimiter`` validators: both walk a
fragment again at every spread of it, so a document of fragments that each spread the next one
twice (``fragment F0 on CustomerUser { login ...F1 ...F1 }`` …) costs 2^k walks: 1 KB (k = 20)
took 6 s, 1.6 KB (k = 30) held a worker for minutes. Here each fragment is measured once and
its measure reused at every spread (fragments do not depend on where they are spread), so a
document is walked once whatever it spreads.

The measures and messages are Strawberry's (clients and tests read them):
- depth: a field with a selection counts one level; introspection fields (``__schema``…) and
  their selections do not count; ``'<operation>' exceeds maximum operation depth of N``;
- aliases: every aliased field of every operation, a fragment's counted at each spread;
  ``<n> aliases found. Allowed: N``.
A fragment cycle (which graphql-core's ``NoFragmentCyclesRule`` reports) counts as nothing
past the cycle, and an unknown fragment (``KnownFragmentNamesRule``) as nothing.

The rules measure when the document has been visited (``leave_document``), not when they are
made: graphql-core aborts the visit first ("Validation aborted.") when selections nest more
than 200 deep through fragments, which bounds the recursion here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


class _FragmentMeasure:
    """One number per selection set, fragments measured once each (see the module)."""

    def __init__(
        self,
        document: DocumentNode,
        measure: Callable[[_FragmentMeasure, SelectionSetNode], int],
    ) -> None:
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._measure = measure
        self._known: dict[str, int] = {}
        self._open: set[str] = set()

    def of(self, selection_set: SelectionSetNode) -> int:
        return self._measure(self, selection_set)

    def fragment(self, name: str) -> int:
        known = self._known.get(name)
        if known is not None:
            return known
        definition = self._fragments.get(name)
        if definition is None or name in self._open:  # unknown, or a cycle: reported elsewhere
            return 0
        self._open.add(name)
        value = self._measure(self, definition.selection_set)
        self._open.discard(name)
        self._known[name] = value
        return value


def _depth(measure: _FragmentMeasure, selection_set: SelectionSetNode) -> int:
    """Strawberry's depth: the most nested fields-with-a-selection on any path."""
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None or selection.name.value.startswith("__"):
                continue
            depth = 1 + measure.of(selection.selection_set)
        elif isinstance(selection, InlineFragmentNode):
            depth = measure.of(selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            depth = measure.fragment(selection.name.value)
        else:  # pragma: no cover - the three kinds of selection
            continue
        deepest = max(deepest, depth)
    return deepest


def _aliases(measure: _FragmentMeasure, selection_set: SelectionSetNode) -> int:
    """Aliased fields in the selection, a fragment's counted at each spread."""
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            count += selection.alias is not None
            if selection.selection_set is not None:
                count += measure.of(selection.selection_set)
        elif isinstance(selection, InlineFragmentNode):
            count += measure.of(selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            count += measure.fragment(selection.name.value)
    return count


def _guarded(measure: Callable[[SelectionSetNode], int], selection_set: SelectionSetNode) -> int:
    """``measure(selection_set)``, or "too much" should the recursion still run too deep."""
    try:
        return measure(selection_set)
    except RecursionError:
        return sys.maxsize


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def depth_limit_rule(max_depth: int) -> type[ASTValidationRule]:
    """A rule refusing operations deeper than ``max_depth`` (see the module)."""

    class DepthLimit(ASTValidationRule):
        def leave_document(self, *_args: Any) -> None:
            context = self.context
            measure = _FragmentMeasure(context.document, _depth)
            for operation in _operations(context.document):
                if _guarded(measure.of, operation.selection_set) > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}",
                            operation,
                        )
                    )

    return DepthLimit


def alias_limit_rule(max_aliases: int) -> type[ASTValidationRule]:
    """A rule refusing documents with more than ``max_aliases`` aliases (see the module)."""

    class AliasLimit(ASTValidationRule):
        def leave_document(self, *_args: Any) -> None:
            context = self.context
            measure = _FragmentMeasure(context.document, _aliases)
            total = sum(
                _guarded(measure.of, op.selection_set) for op in _operations(context.document)
            )
            if total > max_aliases:
                context.report_error(GraphQLError(f"{total} aliases found. Allowed: {max_aliases}"))

    return AliasLimit
