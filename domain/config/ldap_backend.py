"""The LDAP customer-user backend (``CustomerUser::LDAP``): its keys, and the checks that catch
at start what would otherwise fail on every request (attribute names, filter syntax, TLS)."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from domain.config.backend_base import FIELD_LIST_KEYS, BackendConfigBase, StorageField
from domain.field_map import PASSWORD, VALID_ID, MapField, default_ldap_map

_LDAP_ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
"""An LDAP attribute description without options (RFC 4512 ``keystring``)."""


class LdapBackendConfig(BackendConfigBase):
    """A read-only LDAP source (``CustomerUser::LDAP``), read live.

    Defaults follow OTOBO's LDAP sample: ``uid`` is the login, ``mail`` the customer ID, a
    search word is a prefix match (prefix ``''``, suffix ``*``) and the list limit is 200.
    """

    module: Literal["ldap"]
    label: str = "LDAP Backend"
    read_only: Literal[True] = True
    url: Annotated[str, Field(pattern=r"^ldaps?://[^/?#\s]+/?$")]
    base_dn: str
    scope: Literal["one", "sub"] = "sub"
    bind_dn: str = ""
    bind_password: str = Field(default="", repr=False)
    always_filter: str = ""
    valid_filter: str = ""
    """OTOBO's CustomerUserValidFilter, e.g. ``(!(description=locked))``: users it does not
    match are INVALID."""
    start_tls: bool = False
    ca_file: str | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 5.0
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 3.0
    page_size: Annotated[int, Field(ge=1, le=10_000)] = 100
    pool_size: Annotated[int, Field(ge=1, le=50)] = 4
    breaker_failures: Annotated[int, Field(ge=1)] = 3
    breaker_reset_seconds: Annotated[float, Field(gt=0)] = 30.0
    customer_key: StorageField = "uid"
    customer_id: StorageField = "mail"
    search_fields: list[StorageField] = Field(default_factory=lambda: ["uid", "cn", "mail"])
    search_prefix: Literal["", "*"] = ""
    search_suffix: Literal["", "*"] = "*"
    search_list_limit: Annotated[int, Field(ge=1, le=100_000)] = 200
    list_fields: list[StorageField] = Field(default_factory=lambda: ["cn", "mail"])
    name_fields: list[StorageField] = Field(default_factory=lambda: ["givenName", "sn"])
    postmaster_search_fields: list[StorageField] = Field(default_factory=lambda: ["mail"])
    email_uniq_check: bool = False

    def default_map(self) -> list[MapField]:
        return default_ldap_map()

    def _fields_must_be_mapped(self) -> bool:
        # OTOBO's LDAP sample searches and lists ``cn``, which its Map does not have.
        return False

    @property
    def uses_tls(self) -> bool:
        return self.start_tls or self.url.startswith("ldaps://")

    @model_validator(mode="after")
    def _check_ldap(self) -> Self:
        """Catch at start what would otherwise fail (or silently mislead) on every request."""
        names = self._storage_fields() | {self.customer_key, self.customer_id}
        names.update(name for key in FIELD_LIST_KEYS for name in getattr(self, key))
        bad = sorted(n for n in names if not _LDAP_ATTRIBUTE.match(n))
        if bad:
            raise ValueError(f"not LDAP attribute names: {', '.join(bad)}")
        attributes = {f.attribute for f in self.map_fields()}
        if VALID_ID in attributes:
            raise ValueError("map: an LDAP backend has no ValidID row; validity is valid_filter")
        if PASSWORD in attributes:
            raise ValueError("map: an LDAP backend has no UserPassword row; it never reads one")
        for key in ("always_filter", "valid_filter"):
            problem = filter_syntax_problem(getattr(self, key))
            if problem:
                raise ValueError(f"{key}: {problem}")
        check_connection(self.url, start_tls=self.start_tls, ca_file=self.ca_file)
        return self


def filter_syntax_problem(text: str) -> str | None:
    """Why ``text`` is not one parenthesized LDAP filter (``None`` when it looks like one).

    A shallow check, enough to catch a typo at start: the server parses the filter for real.
    Parentheses inside values must be escaped (``\\28``, ``\\29``), so counting them is exact.
    """
    if not text:
        return None
    if not (text.startswith("(") and text.endswith(")")):
        return "must be one filter in parentheses, e.g. (objectClass=inetOrgPerson)"
    if any(ord(c) < 0x20 or c == "\x7f" for c in text):
        return "contains a control character"
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0 or (depth == 0 and index != len(text) - 1):
                return "parentheses do not pair up into one filter"
    if depth != 0:
        return "parentheses do not pair up into one filter"
    return None


def check_connection(url: str, *, start_tls: bool, ca_file: object) -> None:
    """The connection settings every LDAP block shares (customer-user and sign-in backends):
    TLS asked for once, a CA file only with TLS, a URL with a real port."""
    if start_tls and url.startswith("ldaps://"):
        raise ValueError("start_tls: an ldaps:// url is TLS already; use ldap:// with it")
    if ca_file is not None and not (start_tls or url.startswith("ldaps://")):
        raise ValueError("ca_file: only used with an ldaps:// url or start_tls = true")
    try:
        port = urlsplit(url).port
    except ValueError as exc:
        raise ValueError(f"url: {exc}") from exc
    if port == 0:
        raise ValueError("url: port 0 is not a port")
