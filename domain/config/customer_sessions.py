"""``[customer_auth.sessions]``: how long a customer session token works (OTOBO's
``SessionMaxTime`` and ``SessionMaxIdleTime``, with OTOBO's defaults).

A session is started by ``customerUserAuthenticate(input: {startSession: true})`` and lets a
customer portal call ``me``, ``meSetPassword`` and ``customerSessionRevoke`` as that user
(``resolvers.use_cases.customer_sessions``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from domain.config.strict_model import StrictModel

MIN_TTL = 60
"""A session shorter than a minute could expire between sign-in and its first use."""


class CustomerSessionConfig(StrictModel):
    ttl: Annotated[int, Field(ge=MIN_TTL, le=366 * 24 * 3600)] = 16 * 3600
    """Seconds a session works after sign-in, however busy (OTOBO's ``SessionMaxTime``)."""
    idle_ttl: Annotated[int, Field(ge=0)] = 2 * 3600
    """Seconds without a request after which a session stops working (OTOBO's
    ``SessionMaxIdleTime``); 0: only ``ttl`` counts. Use is noted at most once a minute, so
    a session may live up to a minute past this."""
