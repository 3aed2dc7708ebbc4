"""Demo mode (``auth.allow_anonymous``) answers only loopback host names and pages
(issue 11, defect 10).

With anonymous admin access, a page on any site could otherwise drive the API: DNS rebinding
points the page's own host name at 127.0.0.1 (the browser then sends that name as ``Host``),
and a page that posts directly sends its own ``Origin``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, MakeApi

LISTING = "{ customers(first: 1) { totalCount } }"


@pytest.fixture
async def demo(make_api: MakeApi) -> Api:
    return await make_api(auth={"allow_anonymous": True})


def assert_refused(status: int, body: dict[str, Any]) -> None:
    assert status == 403, body
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN"}
    assert "allow_anonymous" in error["message"]
    assert "localhost" in error["message"]


async def test_loopback_hosts_are_served(demo: Api) -> None:
    for host in ("localhost", "LOCALHOST:8000", "127.0.0.1", "127.0.0.2:80", "[::1]", "[::1]:80"):
        r = await demo.post({"query": LISTING}, key=None, headers={"Host": host})
        assert r.status == 200, (host, r.body)
        assert r.data["customers"]["totalCount"] >= 0


async def test_other_hosts_are_refused(demo: Api) -> None:
    for host in (
        "rebound.example",  # DNS rebinding: the attacker's name, now resolving to 127.0.0.1
        "rebound.example:8000",
        "localhost.rebound.example",
        "127.0.0.1.rebound.example",
        "10.0.0.1",
        "[::2]:8000",
        "",
    ):
        r = await demo.post({"query": LISTING}, key=None, headers={"Host": host})
        assert_refused(r.status, r.body)


async def test_pages_of_other_sites_are_refused(demo: Api) -> None:
    for origin in (
        "http://evil.example",
        "https://evil.example:8000",
        "null",  # a sandboxed frame, a file:// page
        "http://localhost.evil.example",
    ):
        headers = {"Host": "127.0.0.1:8000", "Origin": origin}
        r = await demo.post({"query": LISTING}, key=None, headers=headers)
        assert_refused(r.status, r.body)


async def test_loopback_pages_are_served(demo: Api) -> None:
    for origin in ("http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000"):
        headers = {"Host": "localhost:8000", "Origin": origin}
        r = await demo.post({"query": LISTING}, key=None, headers=headers)
        assert r.status == 200, (origin, r.body)


async def test_a_key_does_not_lift_the_guard(demo: Api) -> None:
    r = await demo.post({"query": LISTING}, key="admin", headers={"Host": "rebound.example"})
    assert_refused(r.status, r.body)


async def test_the_graphiql_page_is_guarded_too(demo: Api) -> None:
    page = {"Accept": "text/html"}
    served = await demo.client.get("/graphql", headers={**page, "Host": "localhost:8000"})
    assert served.status_code == 200
    assert "graphiql" in served.text.lower()
    refused = await demo.client.get("/graphql", headers={**page, "Host": "rebound.example"})
    assert_refused(refused.status_code, refused.json())


async def test_without_anonymous_access_any_host_is_served(api: Api) -> None:
    """Behind a proxy, with keys: host names are the proxy's business."""
    headers = {"Host": "roster.example.com", "Origin": "https://app.example.com"}
    r = await api.post({"query": LISTING}, headers=headers)
    assert r.status == 200, r.body
