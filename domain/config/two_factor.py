"""OTOBO's ``Customer::AuthTwoFactorModule`` (GoogleAuthenticator) as
``[customer_auth.two_factor]``: off by default, as OTOBO ships it (``Valid=0``).

Each key is OTOBO's setting of the same meaning, with OTOBO's default:

- ``enabled``: the module is configured at all (OTOBO: the setting is valid);
- ``secret_preference_key``: ``…::SecretPreferencesKey``, the ``customer_preferences`` key that
  holds a user's base32 secret (``UserGoogleAuthenticatorSecretKey``);
- ``allow_empty_secret``: ``…::AllowEmptySecret``, a user without a secret signs in with the
  password alone; off: such a user cannot sign in at all;
- ``allow_previous_token``: ``…::AllowPreviousToken``, the code of the previous 30-second
  window is accepted too (a code typed just before the window turned).

Past OTOBO, a code is accepted once (``resolvers.use_cases.two_factor``): that needs no key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from domain.config.strict_model import StrictModel

MAX_PREFERENCE_KEY_LENGTH = 150
"""``customer_preferences.preferences_key`` is VARCHAR(150) in OTOBO's schema."""


class TwoFactorConfig(StrictModel):
    enabled: bool = False
    secret_preference_key: Annotated[
        str, Field(min_length=1, max_length=MAX_PREFERENCE_KEY_LENGTH, pattern=r"^\S+$")
    ] = "UserGoogleAuthenticatorSecretKey"  # noqa: S105 - a preference key
    allow_empty_secret: bool = True
    allow_previous_token: bool = True
