"""``roster serve`` with timestamps along a live update's path, for ``bench.live latency``.

    python -m bench.live_probe serve --config live.toml   # ROSTER_LIVE_PROBE=<folder>

Wraps, in the server process and every spawned worker (a spawned worker imports this module
as its ``__mp_main__``, so the wrappers are in place there too), the points a committed
change passes, and records ``(stage, key, at, time.time())`` per change or per delivery:

- ``publish``: the mutation handed the notice to the broker (after its use case returned:
  ``customerUserUpdate`` reads the user once more after its commit);
- ``published``: the writing worker's broker send returned (Redis ``PUBLISH`` answered);
- ``hub``: a worker's broker listener handed the message to its hub (after the broker hop);
- ``woken``: a subscription's stream took the notice from its buffer (the task ran);
- ``executed``: the subscription's payload was executed, about to be sent;
- ``sent``: the WebSocket frame was written to the connection's transport.

``at`` is the change's commit time (``Change.at``, ``Notice.at``), so each stage is measured
from the commit on the same machine's clock. A daemon thread appends the records to
``<folder>/<pid>.tsv`` every 0.2 s. None of this is in ``roster serve`` itself: the wrappers
cost a tuple and a list append per record, only in the benchmark.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

_FOLDER = os.environ.get("ROSTER_LIVE_PROBE")
_records: list[tuple[str, str, float, float]] = []


def _flush_forever(folder: Path) -> None:
    path = folder / f"{os.getpid()}.tsv"
    while True:
        time.sleep(0.2)
        _flush(path)


def _flush(path: Path) -> None:
    taken = _records.copy()  # the wrappers append meanwhile: keep what came after the copy
    del _records[: len(taken)]
    if taken:
        with path.open("a", encoding="utf-8") as out:
            out.writelines(f"{s}\t{k}\t{a!r}\t{t!r}\n" for s, k, a, t in taken)


def _install() -> None:
    from strawberry.subscriptions.protocols.graphql_transport_ws import handlers

    from datasources.live import brokers, hub
    from domain.live import decode

    note = _records.append

    original_deliver = hub.Hub.deliver

    def deliver(self: hub.Hub, notices: Any) -> None:
        now = time.time()
        notices = list(notices)
        for notice in notices:
            note(("hub", notice.key, notice.at, now))
        original_deliver(self, notices)

    hub.Hub.deliver = deliver  # type: ignore[method-assign]

    original_next = hub.Subscriber.next

    async def next_notice(self: hub.Subscriber) -> Any:
        notice = await original_next(self)
        note(("woken", notice.key, notice.at, time.time()))
        return notice

    hub.Subscriber.next = next_notice  # type: ignore[method-assign]

    original_send_next = handlers.Operation.send_next

    async def send_next(self: Any, execution_result: Any) -> None:
        change = (execution_result.data or {}).get("changes") or {}
        key, at = change.get("key"), change.get("at")
        if key is not None and at is not None:
            stamp = datetime.fromisoformat(at).timestamp()
            note(("executed", key, stamp, time.time()))
            await original_send_next(self, execution_result)
            note(("sent", key, stamp, time.time()))
        else:
            await original_send_next(self, execution_result)

    handlers.Operation.send_next = send_next  # type: ignore[method-assign]

    original_publish = brokers.RedisBroker.publish

    def publish(self: brokers.RedisBroker, notices: list[Any]) -> None:
        now = time.time()
        for notice in notices:
            note(("publish", notice.key, notice.at, now))
        original_publish(self, notices)

    brokers.RedisBroker.publish = publish  # type: ignore[method-assign]

    original_client = brokers.RedisBroker._client

    def client(self: brokers.RedisBroker) -> object:
        made: Any = original_client(self)
        publish = made.publish

        async def published(channel: str, payload: bytes) -> Any:
            answer = await publish(channel, payload)
            now = time.time()
            for notice in decode(payload):
                note(("published", notice.key, notice.at, now))
            return answer

        made.publish = published
        return made

    brokers.RedisBroker._client = client  # type: ignore[method-assign]


if _FOLDER:
    _install()
    threading.Thread(target=_flush_forever, args=(Path(_FOLDER),), daemon=True).start()

if __name__ == "__main__":
    from app.cli import main

    raise SystemExit(main())
