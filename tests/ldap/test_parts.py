"""The circuit breaker, the TTL cache and the StartTLS probe's BER handling, with a fake clock
and no server."""

from __future__ import annotations

import pytest

from datasources.ldap.breaker import BreakerOpen, BreakerState, CircuitBreaker
from datasources.ldap.cache import TtlCache
from datasources.ldap.probe import _STARTTLS_REQUEST, ProbeFailed, _result_code


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def state(breaker: CircuitBreaker) -> BreakerState:
    """The state now (a function, so a type checker does not assume it stays the same)."""
    return breaker.state


def test_breaker_opens_after_consecutive_failures_and_half_opens_after_the_reset() -> None:
    clock = Clock()
    breaker = CircuitBreaker(3, 30.0, clock=clock)
    for _ in range(2):
        breaker.admit()
        breaker.failed("timeout")
    breaker.admit()
    breaker.succeeded()  # a success in between resets the count
    for _ in range(3):
        breaker.admit()
        breaker.failed("timeout")
    assert state(breaker) is BreakerState.OPEN
    with pytest.raises(BreakerOpen, match=r"3 consecutive failure\(s\), retrying in 30 s; last"):
        breaker.admit()
    clock.now += 29.9
    with pytest.raises(BreakerOpen):
        breaker.admit()
    clock.now += 0.1
    assert state(breaker) is BreakerState.HALF_OPEN
    breaker.admit()  # the one trial call
    with pytest.raises(BreakerOpen, match="a trial call is under way"):
        breaker.admit()
    breaker.failed("still down")  # the trial failed: open again, for a full period
    assert state(breaker) is BreakerState.OPEN
    clock.now += 30
    breaker.admit()
    breaker.succeeded()
    assert state(breaker) is BreakerState.CLOSED
    breaker.admit()


def test_an_abandoned_trial_lets_the_next_call_try() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 5.0, clock=clock)
    breaker.admit()
    breaker.failed("refused")
    clock.now += 5
    breaker.admit()
    breaker.abandoned()
    breaker.admit()
    breaker.succeeded()
    assert state(breaker) is BreakerState.CLOSED


def test_cache_serves_an_entry_until_its_ttl_and_never_after() -> None:
    clock = Clock()
    cache: TtlCache[str | None] = TtlCache(10, clock=clock)
    cache.put("jdoe", "record")
    cache.put("ghost", None)  # "not found" is cached too
    assert cache.get("jdoe") == (True, "record")
    assert cache.get("ghost") == (True, None)
    assert cache.get("other") == (False, None)
    clock.now += 9.999
    assert cache.get("jdoe") == (True, "record")
    clock.now += 0.001
    assert cache.get("jdoe") == (False, None)
    assert cache.get("ghost") == (False, None)
    assert len(cache) == 0


def test_cache_is_bounded_and_off_with_a_zero_ttl() -> None:
    clock = Clock()
    cache: TtlCache[int] = TtlCache(10, max_entries=3, clock=clock)
    for number in range(5):
        cache.put(f"k{number}", number)
    assert len(cache) == 3
    assert cache.get("k0") == (False, None)
    assert cache.get("k4") == (True, 4)
    off: TtlCache[int] = TtlCache(0, clock=clock)
    off.put("k", 1)
    assert off.get("k") == (False, None)


def test_starttls_request_and_answers() -> None:
    # RFC 4511 4.14.1: messageID 1, ExtendedRequest with the StartTLS OID.
    expected = bytes.fromhex("301d02010177188016") + b"1.3.6.1.4.1.1466.20037"
    assert expected == _STARTTLS_REQUEST
    # The answer: messageID 1, ExtendedResponse { resultCode, matchedDN "", message "" }.
    success = bytes.fromhex("02010178070a010004000400")
    assert _result_code(success) == 0
    unavailable = bytes.fromhex("02010178070a013404000400")
    assert _result_code(unavailable) == 52
    with pytest.raises(ProbeFailed, match="extended response"):
        _result_code(bytes.fromhex("0201016100"))
    with pytest.raises(ProbeFailed, match="truncated"):
        _result_code(bytes.fromhex("02010178"))
