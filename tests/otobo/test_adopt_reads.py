"""Roster reads what OTOBO stored: customer users with ``''`` in their empty columns, NULL or
sha2 passwords, customers with NULL optionals, group grants (``permission_value`` rows in
both directions), services with the ``<DEFAULT>`` row, extra customers, OTOBO's agents as
``createdBy``."""

from __future__ import annotations

from typing import Any

from tests.otobo.conftest import Adopted

USER = """query($login: String!) { customerUser(login: $login) {
  login title firstName lastName email customerId phone fax mobile street zip city country
  comment validity createdAt createdBy changedAt changedBy customerIds customer { name }
  groupGrants { group { name } permissions }
  ro: hasPermission(group: "support", permission: "ro")
  rw: hasPermission(group: "support", permission: "rw")
  services { name } availableServices { name } usesDefaultServices } }"""

CUSTOMER = """query($id: String!) { customer(customerId: $id) {
  customerId name street zip city country url comment validity createdBy changedAt
  groupGrants { group { name } permissions context } } }"""


async def _user(adopted: Adopted, login: str) -> dict[str, Any]:
    user: dict[str, Any] = (await adopted.api.data(USER, {"login": login}))["customerUser"]
    return user


async def test_a_customer_user_otobo_wrote(adopted: Adopted) -> None:
    user = await _user(adopted, "JDOE")
    assert user == {
        "login": "jdoe",
        "title": "Dr.",
        "firstName": "Jane",
        "lastName": "Doe",
        "email": "jane.doe@acme.test",
        "customerId": "acme",
        "phone": "+49 30 1234",
        "fax": None,
        "mobile": None,
        "street": "Main Street 1",
        "zip": "12345",
        "city": "Springfield",
        "country": "USA",
        "comment": None,
        "validity": "VALID",
        "createdAt": "2024-03-04T09:15:00+00:00",
        "createdBy": "agent.smith",
        "changedAt": "2024-03-04T09:15:00+00:00",
        "changedBy": "agent.smith",
        "customerIds": ["acme", "globex"],
        "customer": {"name": "Acme Corp"},
        "groupGrants": [{"group": {"name": "support"}, "permissions": ["rw"]}],
        "ro": True,
        "rw": True,
        "services": [{"name": "IT::Network::VPN"}],
        "availableServices": [{"name": "IT::Network::VPN"}],
        "usesDefaultServices": False,
    }


async def test_empty_strings_read_as_absent_and_defaults_apply(adopted: Adopted) -> None:
    user = await _user(adopted, "mmueller")
    for field in ("title", "phone", "fax", "mobile", "street", "zip", "city", "country"):
        assert user[field] is None, field
    assert user["lastName"] == "Müller"
    assert user["createdBy"] == "root@localhost"
    assert user["customerIds"] == ["globex"]
    assert (user["ro"], user["rw"]) == (True, False)
    assert user["services"] == []
    assert user["availableServices"] == [{"name": "IT"}]
    assert user["usesDefaultServices"] is True


async def test_invalid_rows_stay_out_of_listings(adopted: Adopted) -> None:
    data = await adopted.api.data(
        "{ valid: customerUsers { nodes { login } } all: customerUsers(valid: false) "
        "{ nodes { login validity } } customers(valid: false) { nodes { customerId validity } } }"
    )
    assert [n["login"] for n in data["valid"]["nodes"]] == ["jdoe", "mmueller"]
    assert {"login": "gone", "validity": "INVALID"} in data["all"]["nodes"]
    assert {"customerId": "initech", "validity": "INVALID"} in data["customers"]["nodes"]


async def test_customers_otobo_wrote(adopted: Adopted) -> None:
    acme = (await adopted.api.data(CUSTOMER, {"id": "ACME"}))["customer"]
    assert acme == {
        "customerId": "acme",
        "name": "Acme Corp",
        "street": "Main Street 1",
        "zip": "12345",
        "city": "Springfield",
        "country": "USA",
        "url": "https://acme.test",
        "comment": "Key account",
        "validity": "VALID",
        "createdBy": "agent.smith",
        "changedAt": "2024-03-04T09:15:00+00:00",
        "groupGrants": [{"group": {"name": "support"}, "permissions": ["ro"], "context": "SAME"}],
    }
    globex = (await adopted.api.data(CUSTOMER, {"id": "globex"}))["customer"]
    assert [globex[f] for f in ("street", "zip", "city", "country", "url", "comment")] == [None] * 6


async def test_groups_and_services_otobo_wrote(adopted: Adopted) -> None:
    data = await adopted.api.data(
        "{ groups(valid: false) { nodes { name comment validity createdBy } } "
        "services(valid: false) { nodes { name nameShort comment validity parent { name } } } }"
    )
    groups = {g["name"]: g for g in data["groups"]["nodes"]}
    assert set(groups) == {"users", "admin", "stats", "support", "legacy"}
    assert groups["users"]["comment"] == "Group for default access."
    assert groups["legacy"] == {
        "name": "legacy",
        "comment": None,
        "validity": "INVALID",
        "createdBy": "agent.smith",
    }
    services = {s["name"]: s for s in data["services"]["nodes"]}
    assert services["IT::Network::VPN"] == {
        "name": "IT::Network::VPN",
        "nameShort": "VPN",
        "comment": "Remote access",
        "validity": "VALID",
        "parent": {"name": "IT::Network"},
    }
    assert services["Facilities"]["validity"] == "INVALID"


TICKET = """query($n: String!) { ticket(number: $n) {
  number title customerId customerUser { login } priority type
  queue { name group { name } } state { name type } } }"""

TICKETS = """query($login: String!) { customerUser(login: $login) {
  tickets { nodes { number } } ticketAccess(number: "2024030410000017") {
    read { allowed reasons { kind customerId } } } } }"""


async def test_tickets_otobo_wrote(adopted: Adopted) -> None:
    """OTOBO's seeded welcome ticket (no customer) and a ticket as TicketCreate writes it for
    jdoe's company (queue Raw of group users, OTOBO's seed)."""
    found = (await adopted.api.data(TICKET, {"n": "2015071510123456"}))["ticket"]
    assert found == {
        "number": "2015071510123456",
        "title": "Welcome to OTOBO!",
        "customerId": None,
        "customerUser": None,
        "priority": "3 normal",
        "type": None,
        "queue": {"name": "Raw", "group": {"name": "users"}},
        "state": {"name": "new", "type": "new"},
    }
    await adopted.db.run(
        "INSERT INTO ticket (tn, title, queue_id, ticket_lock_id, type_id, user_id, "
        "responsible_user_id, ticket_priority_id, ticket_state_id, customer_id, "
        "customer_user_id, timeout, until_time, escalation_time, escalation_update_time, "
        "escalation_response_time, escalation_solution_time, archive_flag, create_time, "
        "create_by, change_time, change_by) VALUES ('2024030410000017', 'Printer', 2, 1, 1, "
        "2, 2, 3, 4, 'GLOBEX', 'someone.else', 0, 0, 0, 0, 0, 0, 0, "
        "'2024-03-04 09:15:00', 2, '2024-03-04 09:15:00', 2);"
    )
    user = (await adopted.api.data(TICKETS, {"login": "jdoe"}))["customerUser"]
    assert user["tickets"]["nodes"] == [{"number": "2024030410000017"}]
    assert user["ticketAccess"]["read"]["allowed"] is True
    assert user["ticketAccess"]["read"]["reasons"][0] == {
        "kind": "COMPANY_TICKET",
        "customerId": "globex",
    }
