"""The hostile-request test: thousands of hostile requests, generated from the introspected
schema, never make the server fail (issue 11, "How it is checked").

It runs on every database, on a fresh one (``make_api``) with a little real data, so that
admin-key mutations disturb no other test and valid IDs and cursors exist to mangle.
``tests/api/hostile/`` generates the requests (see its docstring); ``send_hostile_requests``
sends them in small concurrent batches through the real ASGI app and judges every answer
(``hostile/judging.py``):

- no HTTP status >= 500 (the client reports an unhandled exception as the 500 a server sends);
- the body is JSON, and no error in it has ``extensions.code == "INTERNAL_SERVER_ERROR"``;
- every error has an ``extensions.code``, execution errors (with a ``path``) and request
  errors (parse, validation, variable coercion, a body that is not a GraphQL request) alike;
- no password the request carried comes back;
- where GraphQL itself demands an error (several operations and no or an unknown
  ``operationName``), there is one;
- the server logged nothing at ERROR while answering it (ERROR means a server fault; a
  client's mistake is not one). Log records are tied to the request being handled through a
  context variable, so concurrent requests do not blur the attribution.

Three test modules send the requests of some families each (``FAMILIES_BY_TEST``): every
one of them generates all the requests, so each request is the one a single run makes. Why
three: one test sent all 3,300 requests, 35 s on SQLite and 1-3 min on PostgreSQL and
MariaDB, in one test file, which ``--dist loadfile`` hands to one worker; three files are
spread over the workers.

On failure the message lists each distinct problem once, with its count and the shortest
request that shows it. ``-s`` prints a one-line summary of what was sent.
``ROSTER_HOSTILE_SEED`` picks another seed; ``ROSTER_HOSTILE_REPORT=<file>`` writes every
failing request (JSON lines) for a closer look.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from tests.api.conftest import SUPPORT_ON
from tests.api.hostile.generator import FAMILIES, Generator
from tests.api.hostile.judging import (
    Outcome,
    TagRequest,
    failure_report,
    judge_logs,
    send,
    summary,
    write_report,
)
from tests.api.hostile.schema_info import INTROSPECTION, SchemaInfo
from tests.api.hostile.seeding import SEED, collect_cursors, seed
from tests.checks import raw_client
from tests.conftest import MakeApi

MIN_REQUESTS = 2000
BATCH = 6
"""Requests in flight at once: enough to interleave them on the pool, few enough to keep
log attribution and the database's writer lock unremarkable."""


FAMILIES_BY_TEST = {
    "query_arguments": ("query-arguments",),
    "mutation_inputs": ("mutations",),
    "documents_and_transport": (
        "selections",
        "variable-misuse",
        "operations",
        "limits",
        "transport",
    ),
}
"""The families each ``tests/api/test_hostile_<name>.py`` sends. Measured on SQLite (seconds
the requests took, summed): query arguments 93, mutations 70, all the others 18."""
_SENT = sorted(family for families in FAMILIES_BY_TEST.values() for family in families)
_TESTS = Path(__file__).resolve().parents[1]
if sorted(FAMILIES) != _SENT or not all(
    (_TESTS / f"test_hostile_{name}.py").is_file() for name in FAMILIES_BY_TEST
):
    raise AssertionError("each family of hostile requests is sent by exactly one test module")


# --- the test -----------------------------------------------------------------------------


async def send_hostile_requests(
    make_api: MakeApi, caplog: pytest.LogCaptureFixture, test: str
) -> None:
    """Every hostile request of the families of ``test`` (a key of ``FAMILIES_BY_TEST``)
    answered without a server failure."""
    families = FAMILIES_BY_TEST[test]
    api = await make_api(customer_group=SUPPORT_ON)
    seeds = await seed(api)
    schema = SchemaInfo.from_introspection((await api.gql(INTROSPECTION, key="read")).data)
    await collect_cursors(api, schema, seeds)
    generator = Generator(schema, seeds, SEED)
    by_family = generator.generate_by_family()
    assert len(generator.requests) >= MIN_REQUESTS, generator.summary()
    requests = [request for family in families for request in by_family[family]]
    assert requests, families

    outcomes = [Outcome(request) for request in requests]
    tagger = TagRequest()
    caplog.handler.addFilter(tagger)
    caplog.clear()
    started = time.perf_counter()
    try:
        # A client that answers an unhandled exception with the HTTP 500 a real server sends.
        async with raw_client(api) as client:
            for start in range(0, len(outcomes), BATCH):
                await asyncio.gather(
                    *(
                        send(client, api, index, outcomes[index])
                        for index in range(start, min(start + BATCH, len(outcomes)))
                    )
                )
    finally:
        caplog.handler.removeFilter(tagger)
    seconds = time.perf_counter() - started
    unattributed = judge_logs(outcomes, caplog.records)

    print(f"{test}, {len(outcomes)} sent of {summary(api.kind, generator, outcomes, seconds)}")
    report = os.environ.get("ROSTER_HOSTILE_REPORT")
    if report:
        write_report(f"{report}.{api.kind}.{test}", outcomes)
    failed = sum(1 for o in outcomes if o.problems) + len(unattributed)
    assert failed == 0, failure_report(outcomes, unattributed)
