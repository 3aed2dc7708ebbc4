"""E-mail address syntax, as OTOBO's ``CheckItem::CheckEmail`` judges it (without DNS).

OTOBO runs the check only for valid customer users (an invalid legacy user with a broken
address can still be saved or deactivated), accepts the addresses matching
``CheckEmailValidAddress`` outright and rejects those matching ``CheckEmailInvalidAddress``
(by default ``@example.*``, the RFC 2606 reserved domains). We follow that; the MX lookup is
left out because a helpdesk API must not block on DNS.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+"
_LOCAL = rf"(?:{_ATOM}(?:\.{_ATOM})*|\"(?:[^\"\\\r\n]|\\.)+\")"
_LABEL = r"(?:[^\W_]|[^\W_][\w\-]{0,61}[^\W_])"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})+|\[[0-9A-Fa-f:.]+\])"
_ADDRESS = re.compile(rf"{_LOCAL}@{_DOMAIN}")
_TRAILING_COMMENT = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True, slots=True)
class EmailPolicy:
    """OTOBO's ``CheckEmailAddresses``, ``CheckEmailValidAddress``, ``CheckEmailInvalidAddress``."""

    check: bool = True
    valid_address_pattern: str = r"^(root@localhost|admin@localhost)$"
    invalid_address_pattern: str = r"@(example)\.(..|...)$"


def email_problem(address: str, policy: EmailPolicy) -> str | None:
    """Why ``address`` is not acceptable, or ``None`` when it is."""
    if not policy.check:
        return None
    if policy.valid_address_pattern and _pattern(policy.valid_address_pattern).search(address):
        return None
    bare = _TRAILING_COMMENT.sub("", address)
    if len(bare) > 254 or not _ADDRESS.fullmatch(bare):
        return f"Email address ({address}) is not valid."
    if ".." in bare or ".@" in bare:
        return f"Email address ({address}) is not valid (consecutive or trailing dot)."
    if policy.invalid_address_pattern and _pattern(policy.invalid_address_pattern).search(bare):
        return f"Email address ({address}) is not accepted by the configured policy."
    return None


@functools.lru_cache(maxsize=16)
def _pattern(text: str) -> re.Pattern[str]:
    """A configured pattern, compiled once (``re.search(text, …)`` looks it up in ``re``'s
    cache through Python code on every call: twice a row of a bulk import)."""
    return re.compile(text, re.IGNORECASE)
