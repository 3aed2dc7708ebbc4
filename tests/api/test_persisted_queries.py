"""Persisted queries (``app/persisted_queries.py``) as clients use them, on both execution
paths: Apollo's automatic persisted queries (a hash; ``PERSISTED_QUERY_NOT_FOUND``; the text
registered with its hash; the hash alone afterwards, by POST or GET), the bounded cache, the
switch, and the trusted-documents allow-list. A hash never gets a restricted caller past the
gate: the document is resolved first, then checked (``app/scope_gate.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.persisted_queries import ManifestError, load_manifest
from app.server import create_app
from tests.api.auth_helpers import CUSTOMER_GET
from tests.api.customer_session_helpers import ME, auth_key, user_with_session
from tests.api.http_helpers import GR, JSON, Paths, both_paths, on_both_paths, send
from tests.conftest import Api, MakeApi, unique


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str, **more: Any) -> dict[str, Any]:
    """The request of an APQ client naming ``text`` by its hash (no text)."""
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}, **more}


def registering(text: str, **more: Any) -> dict[str, Any]:
    """The request that registers ``text``: the text and its hash."""
    return {"query": text, **persisted(text), **more}


def fresh(query: str = "{ __typename }") -> str:
    return f"{query} # {unique()}"


@pytest.fixture
async def paths(api: Api) -> AsyncIterator[Paths]:
    async with both_paths(api) as opened:
        yield opened


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_apq_not_found_then_registered_then_by_hash(
    api: Api, paths: Paths, method: str
) -> None:
    customer_id = unique("P")
    await send(
        api.client,
        payload={
            "query": "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) "
            "{ customer { customerId } } }",
            "variables": {"i": {"customerId": customer_id, "name": customer_id}},
        },
        key=api.admin_key,
    )
    text = fresh(CUSTOMER_GET)
    variables = {"c": customer_id}
    # Unknown: the legacy 200 under application/json (what Apollo clients expect), 404
    # without data under application/graphql-response+json.
    for accept, status in ((JSON, 200), (GR, 404)):
        for client in (paths.strawberry, paths.direct):
            response = await send(
                client,
                method=method,
                payload=persisted(text, variables=variables),
                key=api.admin_key,
                accept=accept,
            )
            assert response.status_code == status
            assert response.headers["content-type"] == accept
            body = response.json()
            assert body["errors"] == [
                {
                    "message": "PersistedQueryNotFound",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
                }
            ]
            assert ("data" in body) == (accept == JSON)
    # Registration runs the text (always by POST: Apollo clients register by POST).
    for client in (paths.strawberry, paths.direct):
        registered = await send(
            client, payload=registering(text, variables=variables), key=api.admin_key
        )
        assert registered.status_code == 200
        assert registered.json()["data"]["customer"]["customerId"] == customer_id
    # Then the hash alone runs it, on both paths (the direct one for the repeated request).
    r = await on_both_paths(
        paths, method=method, payload=persisted(text, variables=variables), key=api.admin_key
    )
    assert r.status == 200
    assert r.body["data"]["customer"]["customerId"] == customer_id


async def test_a_hash_that_does_not_match_the_text_is_400(api: Api, paths: Paths) -> None:
    text = fresh()
    payload = {"query": text, **persisted(fresh())}
    for accept in (JSON, GR):
        r = await on_both_paths(
            paths, direct=False, payload=payload, key=api.admin_key, accept=accept
        )
        assert (r.status, r.codes) == (400, ["BAD_REQUEST"])
        assert r.body["errors"][0]["message"] == "provided sha does not match query"
    # Nothing was registered under either hash.
    r = await on_both_paths(paths, direct=False, payload=persisted(text), key=api.admin_key)
    assert r.codes == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    "extension",
    [
        {"version": 2, "sha256Hash": "0" * 64},
        {"sha256Hash": "0" * 64},
        {"version": 1, "sha256Hash": "xyz"},
        {"version": 1},
        "hash",
    ],
)
async def test_a_malformed_persisted_query_is_400(api: Api, paths: Paths, extension: Any) -> None:
    payload = {"query": fresh(), "extensions": {"persistedQuery": extension}}
    r = await on_both_paths(paths, direct=False, payload=payload, key=api.admin_key)
    assert (r.status, r.codes) == (400, ["BAD_REQUEST"])


async def test_an_invalid_document_is_not_registered(api: Api, paths: Paths) -> None:
    text = fresh("{ noSuchField }")
    r = await on_both_paths(paths, direct=False, payload=registering(text), key=api.admin_key)
    assert r.codes == ["GRAPHQL_VALIDATION_FAILED"]
    r = await on_both_paths(paths, direct=False, payload=persisted(text), key=api.admin_key)
    assert r.codes == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_a_persisted_mutation_by_get_is_405(api: Api, paths: Paths) -> None:
    text = fresh("mutation { customerSessionRevoke(input: {}) { revoked } }")
    await send(paths.strawberry, payload=registering(text), key=api.read_key)
    await send(paths.direct, payload=registering(text), key=api.read_key)
    r = await on_both_paths(
        paths, direct=False, method="GET", payload=persisted(text), key=api.admin_key
    )
    assert (r.status, r.codes) == (405, ["METHOD_NOT_ALLOWED"])
    assert r.headers["allow"] == "POST"


async def test_the_cache_is_bounded(api: Api) -> None:
    """Each process keeps at most ``persisted_queries_cache_entries`` texts, the least
    recently used dropped first; a dropped hash is simply registered again."""
    async with both_paths(api, persisted_queries_cache_entries=2) as paths:
        texts = [fresh() for _ in range(3)]
        for text in texts:
            await send(paths.direct, payload=registering(text), key=api.admin_key)
        first = await send(paths.direct, payload=persisted(texts[0]), key=api.admin_key)
        assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        for text in texts[1:]:
            kept = await send(paths.direct, payload=persisted(text), key=api.admin_key)
            assert kept.json() == {"data": {"__typename": "Query"}, **_extensions(kept.json())}


def _extensions(body: dict[str, Any]) -> dict[str, Any]:
    return {"extensions": body["extensions"]} if "extensions" in body else {}


async def test_apq_switched_off_is_not_supported(api: Api) -> None:
    async with both_paths(api, persisted_queries=False) as paths:
        text = fresh()
        for payload in (registering(text), persisted(text)):
            for accept, status in ((JSON, 200), (GR, 400)):
                r = await on_both_paths(
                    paths, direct=False, payload=payload, key=api.admin_key, accept=accept
                )
                assert (r.status, r.codes) == (status, ["PERSISTED_QUERY_NOT_SUPPORTED"])
        plain = await on_both_paths(paths, payload={"query": text}, key=api.admin_key)
        assert plain.body["data"] == {"__typename": "Query"}


async def test_a_hash_does_not_get_a_customer_session_past_the_gate(api: Api, paths: Paths) -> None:
    """The admin registers a listing; a customer session naming it by hash is refused as if
    it had sent the text. Its own ``me`` works by hash."""
    mine, bearer = await user_with_session(api)
    listing = fresh("{ customerUsers(first: 5) { nodes { login } } }")
    await send(paths.strawberry, payload=registering(listing), key=api.admin_key)
    await send(paths.direct, payload=registering(listing), key=api.admin_key)
    for method in ("POST", "GET"):
        r = await on_both_paths(
            paths, direct=False, method=method, payload=persisted(listing), key=bearer
        )
        assert (r.status, r.codes) == (403, ["FORBIDDEN"])
        assert "nodes" not in json.dumps(r.body)
    # A session registering the text is refused too, before anything is kept.
    other = fresh("{ customers(first: 5) { totalCount } }")
    r = await on_both_paths(paths, direct=False, payload=registering(other), key=bearer)
    assert (r.status, r.codes) == (403, ["FORBIDDEN"])
    r = await on_both_paths(paths, direct=False, payload=persisted(other), key=api.admin_key)
    assert r.codes == ["PERSISTED_QUERY_NOT_FOUND"]
    own = fresh(ME)
    for client in (paths.strawberry, paths.direct):
        await send(client, payload=registering(own), key=bearer)
    r = await on_both_paths(paths, payload=persisted(own), key=bearer)
    assert r.body["data"] == {"me": {"login": mine}}


async def test_a_hash_does_not_get_an_authenticate_key_past_the_gate(
    api: Api, paths: Paths
) -> None:
    portal, _ = await auth_key(api)
    listing = fresh("{ customers(first: 5) { nodes { customerId } } }")
    for client in (paths.strawberry, paths.direct):
        await send(client, payload=registering(listing), key=api.admin_key)
    r = await on_both_paths(paths, direct=False, payload=persisted(listing), key=portal)
    assert (r.status, r.codes) == (403, ["FORBIDDEN"])


# Trusted documents


def apollo_manifest(path: Path, *bodies: str) -> Path:
    operations = [
        {"id": sha(body), "name": f"Op{i}", "type": "query", "body": body}
        for i, body in enumerate(bodies)
    ]
    path.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
        )
    )
    return path


@pytest.fixture
async def trusted(api: Api, tmp_path: Path) -> AsyncIterator[tuple[Paths, str, str]]:
    allowed = fresh()
    me = fresh(ME)
    manifest = apollo_manifest(tmp_path / "manifest.json", allowed, me)
    async with both_paths(api, trusted_documents=str(manifest)) as paths:
        yield paths, allowed, me


async def test_trusted_documents_run_by_hash_or_by_their_text(
    api: Api, trusted: tuple[Paths, str, str]
) -> None:
    paths, allowed, _ = trusted
    for method in ("POST", "GET"):
        by_hash = await on_both_paths(
            paths, method=method, payload=persisted(allowed), key=api.admin_key
        )
        assert by_hash.body["data"] == {"__typename": "Query"}
    by_text = await on_both_paths(paths, payload={"query": allowed}, key=api.admin_key)
    assert by_text.body["data"] == {"__typename": "Query"}


async def test_anything_else_is_refused_with_trusted_documents(
    api: Api, trusted: tuple[Paths, str, str]
) -> None:
    paths, allowed, _ = trusted
    other = fresh()
    for accept in (JSON, GR):
        # A free text, registered or not: FORBIDDEN (403), nothing kept.
        for payload in ({"query": other}, registering(other)):
            r = await on_both_paths(
                paths, direct=False, payload=payload, key=api.admin_key, accept=accept
            )
            assert (r.status, r.codes) == (403, ["FORBIDDEN"])
            assert "trusted documents" in r.body["errors"][0]["message"]
        # An unknown hash: PERSISTED_QUERY_NOT_FOUND (404 without data, or legacy 200).
        r = await on_both_paths(
            paths, direct=False, payload=persisted(other), key=api.admin_key, accept=accept
        )
        assert (r.status, r.codes) == (404 if accept == GR else 200, ["PERSISTED_QUERY_NOT_FOUND"])
    # A hash with another text than the manifest's.
    payload = {"query": other, **persisted(allowed)}
    r = await on_both_paths(paths, direct=False, payload=payload, key=api.admin_key)
    assert (r.status, r.codes) == (400, ["BAD_REQUEST"])


async def test_trusted_documents_still_gate_restricted_callers(
    api: Api, trusted: tuple[Paths, str, str]
) -> None:
    """A trusted operation is not a pass: a customer session may still only use its fields."""
    paths, allowed, me = trusted
    mine, bearer = await user_with_session(api)
    r = await on_both_paths(paths, payload=persisted(me), key=bearer)
    assert r.body["data"] == {"me": {"login": mine}}
    portal, _ = await auth_key(api)
    r = await on_both_paths(paths, direct=False, payload=persisted(allowed), key=portal)
    assert (r.status, r.codes) == (403, ["FORBIDDEN"])


def test_a_plain_hash_to_document_map_is_a_manifest_too(tmp_path: Path) -> None:
    body = "query Me { me { login } }"
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({sha(body): body}))
    assert load_manifest(path) == {sha(body): body}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{", "is not JSON"),
        ("[]", "is not a manifest object"),
        (json.dumps({"0" * 64: "{ __typename }"}), "is not the sha256 of its body"),
        (json.dumps({"operations": [{"id": 5, "body": "{ a }"}]}), "string id and body"),
    ],
)
async def test_a_bad_manifest_is_refused_at_start(
    make_api: MakeApi, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ManifestError, match=message):
        load_manifest(path)
    api = await make_api()
    config = api.storage.config
    server = config.server.model_copy(update={"trusted_documents": str(path)})
    with pytest.raises(ManifestError, match=message):
        create_app(config.model_copy(update={"server": server}), storage=api.storage)
