"""The ``roster import`` and ``roster export`` commands (argument handling and output)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from app.bulk.formats import Format
from domain.bulk_rows import ShapeError
from domain.config import RosterConfig

if TYPE_CHECKING:
    from datasources.live import Broker
    from datasources.storage import Storage
    from resolvers.context import Actor

HASH_WARNING = (
    "roster export: WARNING: the output holds password hashes; anyone who has it can try "
    "to crack them offline. Keep it as safe as the database itself, and delete it when done."
)


def _cli_actor() -> Actor:
    """Writes from the command line are recorded as the keyless local client's."""
    from app.auth import ANONYMOUS
    from resolvers.context import Actor

    return Actor(id=ANONYMOUS.id, name="roster import", scope=ANONYMOUS.scope)


async def _import(config: RosterConfig, args: argparse.Namespace) -> int:
    from app.bulk.importer import ImportOptions, run_import
    from datasources.storage import open_storage
    from resolvers.use_cases.bulk_import import Action

    path = Path(args.file)
    try:
        options = ImportOptions(
            path=path,
            fmt=Format.of(path, args.format),
            dry_run=args.dry_run,
            delimiter=args.delimiter,
            encoding=args.encoding,
            batch_size=args.batch_size,
            reject_path=Path(args.reject_file) if args.reject_file else None,
            source=args.source,
        )
    except ShapeError as exc:
        print(f"roster import: {exc}", file=sys.stderr)
        return 2
    # An import allocates rows by the thousand and keeps few: the collector's default
    # thresholds ran full collections over the whole program that often, a quarter of the
    # import's CPU (bench/README.md, "Bulk import"). The objects of start-up are frozen out
    # of the collections, and the young generation collected less often.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    storage = await open_storage(config)
    broker: Broker | None = None
    try:
        broker = await _publisher(config, storage, dry_run=args.dry_run)
        publish = broker.publish if broker is not None else None
        summary = await run_import(
            storage, _cli_actor(), options, sys.stdout, sys.stderr, publish=publish
        )
    except ShapeError as exc:
        print(f"roster import: {path.name}: {exc}", file=sys.stderr)
        if not args.dry_run:
            print(
                "roster import: the batches before that line were imported; fix the file and "
                "run the import again (rows already imported are unchanged)",
                file=sys.stderr,
            )
        return 2
    finally:
        if broker is not None:
            await _close_publisher(broker)
        await storage.close()
    print(summary.line(args.dry_run), file=sys.stderr)
    return 1 if summary.counts[Action.REFUSED] else 0


LOCAL_BROKER_NOTE = (
    "roster import: note: live.broker is local (one process): subscribers of a running "
    "server are not told of this import live; they see it in the changes feed. Set "
    'live.broker = "redis://…" or "postgres" for live updates from the command line.'
)
DRAIN_SECONDS = 10.0
"""How long the import waits, at its end, for its last live notices to reach the broker."""


async def _publisher(config: RosterConfig, storage: Storage, *, dry_run: bool) -> Broker | None:
    """The ``[live]`` broker, publishing only, through which a real import tells the running
    servers' subscribers of each committed batch; None for a dry run, or the local broker
    (which reaches no other process: a note says so)."""
    from datasources.live import open_broker

    if dry_run:
        return None
    if config.live.broker == "local":
        print(LOCAL_BROKER_NOTE, file=sys.stderr)
        return None
    broker = open_broker(config.live, lambda: storage.engine)
    await broker.start(listen=False)
    return broker


async def _close_publisher(broker: Broker) -> None:
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            await broker.drain()
    except TimeoutError:
        print(
            f"roster import: the last live updates were not published in {DRAIN_SECONDS:.0f} s "
            f"({broker.description}); subscribers find the changes in the changes feed",
            file=sys.stderr,
        )
    await broker.close()


async def _export(config: RosterConfig, args: argparse.Namespace, out: IO[str]) -> int:
    from app.bulk.exporter import run_export
    from datasources.storage import open_storage

    fmt = Format(args.format) if args.format else Format.of(Path(args.output or "x.csv"), None)
    if args.with_password_hashes:
        print(HASH_WARNING, file=sys.stderr)
    storage = await open_storage(config)
    try:
        customers, users = await run_export(
            storage, out, fmt, with_hashes=args.with_password_hashes
        )
    finally:
        await storage.close()
    print(f"exported {customers} customers and {users} customer users", file=sys.stderr)
    return 0


def cmd_import(config: RosterConfig, args: argparse.Namespace) -> int:
    if not Path(args.file).is_file():
        print(f"roster import: {args.file}: no such file", file=sys.stderr)
        return 2
    return asyncio.run(_import(config, args))


def cmd_export(config: RosterConfig, args: argparse.Namespace) -> int:
    if not args.output:
        return asyncio.run(_export(config, args, sys.stdout))
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        return asyncio.run(_export(config, args, out))


def add_commands(sub: argparse._SubParsersAction, with_config: object) -> None:  # type: ignore[type-arg]
    """``roster import`` and ``roster export`` on the command line's subparsers."""
    configured = with_config  # the cli's helper adding --config
    imp = configured(sub.add_parser("import", help="import customers and customer users"))  # type: ignore[operator]
    imp.add_argument("file", help="CSV or JSON Lines (.csv, .jsonl)")
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imp.add_argument("--format", choices=["csv", "jsonl"], help="default: from the suffix")
    imp.add_argument("--delimiter", help="CSV separator (default: sniffed: , ; or tab)")
    imp.add_argument("--encoding", default="utf-8", help="the file's encoding (default utf-8)")
    imp.add_argument(
        "--batch-size", type=int, default=2000, help="rows per transaction (default 2000)"
    )  # importer.BATCH_SIZE (not imported here: the CLI starts without the import's modules)
    imp.add_argument("--reject-file", help="where refused rows go (default FILE.rejects.EXT)")
    imp.add_argument("--source", help="the customer-user backend to import into")
    imp.set_defaults(handler=cmd_import)
    exp = configured(sub.add_parser("export", help="export customers and customer users"))  # type: ignore[operator]
    exp.add_argument("--output", "-o", help="file to write (default: standard output)")
    exp.add_argument("--format", choices=["csv", "jsonl"], help="default: from -o, else csv")
    exp.add_argument(
        "--with-password-hashes",
        action="store_true",
        help="include the stored password hashes (a warning is printed)",
    )
    exp.set_defaults(handler=cmd_export)
