"""Thousands of hostile requests, generated from the introspected schema, never make the
server fail (issue 11, "How it is checked").

Runs on SQLite and PostgreSQL, on a fresh database (``make_api``) with a little real data, so
that admin-key mutations disturb no other test and valid IDs and cursors exist to mangle.
``tests/api/hostile/`` generates the requests (see its docstring); this module sends them in
small concurrent batches through the real ASGI app and judges every answer
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

On failure the message lists each distinct problem once, with its count and the shortest
request that shows it. ``-s`` prints a one-line summary of what was sent.
``ROSTER_HOSTILE_SEED`` picks another seed; ``ROSTER_HOSTILE_REPORT=<file>`` writes every
failing request (JSON lines) for a closer look.
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from tests.api.conftest import SUPPORT_ON
from tests.api.hostile.generator import Generator
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


# --- the test -----------------------------------------------------------------------------


async def test_generated_hostile_requests_never_fail_on_the_server(
    make_api: MakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    api = await make_api(customer_group=SUPPORT_ON)
    seeds = await seed(api)
    schema = SchemaInfo.from_introspection((await api.gql(INTROSPECTION, key="read")).data)
    await collect_cursors(api, schema, seeds)
    generator = Generator(schema, seeds, SEED)
    requests = generator.generate()
    assert len(requests) >= MIN_REQUESTS, generator.summary()

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

    print(summary(api.kind, generator, outcomes, seconds))
    report = os.environ.get("ROSTER_HOSTILE_REPORT")
    if report:
        write_report(f"{report}.{api.kind}", outcomes)
    failed = sum(1 for o in outcomes if o.problems) + len(unattributed)
    assert failed == 0, failure_report(outcomes, unattributed)
