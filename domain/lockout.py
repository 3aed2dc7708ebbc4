"""The rules of sign-in limits (``[customer_auth.limits]``), without I/O: what one more failure
does to a counter, whether a counter holds a sign-in back, and whose counter an attempt is.

A counter is one row of ``roster_sign_in_attempt`` (``datasources.db.sign_in_attempts``): the
failures since the window began and, once the limit was reached, until when sign-ins are
refused. Times are whole epoch seconds, the same on every database.

Counters are named by a hash of what they count (:func:`login_subject`, :func:`client_subject`):
the table never holds a typed login (users type passwords into the login field) nor an address,
and every subject fits one fixed-width, exactly compared key.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    """One kind of counter: ``limit`` within ``window`` seconds (counted from the first), then
    held back for ``hold`` seconds (logins) or until the window ends (clients)."""

    limit: int
    window: int
    hold: int = 0


@dataclass(frozen=True, slots=True)
class Counter:
    window_start: int
    failures: int
    locked_until: int | None = None

    def expires_at(self, limit: Limit) -> int:
        """When the row says nothing any more and may be deleted."""
        return max(self.window_start + limit.window, self.locked_until or 0)


def held_until(counter: Counter | None, now: int) -> int | None:
    """Until when a login's ``counter`` refuses a sign-in, or None when it does not (now)."""
    if counter is None or counter.locked_until is None or counter.locked_until <= now:
        return None
    return counter.locked_until


def after_failure(counter: Counter | None, now: int, limit: Limit) -> tuple[Counter, bool]:
    """A login's counter after one more failure at ``now``, and whether it began a hold.

    A failure while a hold lasts changes nothing (an attempt that raced past the check does not
    stretch the hold); a window that has passed starts again at ``now``. Reaching the limit
    begins the hold and empties the count, so after the hold the login has ``limit`` attempts
    again, not one.
    """
    if held_until(counter, now) is not None:
        assert counter is not None
        return counter, False
    if counter is None or now >= counter.window_start + limit.window:
        counter = Counter(window_start=now, failures=0)
    failures = counter.failures + 1
    if failures < limit.limit:
        return Counter(counter.window_start, failures), False
    return Counter(window_start=now, failures=0, locked_until=now + max(1, limit.hold)), True


def used_up(counter: Counter | None, now: int, limit: Limit) -> int | None:
    """When a client's window ends if it has no attempt left in it (now), else None."""
    if counter is None or now >= counter.window_start + limit.window:
        return None
    return counter.window_start + limit.window if counter.failures >= limit.limit else None


def reserve(counter: Counter | None, now: int, limit: Limit) -> tuple[Counter, int | None]:
    """A client's counter after it asks for one more attempt at ``now``: the attempt is counted
    before the password is checked, so concurrent requests cannot all pass one check; and
    when the window's attempts are used up, nothing is counted and the answer is when the
    window ends (the second value; None: go on)."""
    refused_until = used_up(counter, now, limit)
    if refused_until is not None:
        assert counter is not None
        return counter, refused_until
    if counter is None or now >= counter.window_start + limit.window:
        counter = Counter(window_start=now, failures=0)
    return Counter(counter.window_start, counter.failures + 1), None


def after_refund(counter: Counter | None, now: int, limit: Limit) -> Counter | None:
    """A client's counter after an attempt :func:`reserve` counted succeeded: given back, so a
    portal whose users sign in fine is never held back."""
    if counter is None or now >= counter.window_start + limit.window or counter.failures <= 0:
        return counter
    return Counter(counter.window_start, counter.failures - 1, counter.locked_until)


def normal_login(login: str) -> str:
    """The login as counted: trimmed and lower-cased, as Roster looks logins up (OTOBO's
    logins are case-insensitive), so ``Ada`` and ``ada`` share one counter."""
    return login.strip().lower()


def login_subject(login: str) -> str:
    """The counter of a typed login (known or not: the same either way)."""
    return _subject("login", normal_login(login))


def client_subject(key_id: int | str, address: str | None) -> str:
    """The counter of one client: the API key and the end user's address, an IPv6 address
    taken as its /64 (one host easily holds a whole /64)."""
    return _subject("client", f"{key_id}|{normal_address(address)}")


def normal_address(address: str | None) -> str:
    """``address`` as counted: an IP address in its canonical spelling (IPv6 as its /64),
    anything else trimmed and lower-cased; empty when there is none."""
    text = (address or "").strip().lower()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _subject(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\x00{value}".encode("utf-8", "surrogatepass")).hexdigest()
