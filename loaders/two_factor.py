"""Whether customer users have a two-factor secret: a page of users asks once
(``CustomerUser.twoFactorEnabled``)."""

from __future__ import annotations

from collections.abc import Sequence

from datasources.db.two_factor import logins_with_secret
from datasources.storage import Storage
from loaders.batching import Loader


def _lower(key: str) -> str:
    return key.lower()


def has_secret_loader(storage: Storage) -> Loader[str, bool]:
    """login → whether its ``[customer_auth.two_factor] secret_preference_key`` preference
    holds a secret."""
    key = storage.config.customer_auth.two_factor.secret_preference_key

    async def load(logins: Sequence[str]) -> list[bool]:
        found = await logins_with_secret(storage.engine, logins, key)
        return [login.lower() in found for login in logins]

    return Loader(load_fn=load, cache_key_fn=_lower)
