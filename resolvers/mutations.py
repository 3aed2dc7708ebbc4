"""The one path every mutation takes: authorize → run the use case → reset the loaders.

Modelled on Saleor's single ``mutate → check_permissions → perform_mutation → handle_errors``
path, so no mutation can forget a step:

1. **Authorize.** Strawberry runs a field's ``permission_classes`` (``schema.permissions.ADMIN``
   on every ``Mutation`` field, checked by ``tests/test_mutation_pipeline.py``) *before* the
   resolver is called, so a read-scope key never reaches :func:`run_mutation`.
2. **Call the use case** (a function of ``resolvers.use_cases``: it validates, checks against
   storage and writes in one transaction, and returns an
   :class:`~datasources.unit_of_work.Outcome`).
   A use case takes the storage and the acting client first, then its own arguments, and
   knows nothing of GraphQL, so the CLI and the demo data call the same functions. A
   ``ProblemsFound`` a use case lets through (a transaction's, e.g. MariaDB refusing a 4-byte
   character for a ``utf8mb3`` column: ``datasources.unit_of_work.transaction``) becomes its
   failed outcome here, so it is a typed error, not INTERNAL_SERVER_ERROR.
3. **Reset the request's loaders**, always: later fields of this mutation's payload and the
   mutations after it in the same request must read what was just written, not what the
   loaders remembered before. Resetting after a refused write costs one more read at most,
   which is simpler and safer than deciding per outcome whether anything was written.
4. **Publish the live update** (``resolvers.live.publish``), only when a transaction of the
   use case committed (``datasources.unit_of_work.counting_commits``) and the outcome has no
   problems and changed something: never after a rollback, a refusal, a dry run or a no-op
   (``Outcome.unchanged``: an update that gave every value as stored, an assignment whose set
   was already the wanted one; the changes feed has no event of it either). Each notice
   carries the changes feed's position after it (the committed audit events' positions, from
   the same context), so a subscriber can resume the feed exactly there.
5. The schema layer turns the outcome into its payload (``schema.common.outcome_payload``:
   the object or ``null``, and the problems as ``userErrors`` with their input paths).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from datasources.storage import Storage
from datasources.unit_of_work import Outcome, counting_commits
from domain.errors import ProblemsFound
from resolvers import live
from resolvers.context import Actor, RequestContext

T = TypeVar("T")
P = ParamSpec("P")

UseCase = Callable[Concatenate[Storage, Actor, P], Awaitable[Outcome[T]]]


async def run_mutation(
    ctx: RequestContext, use_case: UseCase[P, T], *args: P.args, **kwargs: P.kwargs
) -> Outcome[T]:
    """Run ``use_case(storage, actor, *args, **kwargs)`` for this request, then reset its
    loaders (even if it raised) and publish what it committed."""
    try:
        with counting_commits() as commits:
            try:
                outcome = await use_case(ctx.storage, ctx.actor, *args, **kwargs)
            except ProblemsFound as exc:  # raised by a transaction the use case did not catch
                outcome = Outcome.failed(exc.problems)
    finally:
        ctx.loaders.reset()
    if (
        commits.count
        and not outcome.problems
        and not outcome.unchanged
        and not kwargs.get("dry_run")
    ):
        live.publish(ctx, use_case, outcome, commits.events, commits.at)
    return outcome
