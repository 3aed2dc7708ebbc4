"""OTOBO's ``Customer::AuthModule::LDAP`` as a ``[[customer_auth.backends]]`` entry with
``module = "ldap"``: search-then-bind against a directory, checking passwords only.

The keys are OTOBO's (``Host`` is ``url``, as for the LDAP customer-user backend; ``UID``,
``SearchUserDN``/``SearchUserPw``, ``AlwaysFilter``, ``UserSuffix``, ``GroupDN``,
``AccessAttr``, ``UserAttr``), the connection keys (TLS, timeouts, pool, breaker) are those of
the LDAP customer-user backend (``ldap_backend``), whose connection code this backend reuses.

Where OTOBO silently does something else than the admin meant, Roster refuses to start:
a search user without a password (or a password without a user; OTOBO then binds
anonymously), and ``group_dn`` without ``access_attr`` or the other way round (OTOBO then
skips the group check, so everybody in the directory could sign in).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from domain.config.ldap_backend import check_connection, filter_syntax_problem
from domain.config.strict_model import StrictModel

_LDAP_ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
"""An LDAP attribute description without options (RFC 4512 ``keystring``)."""


class LdapAuthBackendConfig(StrictModel):
    """One LDAP authentication backend; see the module docstring and the README."""

    module: Literal["ldap"]
    name: str = "ldap"
    """Shown as the payload's ``backend`` when it accepts a password."""
    url: Annotated[str, Field(pattern=r"^ldaps?://[^/?#\s]+/?$")]
    """``Customer::AuthModule::LDAP::Host`` (and ``Params.port``): ldap:// or ldaps://."""
    base_dn: Annotated[str, Field(min_length=1)]
    """``…::LDAP::BaseDN``: searched with scope ``sub`` (Net::LDAP's default, as OTOBO)."""
    uid: str = "uid"
    """``…::LDAP::UID``: the attribute that holds the login."""
    search_user_dn: str = ""
    """``…::LDAP::SearchUserDN``: who searches; empty (with an empty password): anonymous."""
    search_user_password: str = Field(default="", repr=False)
    """``…::LDAP::SearchUserPw``; keep it out of the file:
    ``ROSTER_CUSTOMER_AUTH__BACKENDS__<n>__SEARCH_USER_PASSWORD``."""
    always_filter: str = ""
    """``…::LDAP::AlwaysFilter``, e.g. ``(objectClass=inetOrgPerson)``: ANDed to the search."""
    user_suffix: str = ""
    """``…::LDAP::UserSuffix``: appended to the login before the search; the login signed in
    (and looked up in the customer-user backends) carries it."""
    group_dn: str = ""
    """``…::LDAP::GroupDN``: with ``access_attr``, only members may sign in."""
    access_attr: str = ""
    """``…::LDAP::AccessAttr``: the group attribute naming members (``memberUid``, ``member``)."""
    user_attr: Literal["DN", "UID"] = "DN"
    """``…::LDAP::UserAttr``: what ``access_attr`` holds, the user's DN (OTOBO's default in
    code when unset) or the login with the suffix (``UID``, for ``memberUid``)."""
    start_tls: bool = False
    """``…::LDAP::StartTLS``: StartTLS on an ldap:// url (the certificate is always verified)."""
    ca_file: str | None = None
    """The CA that signed the server's certificate (else the system's CAs)."""
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 5.0
    """Per operation (the search, the group check, a bind on an open connection); like every
    LDAP timeout, seconds of the Roster process running (a pause of the process is not
    charged to the directory)."""
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 3.0
    """TCP, TLS and bind of a new connection."""
    pool_size: Annotated[int, Field(ge=1, le=50)] = 4
    """Connections of the search user kept open, and binds as users at a time (each on a
    fresh connection of its own)."""
    breaker_failures: Annotated[int, Field(ge=1)] = 3
    breaker_reset_seconds: Annotated[float, Field(gt=0)] = 30.0

    @property
    def uses_tls(self) -> bool:
        return self.start_tls or self.url.startswith("ldaps://")

    @property
    def group_check(self) -> bool:
        """Whether sign-in requires membership of ``group_dn`` (both keys set, as OTOBO)."""
        return bool(self.group_dn and self.access_attr)

    @model_validator(mode="after")
    def _check_ldap_auth(self) -> Self:
        """Catch at start what would otherwise fail, or silently let everybody in, later."""
        for key in ("uid", "access_attr"):
            value = getattr(self, key)
            if (value or key == "uid") and not _LDAP_ATTRIBUTE.match(value):
                raise ValueError(f"{key}: {value!r} is not an LDAP attribute name")
        if bool(self.search_user_dn) != bool(self.search_user_password):
            raise ValueError(
                "search_user_dn and search_user_password go together (both empty: anonymous "
                "search); set the password in the file or in "
                "ROSTER_CUSTOMER_AUTH__BACKENDS__<n>__SEARCH_USER_PASSWORD"
            )
        if bool(self.group_dn) != bool(self.access_attr):
            raise ValueError(
                "group_dn and access_attr go together: with only one of them OTOBO skips the "
                "group check, and every directory user could sign in"
            )
        problem = filter_syntax_problem(self.always_filter)
        if problem:
            raise ValueError(f"always_filter: {problem}")
        if any(ord(c) < 0x20 or c == "\x7f" for c in self.user_suffix):
            raise ValueError("user_suffix: contains a control character")
        check_connection(self.url, start_tls=self.start_tls, ca_file=self.ca_file)
        return self
