"""A small demo data set: a few customers and customer users, added only where missing.

It goes through the same directory calls as the API, so the demo data obeys every rule a
client's data does.
"""

from __future__ import annotations

import logging

from app.demo_services import load_demo_services
from datasources.group_directory import Grant
from datasources.storage import Storage, open_storage
from domain.config import RosterConfig
from domain.field_map import CUSTOMER_ID, EMAIL, LOGIN, VALID_ID
from domain.validity import Validity
from resolvers.context import ANONYMOUS_ACTOR_ID

logger = logging.getLogger("roster.demo")

CUSTOMERS = [
    {
        "customerId": "ACME",
        "name": "Acme Corporation",
        "city": "Springfield",
        "country": "USA",
        "url": "https://acme.test",
    },
    {
        "customerId": "MUELLER",
        "name": "Müller & Söhne GmbH",
        "city": "München",
        "country": "Germany",
    },
    {"customerId": "GLOBEX", "name": "Globex Inc.", "city": "Cypress Creek", "country": "USA"},
]

USERS = [
    ("jdoe", "Jane", "Doe", "jane.doe@acme.test", "ACME", Validity.VALID),
    ("rroe", "Richard", "Roe", "richard.roe@acme.test", "ACME", Validity.VALID),
    ("kmueller", "Käthe", "Müller", "kaethe@mueller-soehne.test", "MUELLER", Validity.VALID),
    ("hsimpson", "Homer", "Simpson", "homer@globex.test", "GLOBEX", Validity.VALID),
    ("old.account", "Olga", "Former", "olga@globex.test", "GLOBEX", Validity.INVALID),
]


async def load_demo_data(config: RosterConfig) -> None:
    storage = await open_storage(config)
    try:
        for values in CUSTOMERS:
            if await storage.customers.get(values["customerId"]) is None:
                await storage.customers.create(
                    {**values, "validity": Validity.VALID}, actor=ANONYMOUS_ACTOR_ID
                )
        for login, first, last, email, customer_id, validity in USERS:
            if await storage.customer_users.get(login) is not None:
                continue
            outcome = await storage.customer_users.create(
                {
                    LOGIN: login,
                    "UserFirstname": first,
                    "UserLastname": last,
                    EMAIL: email,
                    CUSTOMER_ID: customer_id,
                    VALID_ID: validity.value,
                },
                password=None,
                source=None,
                actor=ANONYMOUS_ACTOR_ID,
            )
            if outcome.problems:
                logger.warning("demo user %s not added: %s", login, outcome.problems)
        logger.info("demo data present: %d customers, %d users", len(CUSTOMERS), len(USERS))
        await load_demo_services(storage)
        await _load_demo_groups(storage)
    finally:
        await storage.close()


GROUPS = ["users", "support", "billing"]


async def _load_demo_groups(storage: Storage) -> None:
    """A few groups: ACME may read tickets of ``support``; Jane Doe may also write them, and
    Richard Roe works in ``billing``. With ``customer_group.support`` on (the demo config),
    ``effectivePermissions`` then shows direct, customer and always-group reasons."""
    groups = storage.groups
    existing = {g.name: g for g in await groups.store.all()}
    for name in GROUPS:
        if name not in existing:
            outcome = await groups.create(
                {"name": name, "comment": f"Demo group {name}", "validity": Validity.VALID},
                actor=ANONYMOUS_ACTOR_ID,
            )
            if outcome.record:
                existing[name] = outcome.record
    support, billing = existing["support"].id, existing["billing"].id
    actor = ANONYMOUS_ACTOR_ID
    await groups.set_customer_groups(
        "ACME", [Grant(target=support, permissions=("ro",))], dry_run=False, actor=actor
    )
    await groups.set_user_groups(
        "jdoe", [Grant(target=support, permissions=("rw",))], dry_run=False, actor=actor
    )
    await groups.set_user_groups(
        "rroe", [Grant(target=billing, permissions=("ro", "rw"))], dry_run=False, actor=actor
    )
