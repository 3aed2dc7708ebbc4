"""The one path every mutation takes: authorize → run the use case → reset the loaders.

Modelled on Saleor's single ``mutate → check_permissions → perform_mutation → handle_errors``
path, so no mutation can forget a step:

1. **Authorize.** Strawberry runs a field's ``permission_classes`` (``schema.permissions.ADMIN``
   on every ``Mutation`` field, checked by ``tests/test_mutation_pipeline.py``) *before* the
   resolver is called, so a read-scope key never reaches :func:`run_mutation`.
2. **Call the use case** (a ``resolvers.<area>`` function that asks the datasources for the
   write and returns its :class:`~datasources.unit_of_work.Outcome`).
3. **Reset the request's loaders**, always: later fields of this mutation's payload and the
   mutations after it in the same request must read what was just written, not what the
   loaders remembered before. Resetting after a refused write costs one more read at most,
   which is simpler and safer than deciding per outcome whether anything was written.
4. The schema layer turns the outcome into its payload (``schema.common.outcome_payload``:
   the object or ``null``, and the problems as ``userErrors``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from datasources.unit_of_work import Outcome
from resolvers.context import RequestContext

T = TypeVar("T")

UseCase = Callable[[RequestContext], Awaitable[Outcome[T]]]


async def run_mutation(ctx: RequestContext, use_case: UseCase[T]) -> Outcome[T]:
    """Run ``use_case`` for this request, then reset its loaders (even if it raised)."""
    try:
        return await use_case(ctx)
    finally:
        ctx.loaders.reset()
