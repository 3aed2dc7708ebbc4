"""What the audit-trail tests share: one mutation call, an object's events, global IDs."""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import Api, GraphQLResponse

EVENT = (
    "position occurredAt objectType objectId objectKey action "
    "actor { apiKeyId name customerSessionId customerLogin } "
    "fields { field before after } sets { name added removed }"
)
EVENTS = (
    "query($o: ID, $a: String, $s: DateTime, $u: DateTime, $f: Int, $after: String) {"
    " auditEvents(objectId: $o, actor: $a, since: $s, until: $u, first: $f, after: $after) {"
    f" nodes {{ {EVENT} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
)
CHANGES = (
    "query($after: String, $t: [ChangeObjectType!], $f: Int) {"
    " changes(after: $after, types: $t, first: $f) {"
    f" nodes {{ {EVENT} }} pageInfo {{ hasNextPage }} cursor }} }}"
)
HEAD = "{ changesHead }"


def global_id(type_name: str, key: str | int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


async def mutate(api: Api, name: str, input_type: str, value: dict[str, Any]) -> dict[str, Any]:
    """Run mutation ``name`` with ``value``; its payload's ``userErrors`` must be empty."""
    query = f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ userErrors {{ field code }} }} }}"
    response = await api.gql(query, {"i": value})
    payload: dict[str, Any] = response.data[name]
    assert payload["userErrors"] == [], response.body
    return payload


async def events_of(api: Api, type_name: str, key: str | int, **variables: Any) -> list[Any]:
    """Every event of one object, oldest first."""
    response = await api.gql(EVENTS, {"o": global_id(type_name, key), "f": 1000, **variables})
    nodes: list[Any] = response.data["auditEvents"]["nodes"]
    return nodes


async def last_event(api: Api, type_name: str, key: str | int) -> Any:
    events = await events_of(api, type_name, key)
    assert events, (type_name, key)
    return events[-1]


def fields(event: Any) -> dict[str, tuple[Any, Any]]:
    return {f["field"]: (f["before"], f["after"]) for f in event["fields"]}


def sets(event: Any) -> dict[str, tuple[set[str], set[str]]]:
    return {s["name"]: (set(s["added"]), set(s["removed"])) for s in event["sets"]}


async def changes(api: Api, after: str | None, **variables: Any) -> GraphQLResponse:
    return await api.gql(CHANGES, {"after": after, **variables})


async def head(api: Api) -> str:
    cursor: str = (await api.gql(HEAD)).data["changesHead"]
    return cursor
