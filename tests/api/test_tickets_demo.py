"""The demo data's queues and tickets (``app.demo_tickets``) show the access rules in GraphiQL."""

from __future__ import annotations

from app.demo_data import load_demo_data
from tests.api.tickets_helpers import access, summary, tickets_of
from tests.conftest import MakeApi


async def test_demo_tickets_follow_the_demo_groups(make_api: MakeApi) -> None:
    api = await make_api(customer_group={"support": True})
    await load_demo_data(api.storage.config)
    await load_demo_data(api.storage.config)  # only where missing: a second run adds nothing
    assert await tickets_of(api, "jdoe") == {"2026120610000011", "2026120610000022"}
    assert await tickets_of(api, "rroe") == {
        "2026120610000011",
        "2026120610000022",
        "2026120610000033",
    }
    assert await tickets_of(api, "hsimpson", state="OPEN") == {"2026120610000055"}
    # Jane writes ACME's tickets in Support (rw); Richard only reads them (ACME's ro).
    assert summary(await access(api, "jdoe", "2026120610000022")) == (True, True, True)
    assert summary(await access(api, "rroe", "2026120610000022")) == (True, False, False)
