"""``[[customer_auth.backends]]``: OTOBO's ``Customer::AuthModule`` defaults, a discriminated
union by ``module`` (``ldap``: ``test_ldap_auth_config``), unique names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.config import DbAuthBackendConfig, RosterConfig


def test_default_is_one_db_backend_with_otobos_table_and_columns() -> None:
    [backend] = RosterConfig().customer_auth.backends
    assert backend == DbAuthBackendConfig(
        module="db", name="db", table="customer_user", customer_key="login", customer_password="pw"
    )


def test_backends_in_order_and_an_unknown_module_or_key_is_refused() -> None:
    config = RosterConfig.model_validate(
        {
            "customer_auth": {
                "backends": [{"name": "a"}, {"module": "db", "name": "b", "table": "t"}]
            }
        }
    )
    db_backends = [b for b in config.customer_auth.backends if isinstance(b, DbAuthBackendConfig)]
    assert [(b.name, b.table) for b in db_backends] == [
        ("a", "customer_user"),
        ("b", "t"),
    ]
    for bad in (
        [{"module": "radius"}],
        [{"module": "db", "tabel": "x"}],
        [{"module": "db", "table": "x; DROP TABLE y"}],
        [{"name": "same"}, {"name": "same"}],
        [],
    ):
        with pytest.raises(ValidationError):
            RosterConfig.model_validate({"customer_auth": {"backends": bad}})
