"""Run one query many times through the app in this process (ASGI, no HTTP) and report CPU
per request and SQL statements per request; ``--profile`` writes a cProfile of the measured
requests. For profiling and for repeatable counts (e.g. under ``valgrind --tool=callgrind``),
where the shared machine makes wall-clock figures noisy.

    .venv/bin/python -m bench.inprocess --config bench.toml --query q2.graphql -n 20
    .venv/bin/python -m bench.inprocess --config bench.toml --query q2.graphql -n 40 -c 8
    .venv/bin/python -m bench.inprocess --config bench.toml --query q3.graphql \
        --vars '{"login": "…"}' -n 500 --profile /tmp/q3.prof
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import time
from pathlib import Path
from typing import Any

import httpx

from app.server import create_app
from app.settings import load_config
from datasources.storage import open_storage


async def run(args: argparse.Namespace) -> None:
    config = load_config(args.config)
    config = config.model_copy(
        update={"server": config.server.model_copy(update={"statement_count_header": True})}
    )
    storage = await open_storage(config)
    try:
        key, _ = await storage.api_keys.create(f"inprocess-{time.time_ns()}", _read_scope())
        app = create_app(config, storage=storage)
        gc.collect()
        gc.freeze()  # as the server does after start-up (app.server._freeze_startup_objects)
        if args.gc_threshold:
            gc.set_threshold(*(int(x) for x in args.gc_threshold.split(",")))
        variables: Any = json.loads(args.vars) if args.vars else {}
        payload = {"query": args.query_text, "variables": variables}
        headers = {"Authorization": f"Bearer {key}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://roster.test") as client:
            statements: set[str] = set()
            first = None
            for _ in range(args.warm):
                response = await client.post("/graphql", json=payload, headers=headers)
                first = first or response.content
            profile = cProfile.Profile() if args.profile else None
            collections = _GcTally() if args.gc_stats else None
            cpu = time.process_time()
            if profile:
                profile.enable()
            for _ in range(0, args.n, args.concurrency):
                responses = await asyncio.gather(
                    *(
                        client.post("/graphql", json=payload, headers=headers)
                        for _ in range(args.concurrency)
                    )
                )
                statements.update(r.headers.get("x-roster-sql-statements", "?") for r in responses)
                response = responses[-1]
            if profile:
                profile.disable()
                profile.dump_stats(args.profile)
            cpu = time.process_time() - cpu
            if collections is not None:
                collections.stop()
        body = response.json()
        args.last_body = response.content
        print(
            f"{args.n} requests (c={args.concurrency}): "
            f"{cpu / args.n * 1000:.2f} ms CPU/request (incl. client), "
            f"statements {sorted(statements)}, {len(response.content)} bytes, "
            f"errors: {body.get('errors')}"
        )
        if collections is not None:
            print(collections.report(args.n))
    finally:
        await storage.close()


class _GcTally:
    """How often the garbage collector ran during the measured requests, per generation,
    and the CPU it took (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.runs = [0, 0, 0]
        self.cpu = [0.0, 0.0, 0.0]
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
            return
        generation = info["generation"]
        self.runs[generation] += 1
        self.cpu[generation] += time.process_time() - self._started

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)

    def report(self, requests: int) -> str:
        per = ", ".join(
            f"gen{g}: {self.runs[g] / requests:.2f} runs {self.cpu[g] / requests * 1000:.2f} ms"
            for g in range(3)
        )
        return f"garbage collector per request: {per}"


def _read_scope() -> Any:
    from datasources.db.api_keys import Scope

    return Scope.READ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--query", required=True, help="a file or the query text")
    parser.add_argument("--vars", default="")
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument(
        "-c", "--concurrency", type=int, default=1, help="requests in flight at once"
    )
    parser.add_argument(
        "--gc-threshold",
        default="",
        help="e.g. 10000,50,100: gc.set_threshold for the run (an experiment knob)",
    )
    parser.add_argument(
        "--gc-stats", action="store_true", help="report the collector's runs and CPU"
    )
    parser.add_argument("--profile", default="")
    parser.add_argument("--out", default="", help="write the last response body here")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    query = Path(args.query)
    args.query_text = query.read_text() if query.exists() else args.query
    asyncio.run(run(args))
    if args.out:
        Path(args.out).write_bytes(args.last_body)


if __name__ == "__main__":
    main()
