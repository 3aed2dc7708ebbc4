"""``/livez`` and ``/readyz``: what an orchestrator (Kubernetes, a load balancer, compose)
asks before it sends traffic or restarts a process. Neither needs an API key; both answer JSON.

- ``/livez``: the process's event loop answers. No I/O at all: a database outage must not make
  the orchestrator restart every healthy process. Always 200 ``{"status": "alive"}``.
- ``/readyz``: may this process take requests? 200 ``ready`` when the database answers and its
  migrations are at the head this code knows, and every customer-user backend and every
  sign-in backend (``[[customer_auth.backends]]``) answers; 200 ``degraded`` when only LDAP
  backends of either kind are down (queries answer from the others and name the missing
  backend, sign-in tries the next backend, so the process is still worth sending traffic to);
  503 ``not_ready`` when the database does not answer within ``PROBE_TIMEOUT`` or its
  migrations are behind (or ahead: an older image against a newer database), or storage is not
  open yet. A statement whose connection was lost is run once more, as a request's is.
  ``PROBE_TIMEOUT`` counts the time this process's event loop ran, not the time it stood
  still (``datasources.deadline``): a paused process is not a database that does not answer.
  The body names each check: ``{"status", "database": {"status", "latency_ms"|"error"},
  "migrations": {"status", "database", "code"}, "backends": [{"name", "kind", "status", …}],
  "customer_auth_backends": [… the same shape]}``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from datasources.backend import BackendStatus
from datasources.db.engine import read_once_more_if_lost
from datasources.deadline import deadline
from datasources.storage import Storage

logger = logging.getLogger("roster.probes")

PROBE_TIMEOUT = 2.0  # seconds for the database's answer and for each backend's


def migration_heads() -> frozenset[str]:
    """The revisions this code's migrations end at (read once, when the app is built)."""
    # Alembic announces each plugin it loads (on import): noise in every server's log.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def livez(_request: Request) -> Response:
    return JSONResponse({"status": "alive"})


class Readiness:
    """The ``/readyz`` endpoint over the app's storage (see the module's docstring)."""

    def __init__(self, storage: Callable[[], Storage | None], heads: frozenset[str]) -> None:
        self._storage = storage
        self._heads = heads

    async def endpoint(self, _request: Request) -> Response:
        storage = self._storage()
        if storage is None:
            return JSONResponse({"status": "not_ready", "reason": "starting"}, status_code=503)
        database, migrations = await self._database(storage)
        backends, auth_backends = await asyncio.gather(
            asyncio.gather(*(_backend(b) for b in storage.customer_users.backends)),
            asyncio.gather(*(_backend(b) for b in storage.customer_auth)),
        )
        ready = database["status"] == "up" and migrations.get("status") == "at_head"
        down = [b for b in [*backends, *auth_backends] if b["status"] != "up"]
        if not ready or any(b["kind"] != "ldap" for b in down):
            status, code = "not_ready", 503
        else:
            status, code = ("degraded" if down else "ready"), 200
        body = {
            "status": status,
            "database": database,
            "migrations": migrations,
            "backends": backends,
            "customer_auth_backends": auth_backends,
        }
        return JSONResponse(body, status_code=code)

    async def _database(self, storage: Storage) -> tuple[dict[str, Any], dict[str, Any]]:
        started = time.perf_counter()
        try:
            async with deadline(PROBE_TIMEOUT):
                versions = await read_once_more_if_lost(lambda: _versions(storage))
        except TimeoutError:
            return {"status": "down", "error": f"no answer within {PROBE_TIMEOUT:g} s"}, {}
        except (OSError, sa.exc.SQLAlchemyError) as exc:
            if isinstance(exc, sa.exc.ProgrammingError | sa.exc.OperationalError) and _no_table(
                exc
            ):
                versions = frozenset()
            else:
                _log_failure(exc)
                return {"status": "down", "error": type(exc).__name__}, {}
        latency = round((time.perf_counter() - started) * 1000, 3)
        migrations = {
            "status": "at_head" if versions == self._heads else "behind",
            "database": sorted(versions),
            "code": sorted(self._heads),
        }
        return {"status": "up", "latency_ms": latency}, migrations


def _log_failure(exc: BaseException) -> None:
    """The driver's first line, to the log only: it may name the host, port and database, and
    ``/readyz`` answers without a key (its body says only the error's class). Never the SQL
    or its parameters, which SQLAlchemy's own message adds."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = lines[0][:200] if lines else ""
    logger.warning("readyz: the database check failed: %s: %s", type(exc).__name__, reason)


async def _versions(storage: Storage) -> frozenset[str]:
    async with storage.engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
        return frozenset(str(row[0]) for row in rows)


def _no_table(exc: Exception) -> bool:
    text = str(exc).lower()
    return "alembic_version" in text and ("no such table" in text or "exist" in text)


async def _backend(backend: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": backend.name, "kind": backend.kind}
    try:
        async with deadline(PROBE_TIMEOUT):
            health = await backend.health()
    except TimeoutError:
        return {**entry, "status": "down", "error": f"no answer within {PROBE_TIMEOUT:g} s"}
    if health.status is BackendStatus.UP:
        return {**entry, "status": "up", "latency_ms": round(health.latency_ms or 0.0, 3)}
    return {**entry, "status": "down", "error": health.last_error}
