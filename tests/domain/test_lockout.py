"""The rules of sign-in limits (``domain.lockout``) and their configuration, without a database."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import load_config
from domain.config import CustomerAuthConfig
from domain.lockout import (
    Counter,
    Limit,
    after_failure,
    after_refund,
    client_subject,
    held_until,
    login_subject,
    normal_address,
    reserve,
    used_up,
)

LOGIN = Limit(limit=3, window=3600, hold=900)
CLIENT = Limit(limit=2, window=60)


def test_the_limit_th_failure_begins_a_hold_and_empties_the_count() -> None:
    counter, began = after_failure(None, 1000, LOGIN)
    assert (counter, began) == (Counter(1000, 1), False)
    counter, began = after_failure(counter, 1001, LOGIN)
    assert (counter, began) == (Counter(1000, 2), False)
    counter, began = after_failure(counter, 1002, LOGIN)
    assert (counter, began) == (Counter(1002, 0, locked_until=1902), True)
    assert held_until(counter, 1002) == 1902
    assert held_until(counter, 1901) == 1902
    assert held_until(counter, 1902) is None
    assert counter.expires_at(LOGIN) == 1002 + 3600


def test_a_failure_during_a_hold_changes_nothing_and_after_it_counts_from_one() -> None:
    held = Counter(1002, 0, locked_until=1902)
    assert after_failure(held, 1500, LOGIN) == (held, False)
    counter, began = after_failure(held, 1902, LOGIN)
    assert (counter.failures, counter.locked_until, began) == (1, None, False)


def test_failures_older_than_the_window_are_forgotten() -> None:
    counter, _ = after_failure(Counter(1000, 2), 1000 + 3600, LOGIN)
    assert counter == Counter(4600, 1)


def test_a_client_gets_limit_attempts_per_window_and_a_refund_gives_one_back() -> None:
    counter, refused = reserve(None, 10, CLIENT)
    assert (counter, refused) == (Counter(10, 1), None)
    counter, refused = reserve(counter, 11, CLIENT)
    assert (counter, refused) == (Counter(10, 2), None)
    assert used_up(counter, 12, CLIENT) == 70
    assert reserve(counter, 12, CLIENT) == (counter, 70)  # nothing counted
    refunded = after_refund(counter, 12, CLIENT)
    assert refunded == Counter(10, 1)
    assert reserve(refunded, 13, CLIENT) == (Counter(10, 2), None)
    assert reserve(counter, 70, CLIENT) == (Counter(70, 1), None)  # a new window
    assert after_refund(counter, 70, CLIENT) == counter  # an old window's attempt: no refund
    assert after_refund(None, 70, CLIENT) is None


def test_counters_are_named_by_hashes_of_what_they_count() -> None:
    assert login_subject("Ada") == login_subject("  ada ")
    assert login_subject("ada") != login_subject("adb")
    assert len(login_subject("x" * 10_000)) == 64
    assert "ada" not in login_subject("ada")
    assert client_subject(1, "192.0.2.1") != client_subject(2, "192.0.2.1")
    assert client_subject(1, None) == client_subject(1, "")
    assert client_subject(1, "::ffff:192.0.2.1") == client_subject(1, "192.0.2.1")


@pytest.mark.parametrize(
    ("given", "counted"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1 ", "192.0.2.1"),
        ("2001:DB8::1", "2001:db8::/64"),
        ("2001:db8::ffff:1", "2001:db8::/64"),
        ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
        ("not an address", "not an address"),
        (None, ""),
    ],
)
def test_addresses_are_counted_canonically_ipv6_by_its_64(given: str | None, counted: str) -> None:
    assert normal_address(given) == counted


def test_limits_are_off_by_default_as_in_otobo_and_the_throttle_is_on() -> None:
    limits = CustomerAuthConfig().limits
    assert limits.max_login_failed == 0
    assert limits.lockout == "timed"
    assert (limits.throttle.attempts, limits.throttle.window_seconds) == (30, 60)
    assert limits.lock_seconds == 900


@pytest.mark.parametrize(
    "limits",
    [
        {"max_login_failed": -1},
        {"lockout": "forever"},
        {"lock_minutes": 0},
        {"throttle": {"window_seconds": 0}},
        {"throttle": {"attempts": -1}},
        {"max_login_faild": 3},
    ],
)
def test_bad_limits_are_refused_at_start(limits: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CustomerAuthConfig.model_validate({"limits": limits})


def test_limits_are_read_from_toml_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "roster.toml"
    path.write_text(
        "[customer_auth.limits]\nmax_login_failed = 5\nlockout = 'invalid_temporarily'\n"
        "[customer_auth.limits.throttle]\nattempts = 100\n"
    )
    config = load_config(path, {"ROSTER_CUSTOMER_AUTH__LIMITS__LOCK_MINUTES": "2.5"})
    limits = config.customer_auth.limits
    assert (limits.max_login_failed, limits.lockout, limits.lock_seconds) == (
        5,
        "invalid_temporarily",
        150,
    )
    assert limits.throttle.attempts == 100
