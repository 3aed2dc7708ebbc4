"""A small demo data set: a few customers and customer users, added only where missing.

It goes through the same use cases as the API (``resolvers.use_cases``), so the demo data
obeys every rule a client's data does.
"""

from __future__ import annotations

import logging

from app.auth import ANONYMOUS
from app.demo_services import load_demo_services
from app.demo_tickets import load_demo_tickets
from datasources.storage import Storage, open_storage
from domain.assignment_rules import Grant
from domain.config import RosterConfig
from domain.customer_rules import CustomerChanges
from domain.customer_user_rules import NewCustomerUser
from domain.field_map import CUSTOMER_ID, EMAIL, LOGIN, VALID_ID
from domain.group_rules import GroupChanges
from domain.validity import Validity
from resolvers.use_cases import customer_users, customers, group_assignments, groups

logger = logging.getLogger("roster.demo")

ACTOR = ANONYMOUS
"""Demo rows are written as the demo's keyless client (``createdBy: "anonymous"``)."""

CUSTOMERS = [
    CustomerChanges(
        customer_id="ACME",
        name="Acme Corporation",
        city="Springfield",
        country="USA",
        url="https://acme.test",
        validity=Validity.VALID,
    ),
    CustomerChanges(
        customer_id="MUELLER",
        name="Müller & Söhne GmbH",
        city="München",
        country="Germany",
        validity=Validity.VALID,
    ),
    CustomerChanges(
        customer_id="GLOBEX",
        name="Globex Inc.",
        city="Cypress Creek",
        country="USA",
        validity=Validity.VALID,
    ),
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
        for customer in CUSTOMERS:
            if await storage.customers.get(str(customer.customer_id)) is None:
                await customers.create(storage, ACTOR, customer)
        for login, first, last, email, customer_id, validity in USERS:
            if await storage.customer_users.get(login) is not None:
                continue
            values = {
                LOGIN: login,
                "UserFirstname": first,
                "UserLastname": last,
                EMAIL: email,
                CUSTOMER_ID: customer_id,
                VALID_ID: validity.value,
            }
            outcome = await customer_users.create(storage, ACTOR, NewCustomerUser(values))
            if outcome.problems:
                logger.warning("demo user %s not added: %s", login, outcome.problems)
        logger.info("demo data present: %d customers, %d users", len(CUSTOMERS), len(USERS))
        await load_demo_services(storage)
        await _load_demo_groups(storage)
        await load_demo_tickets(storage)
    finally:
        await storage.close()


GROUPS = ["users", "support", "billing"]


async def _load_demo_groups(storage: Storage) -> None:
    """A few groups: ACME may read tickets of ``support``; Jane Doe may also write them, and
    Richard Roe works in ``billing``. With ``customer_group.support`` on (the demo config),
    ``effectivePermissions`` then shows direct, customer and always-group reasons."""
    existing = {g.name: g for g in await storage.groups.all()}
    for name in GROUPS:
        if name not in existing:
            change = GroupChanges(name=name, comment=f"Demo group {name}", validity=Validity.VALID)
            outcome = await groups.create(storage, ACTOR, change)
            if outcome.record:
                existing[name] = outcome.record
    support, billing = existing["support"].id, existing["billing"].id
    await group_assignments.set_customer_groups(
        storage, ACTOR, "ACME", [Grant(target=support, permissions=("ro",))], dry_run=False
    )
    await group_assignments.set_user_groups(
        storage, ACTOR, "jdoe", [Grant(target=support, permissions=("rw",))], dry_run=False
    )
    await group_assignments.set_user_groups(
        storage, ACTOR, "rroe", [Grant(target=billing, permissions=("ro", "rw"))], dry_run=False
    )
