"""``[customer_auth.sessions]``: OTOBO's session defaults, bounds, unknown keys refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.config import CustomerSessionConfig, RosterConfig


def test_defaults_are_otobos_session_max_time_and_idle_time() -> None:
    sessions = RosterConfig().customer_auth.sessions
    assert sessions == CustomerSessionConfig(ttl=16 * 3600, idle_ttl=2 * 3600)


def test_bounds_and_unknown_keys() -> None:
    config = RosterConfig.model_validate(
        {"customer_auth": {"sessions": {"ttl": 60, "idle_ttl": 0}}}
    )
    assert (config.customer_auth.sessions.ttl, config.customer_auth.sessions.idle_ttl) == (60, 0)
    for bad in ({"ttl": 59}, {"ttl": 0}, {"idle_ttl": -1}, {"tll": 600}, {"ttl": "long"}):
        with pytest.raises(ValidationError):
            RosterConfig.model_validate({"customer_auth": {"sessions": bad}})
