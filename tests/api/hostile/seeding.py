"""What the hostile-request test creates before it sends anything: customers, users, groups,
services and their relations through the API (fixed names, so a run is reproducible), and the
real cursors of every connection, which the generator then mangles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from tests.api.hostile.generator import Generator
from tests.api.hostile.model import Seeds
from tests.api.hostile.schema_info import SchemaInfo
from tests.conftest import Api

SEED = int(os.environ.get("ROSTER_HOSTILE_SEED", "11"))
"""The generator's seed: 11 unless ROSTER_HOSTILE_SEED picks another."""

PASSWORD = "Pw~Seed-Password-1"
SEED_MUTATIONS: list[tuple[str, dict[str, Any]]] = [
    ("customerCreate", {"customerId": "HX-CUST-1", "name": "Hostile One"}),
    ("customerCreate", {"customerId": "hx-cust-2", "name": "Hostile Two"}),
    *[
        (
            "customerUserCreate",
            {
                "login": f"hx-user-{n}",
                "firstName": f"First{n}",
                "lastName": f"Last{n}",
                "email": f"hx-user-{n}@hostile.test",
                "customerId": "HX-CUST-1" if n < 3 else "hx-cust-2",
                "password": PASSWORD,
            },
        )
        for n in (1, 2, 3)
    ],
    ("groupCreate", {"name": "hx-group-1"}),
    ("groupCreate", {"name": "hx-group-2"}),
    ("serviceCreate", {"name": "HxService"}),
]


async def _mutate(api: Api, name: str, input_type: str, value: dict[str, Any]) -> None:
    query = f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ userErrors {{ field code }} }} }}"
    result = (await api.gql(query, {"i": value})).data[name]
    assert result["userErrors"] == [], (name, value, result)


async def seed(api: Api) -> Seeds:
    """Customers, users, groups, services and their relations, created through the API."""
    for name, value in SEED_MUTATIONS:
        await _mutate(api, name, f"{name[0].upper()}{name[1:-6]}CreateInput", value)
    listing = await api.data(
        "{ groups(first: 10) { nodes { id groupId name } }"
        " services(first: 10) { nodes { id serviceId name } }"
        " customers(first: 10) { nodes { id customerId } }"
        " customerUsers(first: 10) { nodes { id login email } } }"
    )
    groups, services = listing["groups"]["nodes"], listing["services"]["nodes"]
    customers, users = listing["customers"]["nodes"], listing["customerUsers"]["nodes"]
    g1, g2 = groups[0]["groupId"], groups[1]["groupId"]
    parent = services[0]["serviceId"]
    await _mutate(api, "serviceCreate", "ServiceCreateInput", {"name": "Child", "parentId": parent})
    relations: list[tuple[str, str, dict[str, Any]]] = [
        (
            "customerUserSetGroups",
            "CustomerUserSetGroupsInput",
            {"login": "hx-user-1", "grants": [{"groupId": g1, "permissions": ["ro", "rw"]}]},
        ),
        (
            "customerSetGroups",
            "CustomerSetGroupsInput",
            {"customerId": "HX-CUST-1", "grants": [{"groupId": g2, "permissions": ["ro"]}]},
        ),
        (
            "customerUserSetCustomers",
            "CustomerUserSetCustomersInput",
            {"login": "hx-user-2", "customerIds": ["hx-cust-2"]},
        ),
        (
            "customerUserSetServices",
            "CustomerUserSetServicesInput",
            {"login": "hx-user-1", "serviceIds": [parent]},
        ),
        ("defaultServicesSet", "DefaultServicesSetInput", {"serviceIds": [parent]}),
    ]
    for name, input_type, value in relations:
        await _mutate(api, name, input_type, value)
    services = (await api.data("{ services(first: 10) { nodes { id serviceId name } } }"))[
        "services"
    ]["nodes"]
    return Seeds(
        logins=[u["login"] for u in users],
        emails=[u["email"] for u in users],
        customer_ids=[c["customerId"] for c in customers],
        group_ids=[g["groupId"] for g in groups],
        group_names=[g["name"] for g in groups],
        service_ids=[s["serviceId"] for s in services],
        service_names=[s["name"] for s in services],
        node_ids=[x["id"] for x in [*groups, *services, *customers, *users]],
    )


async def collect_cursors(api: Api, schema: SchemaInfo, seeds: Seeds) -> None:
    """Real cursors of every connection reachable from the root, into ``seeds.cursors``."""
    probe = Generator(schema, seeds, SEED)
    for connection, query in probe.connection_probes():
        result = await api.gql(query, key="read")
        assert not result.errors, (query, result.errors)
        seeds.cursors.setdefault(connection, []).extend(_end_cursors(result.body["data"]))


def _end_cursors(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "endCursor" and isinstance(value, str):
                yield value
            else:
                yield from _end_cursors(value)
    elif isinstance(data, list):
        for value in data:
            yield from _end_cursors(value)
