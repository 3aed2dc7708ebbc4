"""Two-factor reads: whether a customer user has a secret (never the secret itself)."""

from __future__ import annotations

from resolvers.context import RequestContext


async def has_secret(ctx: RequestContext, login: str) -> bool:
    return await ctx.loaders.has_two_factor_secret.load(login)
