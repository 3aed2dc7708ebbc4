"""What sign-in needs from an authentication backend (``[[customer_auth.backends]]``):
OTOBO's ``Customer::AuthModule`` contract, ``Auth(User, Pw)`` → the login or nothing.

A backend that cannot answer raises :class:`~datasources.backend.BackendUnavailable`; sign-in
then tries the next one and reports the outage only when nobody accepted.
"""

from __future__ import annotations

from typing import Protocol

from datasources.backend import BackendHealth


class AuthBackend(Protocol):
    kind: str
    """``db`` or ``ldap``: ``/readyz`` is degraded, not unready, when only LDAP ones are down."""

    @property
    def name(self) -> str:
        """The ``name`` of its ``[[customer_auth.backends]]`` entry (shown in the payload)."""
        ...

    @property
    def stores_passwords(self) -> bool:
        """Whether Roster sets this backend's passwords (a database: yes; LDAP: no, as OTOBO
        hides the password change for LDAP, HTTPBasicAuth and Radius): password age and
        history rules apply only to such backends."""
        ...

    async def check(self, login: str, password: str) -> str | None:
        """The login ``password`` signs in as (LDAP: with ``UserSuffix``), or None when this
        backend refuses it. Takes about as long for an unknown login as for a wrong password."""
        ...

    async def after_sign_in(self, login: str, password: str) -> None:
        """Called once the sign-in succeeded: a database backend replaces a hash weaker than
        ``[passwords]`` asks for (rehash on login); others do nothing."""
        ...

    async def health(self) -> BackendHealth:
        """Whether it answers, and how fast (``/readyz``), within its own timeouts."""
        ...

    async def close(self) -> None:
        """Release connections of its own (a database backend shares the engine)."""
        ...
