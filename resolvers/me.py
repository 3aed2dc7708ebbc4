"""``me``: the customer user a customer session acts as."""

from __future__ import annotations

from domain.records import CustomerUserRecord
from domain.validity import Validity
from resolvers.context import RequestContext


async def me(ctx: RequestContext) -> CustomerUserRecord | None:
    """The session's user, through the request's loader (so its relation fields batch as a
    listing's do); None once it is gone or no longer valid (changed outside Roster: Roster's
    own changes end the sessions)."""
    login = ctx.actor.customer_login
    if login is None:
        return None
    record = await ctx.loaders.customer_user.load(login)
    if record is None or record.validity is not Validity.VALID:
        return None
    return record
