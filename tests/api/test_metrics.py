"""``/metrics`` (``app/metrics.py``): every family, the allow-list, bounded operation names."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from app.metrics import LATENCY_BUCKETS, REQUEST_SECONDS, OperationNames, RequestTally
from tests.api.customer_session_helpers import PASSWORD, SIGN_IN, auth_key
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_user
from tests.metrics_helpers import samples, value

NAMED = "query CountUsers { customerUsers(first: 1) { totalCount } }"


async def _scrape(api: Api) -> str:
    response = await api.client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


async def test_requests_are_counted_by_operation_and_outcome(api: Api) -> None:
    before = await _scrape(api)
    ok = ("roster_requests_total", {"operation": "CountUsers", "outcome": "ok"})
    error = ("roster_requests_total", {"operation": "anonymous", "outcome": "error"})
    rejected = ("roster_requests_total", {"operation": "anonymous", "outcome": "rejected"})
    assert (await api.gql(NAMED)).status == 200  # the name from the document
    payload = {"query": NAMED, "operationName": "CountUsers"}
    assert (await api.post(payload)).status == 200  # the name the request gives
    assert (await api.gql("{ customerUser(login: 1) { login } }")).status == 200  # invalid
    assert (await api.gql(NAMED, key=None)).status == 401
    after = await _scrape(api)
    for name, labels in (ok, error, rejected):
        assert value(after, name, **labels) - value(before, name, **labels) >= 1, (name, labels)
    assert value(after, ok[0], **ok[1]) - value(before, ok[0], **ok[1]) == 2
    histogram = "roster_request_duration_seconds_count"
    assert (
        value(after, histogram, operation="CountUsers")
        - value(before, histogram, operation="CountUsers")
        == 2
    )
    assert value(after, "roster_request_duration_seconds_bucket", operation="CountUsers", le="+Inf")


async def test_pool_and_sign_ins_are_reported(api: Api) -> None:
    login = await new_user(api, await new_customer(api), password=PASSWORD)
    key, _name = await auth_key(api)
    before = await _scrape(api)
    for password in (PASSWORD, "wrong-" + PASSWORD):
        variables = {"i": {"login": login, "password": password}}
        assert (await api.gql(SIGN_IN, variables, key=key)).status == 200
    after = await _scrape(api)
    for outcome in ("success", "INVALID_CREDENTIALS"):
        name = "roster_sign_ins_total"
        assert value(after, name, outcome=outcome) - value(before, name, outcome=outcome) == 1
    assert value(after, "roster_db_pool_connections", state="size") >= 5
    assert ("roster_db_pool_connections", frozenset({("state", "in_use")})) in samples(after)


async def test_connections_in_use_are_sampled_at_the_scrape(api: Api) -> None:
    idle = await _scrape(api)
    assert value(idle, "roster_db_pool_connections", state="in_use") == 0
    async with api.storage.engine.connect():  # one connection held while scraping
        held = await _scrape(api)
    assert value(held, "roster_db_pool_connections", state="in_use") == 1
    assert value(await _scrape(api), "roster_db_pool_connections", state="in_use") == 0


async def test_batched_request_counts_publish_what_observe_would() -> None:
    """RequestTally writes the histogram through its buckets' own values: the families it
    publishes are the ones ``Histogram.observe`` would have written, bucket by bucket."""
    durations = [0.0004, 0.001, 0.0011, 0.003, 0.3, 0.3, 9.0, 42.0]
    reference = Histogram(
        "roster_request_duration_seconds",
        "reference",
        ["operation"],
        buckets=LATENCY_BUCKETS,
        registry=CollectorRegistry(),
    )
    for seconds in durations:
        reference.labels("TallyCheck").observe(seconds)
    before = _lines(generate_latest_of(REQUEST_SECONDS), "TallyCheck")
    tally = RequestTally()
    for seconds in durations:
        tally.add("TallyCheck", "ok", seconds)
    assert _lines(generate_latest_of(REQUEST_SECONDS), "TallyCheck") == before  # not yet
    tally.flush()
    published = _lines(generate_latest_of(REQUEST_SECONDS), "TallyCheck")
    assert published == _lines(generate_latest_of(reference), "TallyCheck")
    assert len(published) == len(LATENCY_BUCKETS) + 3  # buckets, +Inf, _count, _sum


def generate_latest_of(histogram: Histogram) -> str:
    registry = CollectorRegistry()
    registry.register(histogram)
    return generate_latest(registry).decode()


def _lines(text: str, operation: str) -> list[str]:
    return sorted(
        line
        for line in text.splitlines()
        if f'operation="{operation}"' in line
        and not line.startswith("#")
        and "_created{" not in line  # when each was made, not what it counts
    )


async def test_metrics_are_refused_outside_the_allow_list(make_api: MakeApi) -> None:
    closed = await make_api(server={"metrics_allow": ["10.0.0.0/8"]})
    response = await closed.client.get("/metrics")  # the test client is 127.0.0.1
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "roster_" not in response.text


async def test_metrics_can_be_switched_off(make_api: MakeApi) -> None:
    off = await make_api(server={"metrics": False})
    assert (await off.client.get("/metrics")).status_code == 404


def test_operation_names_are_bounded() -> None:
    names = OperationNames(limit=3)
    assert [names.label(n) for n in ("a", "b", "c", "d", "a")] == ["a", "b", "c", "other", "a"]
    assert names.label(None) == "anonymous"
    assert OperationNames().label("x" * 65) == "other"
    assert OperationNames().label('bad"name{}') == "other"


async def test_a_locked_sign_in_is_counted_as_locked(make_api: MakeApi) -> None:
    limits = {"max_login_failed": 2, "lock_minutes": 60, "throttle": {"attempts": 0}}
    api = await make_api(customer_auth={"limits": limits})
    login = await new_user(api, await new_customer(api), password=PASSWORD)
    before = await _scrape(api)
    for password in ("wrong-1", "wrong-2", PASSWORD):
        await api.gql(SIGN_IN, {"i": {"login": login, "password": password}})
    after = await _scrape(api)
    name = "roster_sign_ins_total"
    for outcome, count in (("INVALID_CREDENTIALS", 2), ("LOCKED", 1), ("success", 0)):
        assert value(after, name, outcome=outcome) - value(before, name, outcome=outcome) == count
