"""The LDAP customer-user backend (OTOBO's ``CustomerUser::LDAP``), read live through bonsai.

``filters`` builds search filters from the search grammar with our own RFC 4515 escaper,
``pool`` keeps a few connections per backend behind timeouts and a circuit breaker
(``breaker``), ``probe`` checks reachability and TLS before bonsai is trusted with a socket,
``cache`` holds looked-up entries for ``cache_ttl`` seconds, and ``backend`` puts them together
behind the ``CustomerUserBackend`` protocol. ``customer_auth`` is the LDAP sign-in backend
(OTOBO's ``Customer::AuthModule::LDAP``: search, then bind as the found entry) on the same pool,
probe, breaker and escaper.
"""

import importlib.util

INSTALL_HINT = (
    "install Roster with its 'ldap' extra (pip install -e '.[ldap]'), which compiles the bonsai "
    "LDAP client against libldap-dev and libsasl2-dev"
)


def client_installed() -> bool:
    """Whether bonsai can be imported: it is an optional extra because it compiles against the
    OpenLDAP headers, which a database-only deployment (and the demo) should not need."""
    return importlib.util.find_spec("bonsai") is not None
