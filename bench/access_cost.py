"""CPU per request of the access line and the request metrics (``app/access_log.AccessLog``)
around a trivial ASGI app: what they add to every request, without the noise of a whole
request on a shared machine. Writes the lines to a discarded buffer (the server batches its
writes per event-loop turn, so the write itself is amortised there too). The request metrics
are published in batches (``app.metrics.RequestTally``), and the pool gauge is sampled, not
counted per checkout: neither costs a shared-file update per request any more.

    .venv/bin/python -m bench.access_cost                 # every variant, one process
    PROMETHEUS_MULTIPROC_DIR=$(mktemp -d) .venv/bin/python -m bench.access_cost  # as workers run
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import time
from typing import Any

from app.access_log import AccessLog, note_result

QUERY = "query($l: String!) { customerUser(login: $l) { login } }"


class _Result:  # the parts of an ExecutionResult that note_result reads
    errors = None
    extensions: dict[str, Any] = {"cost": {"requested": 6, "maximum": 1_000_000}}


async def _inner(scope: Any, receive: Any, send: Any) -> None:
    note_result(scope, None, QUERY, _Result())
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{}"})


async def _measure(app: Any, n: int) -> float:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "http_version": "1.1",
        "client": ("127.0.0.1", 50000),
        "headers": [(b"content-type", b"application/json")],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(_message: Any) -> None:
        pass

    for _ in range(1000):
        await app(dict(scope), receive, send)
    cpu = time.process_time()
    for i in range(n):
        await app(dict(scope), receive, send)
        if i % 50 == 0:
            await asyncio.sleep(0)  # let the batched writes happen, as in the server
    return (time.process_time() - cpu) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50_000)
    args = parser.parse_args()
    variants = {
        "no middleware": _inner,
        "middleware, log and metrics off": AccessLog(_inner, log=False),
        "text line": AccessLog(_inner),
        "text line + metrics": AccessLog(_inner, metrics=True),
        "json line + metrics": AccessLog(_inner, json=True, metrics=True),
    }
    mode = "multiprocess" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "one process"
    stderr, sys.stderr = sys.stderr, io.StringIO()
    try:
        results = {name: asyncio.run(_measure(app, args.n)) for name, app in variants.items()}
    finally:
        sys.stderr = stderr
    for name, micros in results.items():
        print(f"{name:34} {micros:6.2f} µs/request ({mode})")


if __name__ == "__main__":
    main()
