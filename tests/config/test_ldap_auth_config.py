"""``[[customer_auth.backends]]`` with ``module = "ldap"`` (OTOBO's
``Customer::AuthModule::LDAP``): OTOBO's defaults, the search password from the environment,
and what is refused at start (with the key named). Pure: no directory, no database."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.settings import ConfigError, load_config
from domain.config import DbAuthBackendConfig, RosterConfig
from domain.config.ldap_auth import LdapAuthBackendConfig

MINIMAL: dict[str, Any] = {"module": "ldap", "url": "ldap://ldap.example.com", "base_dn": "dc=x"}

LDAP_FIRST_TOML = """
[[customer_auth.backends]]
module = "ldap"
name = "directory"
url = "ldaps://ldap.example.com:636"
base_dn = "ou=people,dc=example,dc=com"
search_user_dn = "cn=roster,dc=example,dc=com"
ca_file = "/etc/ssl/ca.pem"

[[customer_auth.backends]]
module = "db"
"""


def backends(*entries: dict[str, Any]) -> list[Any]:
    config = RosterConfig.model_validate({"customer_auth": {"backends": list(entries)}})
    return list(config.customer_auth.backends)


def test_otobos_defaults_when_unset() -> None:
    [backend] = backends(MINIMAL)
    assert isinstance(backend, LdapAuthBackendConfig)
    assert (backend.name, backend.uid, backend.user_attr) == ("ldap", "uid", "DN")
    assert (backend.search_user_dn, backend.search_user_password) == ("", "")  # anonymous
    assert (backend.always_filter, backend.user_suffix) == ("", "")
    assert (backend.group_dn, backend.access_attr, backend.group_check) == ("", "", False)
    assert (backend.start_tls, backend.ca_file, backend.uses_tls) == (False, None, False)
    assert (backend.timeout_seconds, backend.connect_timeout_seconds) == (5.0, 3.0)
    assert (backend.breaker_failures, backend.breaker_reset_seconds) == (3, 30.0)


def test_ldap_and_db_backends_in_order() -> None:
    ldap, db = backends(
        {**MINIMAL, "group_dn": "cn=portal,dc=x", "access_attr": "memberUid", "user_attr": "UID"},
        {},
    )
    assert isinstance(ldap, LdapAuthBackendConfig)
    assert ldap.group_check
    assert isinstance(db, DbAuthBackendConfig)


def test_the_search_password_comes_from_the_environment_and_is_never_shown(write: Any) -> None:
    secret = "s3cret-from-env"
    config = load_config(
        write(LDAP_FIRST_TOML),
        environ={"ROSTER_CUSTOMER_AUTH__BACKENDS__0__SEARCH_USER_PASSWORD": secret},
    )
    ldap, db = config.customer_auth.backends
    assert isinstance(ldap, LdapAuthBackendConfig)
    assert (ldap.name, ldap.search_user_password, ldap.uses_tls) == ("directory", secret, True)
    assert isinstance(db, DbAuthBackendConfig)
    assert secret not in repr(config)
    assert secret not in str(ldap)


def test_a_search_user_without_its_password_names_the_key_and_the_variable(write: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(LDAP_FIRST_TOML), environ={})
    message = str(caught.value)
    assert "customer_auth.backends[0]" in message
    assert "ROSTER_CUSTOMER_AUTH__BACKENDS__<n>__SEARCH_USER_PASSWORD" in message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"search_user_password": "x"}, "search_user_dn and search_user_password go together"),
        ({"group_dn": "cn=portal,dc=x"}, "group_dn and access_attr go together"),
        ({"access_attr": "memberUid"}, "group_dn and access_attr go together"),
        ({"always_filter": "objectClass=person"}, "always_filter: must be one filter"),
        ({"always_filter": "(&(a=b)"}, "always_filter: parentheses"),
        ({"always_filter": "(a=b)(c=d)"}, "always_filter: parentheses"),
        ({"uid": "uid)(x"}, "uid: "),
        ({"uid": ""}, "uid: "),
        ({"access_attr": "member of", "group_dn": "cn=g"}, "access_attr: "),
        ({"user_attr": "uid"}, "user_attr"),
        ({"user_suffix": "@x\n"}, "user_suffix: contains a control character"),
        ({"url": "ldaps://h", "start_tls": True}, "start_tls: an ldaps:// url is TLS already"),
        ({"ca_file": "/ca.pem"}, "ca_file: only used with"),
        ({"url": "ldap.example.com"}, "url"),
        ({"url": "http://ldap.example.com"}, "url"),
        ({"url": "ldap://h:0"}, "url: port 0"),
        ({"url": "ldap://h:99999"}, "url: "),
        ({"base_dn": ""}, "base_dn"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"connect_timeout_seconds": 500}, "connect_timeout_seconds"),
        ({"breaker_failures": 0}, "breaker_failures"),
        ({"search_user_pasword": "x"}, "search_user_pasword"),
        ({"host": "ldap.example.com"}, "host"),
    ],
)
def test_what_is_refused_at_start(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        backends({**MINIMAL, **change})
    assert words in str(caught.value)


def test_base_dn_and_url_are_required() -> None:
    for missing in ("url", "base_dn"):
        entry = {k: v for k, v in MINIMAL.items() if k != missing}
        with pytest.raises(ValidationError, match=missing):
            backends(entry)


def test_an_ldap_backend_shares_the_unique_name_rule() -> None:
    with pytest.raises(ValidationError, match="its own name"):
        backends({**MINIMAL, "name": "db"}, {"module": "db"})
