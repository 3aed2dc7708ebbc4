"""The ``roster`` command line: serve, migrate, manage API keys, export the schema, demo data.

Each command imports what it uses inside its handler, and the modules imported here import
neither SQLAlchemy nor Strawberry: a command pays only for its own libraries. Measured (CPU
seconds of one process, SQLite): ``--help`` 1.15 -> 0.32, ``api-key list`` 1.13 -> 0.79,
``db upgrade`` 1.41 -> 0.98, when every command used to import the GraphQL schema's
libraries (Strawberry, graphql-core) and every database driver. The tests start this command
hundreds of times (``tests/cli``); ``tests/cli/test_start_cost.py`` keeps it so.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.logs import configure_logging
from app.settings import CONFIG_ENV, ENV_PREFIX, ConfigError, load_config
from app.startup_errors import database_problem, sqlite_missing, sqlite_path, sqlite_problem
from domain.config import LdapBackendConfig, RosterConfig

logger = logging.getLogger("roster")


def _fail(message: str) -> int:
    print(f"roster: {message}", file=sys.stderr)
    return 2


def check_startup(config: RosterConfig) -> str | None:
    """Why the server must not start with ``config`` (None when it may)."""
    if config.auth.allow_anonymous and not config.server.is_loopback:
        return (
            "auth.allow_anonymous: keyless admin access is allowed only when server.host is a "
            f"loopback address (got {config.server.host!r})"
        )
    if config.server.workers > 1 and config.database.is_sqlite:
        return (
            "server.workers: several worker processes need PostgreSQL; with SQLite run one "
            "(its writes are serialized inside the one process)"
        )
    from app.tracing import tracing_problem

    return tracing_problem(config) or _missing_ldap_client(config)


def _missing_ldap_client(config: RosterConfig) -> str | None:
    from datasources import ldap

    for backend in config.customer_user.backends:
        if isinstance(backend, LdapBackendConfig) and not ldap.client_installed():
            return f"customer_user backend {backend.name!r} is LDAP: {ldap.INSTALL_HINT}"
    return None


async def _check_database(config: RosterConfig) -> None:
    from datasources.storage import open_storage

    storage = await open_storage(config)
    await storage.close()


def cmd_serve(config: RosterConfig, args: argparse.Namespace) -> int:
    import uvicorn

    from app.connection_timeouts import ConnectionTimeouts
    from app.server import create_app
    from app.uvicorn_settings import uvicorn_settings
    from datasources.db.customer_users import SchemaMismatch

    overrides = (("host", args.host), ("port", args.port), ("workers", args.workers))
    server = config.server.model_copy(update={k: v for k, v in overrides if v is not None})
    config = config.model_copy(update={"server": server})
    problem = check_startup(config)
    if problem:
        return _fail(problem)
    path = sqlite_path(config.database.url)
    if path is not None and not path.parent.exists():
        # Said before connecting: aiosqlite's thread, failing to open the file, may still be
        # answering the closed event loop when the command exits (a stray traceback).
        return _fail(sqlite_missing(path))
    try:
        asyncio.run(_check_database(config))
    except SchemaMismatch as exc:
        fixes = "\n".join(f"    {fix}" for fix in exc.fixes)
        return _fail(f"{exc}\n  run:\n{fixes}" if fixes else str(exc))
    if config.auth.allow_anonymous:
        logger.warning(
            "auth.allow_anonymous is on: every request WITHOUT a key acts as an admin. "
            "For the demo on %s only; never in production.",
            server.host,
        )
    if server.workers > 1 and config.live.broker == "local":
        logger.warning(
            "live.broker is local with %d workers: a subscriber hears only the changes made "
            'through its own worker; set live.broker = "redis://host:6379/0" for all of them.',
            server.workers,
        )
    from domain.passwords import scheme_warning

    if weak_scheme := scheme_warning(config.passwords.scheme):
        logger.warning(weak_scheme)
    if config.demo.load_data:
        from app.demo_data import load_demo_data

        asyncio.run(load_demo_data(config))
    # Idle and half-open connections are closed (app/connection_timeouts.py), in one process
    # and in every worker alike.
    timeouts = ConnectionTimeouts.from_config(server)
    if server.workers == 1:
        print(f"Roster: http://{server.host}:{server.port}/graphql", file=sys.stderr)
        uvicorn.run(
            create_app(config),
            host=server.host,
            port=server.port,
            **uvicorn_settings(server, timeouts),
        )
        return 0
    from app.metrics import MULTIPROC_ENV
    from app.workers import Supervision, listening_socket, serve_workers

    try:
        listener = listening_socket(server.host, server.port)
    except OSError as exc:
        return _fail(f"cannot listen on {server.host}:{server.port}: {exc}")
    port = listener.getsockname()[1]
    print(f"Roster: http://{server.host}:{port}/graphql", file=sys.stderr)
    # Each worker loads the same configuration again: the file, the environment overrides
    # and this command line's, handed down as environment overrides.
    if args.config:
        os.environ[CONFIG_ENV] = str(Path(args.config).resolve())
    os.environ[f"{ENV_PREFIX}SERVER__HOST"] = server.host
    os.environ[f"{ENV_PREFIX}SERVER__PORT"] = str(port)
    os.environ[f"{ENV_PREFIX}SERVER__WORKERS"] = str(server.workers)
    os.environ[f"{ENV_PREFIX}DEMO__LOAD_DATA"] = "false"  # loaded once, above
    # The workers' metrics meet in a directory of this run (app/metrics.py).
    # The variable goes with the directory: a process that serves again, or goes on after
    # serving (tests call this in-process), must not read metrics from a deleted directory.
    with tempfile.TemporaryDirectory(prefix="roster-metrics-") as metrics_dir:
        os.environ[MULTIPROC_ENV] = metrics_dir
        try:
            return serve_workers(
                listener, server.workers, Supervision.from_config(server), timeouts
            )
        finally:
            os.environ.pop(MULTIPROC_ENV, None)


def cmd_db_upgrade(config: RosterConfig, args: argparse.Namespace) -> int:
    # Alembic announces each plugin it loads (on import): noise before what matters.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from app.migrate import upgrade

    upgrade(config.database.url, add_indexes=not args.no_indexes)
    print("database schema is up to date", file=sys.stderr)
    return 0


async def _api_key(config: RosterConfig, args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from datasources.db.api_keys import ApiKeyStore, Scope
    from datasources.db.engine import create_engine

    engine = create_engine(config.database)
    store = ApiKeyStore(engine)
    try:
        if args.key_command == "create":
            try:
                secret, key = await store.create(args.name, Scope(args.scope))
            except IntegrityError:
                return _fail(f"an API key named {args.name!r} exists already")
            print(secret)
            print(
                f"created API key {key.name!r} (scope {key.scope.value}); it is shown only now",
                file=sys.stderr,
            )
        elif args.key_command == "list":
            for key in await store.list():
                state = "revoked" if key.revoked else "active"
                print(f"{key.id}\t{key.name}\t{key.scope.value}\t{key.key_prefix}…\t{state}")
        elif args.key_command == "revoke":
            if not await store.revoke(args.name):
                return _fail(f"no active API key named {args.name!r}")
            print(f"revoked API key {args.name!r}", file=sys.stderr)
    finally:
        await engine.dispose()
    return 0


def cmd_api_key(config: RosterConfig, args: argparse.Namespace) -> int:
    return asyncio.run(_api_key(config, args))


def cmd_audit_prune(config: RosterConfig, args: argparse.Namespace) -> int:
    from app.audit_prune import prune

    return asyncio.run(prune(config, dry_run=args.dry_run))


def cmd_export_schema(config: RosterConfig, args: argparse.Namespace) -> int:
    from schema.builder import build_schema

    sdl = build_schema(config).as_str() + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(sdl)
    else:
        sys.stdout.write(sdl)
    return 0


def cmd_demo_load(config: RosterConfig, _args: argparse.Namespace) -> int:
    from app.demo_data import load_demo_data

    asyncio.run(load_demo_data(config))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roster", description=__doc__)
    parser.add_argument("--version", action="version", version=f"roster {version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", help="TOML config file (default: $ROSTER_CONFIG)")
        return p

    serve = with_config(sub.add_parser("serve", help="run the HTTP server"))
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="server processes (server.workers)")
    serve.set_defaults(handler=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    upgrade = with_config(db.add_parser("upgrade", help="migrate to the newest schema"))
    upgrade.add_argument(
        "--no-indexes",
        action="store_true",
        help="add none of Roster's roster_* indexes to OTOBO's tables (README: Adopting an "
        "OTOBO database); pass it on every upgrade of such a database",
    )
    upgrade.set_defaults(handler=cmd_db_upgrade)

    keys = sub.add_parser("api-key", help="API keys").add_subparsers(
        dest="key_command", required=True
    )
    create = with_config(keys.add_parser("create", help="create a key and print it once"))
    create.add_argument("--name", required=True)
    create.add_argument("--scope", choices=["admin", "read", "authenticate"], required=True)
    with_config(keys.add_parser("list", help="list keys (never the keys themselves)"))
    revoke = with_config(keys.add_parser("revoke", help="revoke a key by name"))
    revoke.add_argument("--name", required=True)
    for p in keys.choices.values():
        p.set_defaults(handler=cmd_api_key)

    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True
    )
    prune = with_config(
        audit.add_parser("prune", help="delete events older than [audit] retention_days")
    )
    prune.add_argument("--dry-run", action="store_true", help="only count what would go")
    prune.set_defaults(handler=cmd_audit_prune)

    export = with_config(sub.add_parser("export-schema", help="print the GraphQL SDL"))
    export.add_argument("--output", "-o")
    export.set_defaults(handler=cmd_export_schema)

    from app.bulk.commands import add_commands

    add_commands(sub, with_config)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(
        dest="demo_command", required=True
    )
    with_config(demo.add_parser("load", help="add the demo customers and users")).set_defaults(
        handler=cmd_demo_load
    )
    return parser


def version() -> str:
    """The installed distribution's version (pyproject.toml's, once installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("roster")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging()
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    if config.server.log_format == "json":
        configure_logging("json")
    if config.server.trusted_documents:  # a bad manifest: one line, before anything starts
        from app.persisted_queries import ManifestError, load_manifest

        try:
            load_manifest(config.server.trusted_documents)
        except ManifestError as exc:
            return _fail(str(exc))
    if args.handler is not cmd_export_schema:
        path = sqlite_path(config.database.url)
        if path is not None and (problem := sqlite_problem(path)):
            return _fail(problem)
    try:
        return int(args.handler(config, args))
    except Exception as exc:
        # A database that is down, missing or refuses us: one line, not a traceback.
        database = config.database
        problem = database_problem(exc, database.url, database.connect_timeout_seconds)
        if problem is None:
            raise
        return _fail(problem)


if __name__ == "__main__":
    sys.exit(main())
