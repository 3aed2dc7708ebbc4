"""The LDAP customer-user backend (OTOBO's ``CustomerUser::LDAP``), read live through bonsai.

``filters`` builds search filters from the search grammar with our own RFC 4515 escaper,
``pool`` keeps a few connections per backend behind timeouts and a circuit breaker
(``breaker``), ``probe`` checks reachability and TLS before bonsai is trusted with a socket,
``cache`` holds looked-up entries for ``cache_ttl`` seconds, and ``backend`` puts them together
behind the ``CustomerUserBackend`` protocol.
"""
