"""Where the lower layers tell the composition root what happened, for its metrics.

``app/metrics.py`` counts LDAP calls and sign-ins, but ``datasources/`` and ``resolvers/``
must not import ``app/``: they call the listeners registered here instead (none by default,
so a test or a CLI command without metrics pays one empty loop). Plain callables, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

LdapCallListener = Callable[[str, float, bool, str], None]
"""(backend name, seconds, succeeded, breaker state: ``closed``/``half_open``/``open``)."""

SignInListener = Callable[[str], None]
"""(outcome: ``success`` or the first problem's code, e.g. ``INVALID_CREDENTIALS``)."""

ldap_call_listeners: list[LdapCallListener] = []
sign_in_listeners: list[SignInListener] = []


def ldap_call(backend: str, seconds: float, succeeded: bool, breaker: str) -> None:
    for listener in ldap_call_listeners:
        listener(backend, seconds, succeeded, breaker)


def sign_in(outcome: str) -> None:
    for listener in sign_in_listeners:
        listener(outcome)
