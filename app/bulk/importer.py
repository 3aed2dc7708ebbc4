"""``roster import``: a file streamed through the bulk-import use case in batches.

Two passes over the file: the customers first, then the customer users, so a user may name a
customer that comes later in the file (a CSV without a ``type`` column holds users only and
is read once). Each batch is one call of ``resolvers.use_cases.bulk_import.import_batch``:
one transaction, every accepted row whole, refused rows to the reject file with their typed
problems. Keys seen in earlier batches are kept in a temporary SQLite file, not in memory,
so duplicate logins (case-insensitively) are found across the whole file while memory stays
flat whatever its size.

Live updates: each committed batch is published as ONE broker message of one notice per object
its audit events name, exactly as one ``customerUsersImport`` call is
(``domain.live.notices_of_events``), through ``publish`` (the ``[live]`` broker, when it
reaches other processes: ``app.bulk.commands``). A dry run publishes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from app.bulk.formats import Format, RawRow, RowSource, RowWriter
from app.bulk.progress import Progress
from datasources.storage import Storage
from datasources.unit_of_work import Commits, Outcome, counting_commits
from domain.bulk_rows import CUSTOMER_KIND, TYPE, USER_KIND, Columns, ImportRow, RowKind, parse_row
from domain.errors import ErrorCode, Problem
from domain.live import Notice, notices_of_events
from resolvers.context import Actor
from resolvers.use_cases.bulk_import import (
    Action,
    ImportRun,
    RowResult,
    import_batch,
)
from resolvers.use_cases.bulk_import import (
    import_columns as columns_of,
)

BATCH_SIZE = 2000
"""Rows per transaction. 2,000 rather than 1,000: a batch's fixed costs (~20 statements, the
index merge, one audit event per group and customer it touches) spread over twice the rows,
-13 % CPU per user on both sides (bench/README.md, bulk import); memory stays flat (~120 MB)."""
IN_FLIGHT = 2
"""Batches being written at once (PostgreSQL, MariaDB; SQLite has one writer: 1)."""
YIELD_EVERY = 100
"""Rows parsed between two turns of the event loop (for the batch in flight)."""


@dataclass
class ImportOptions:
    path: Path
    fmt: Format
    dry_run: bool = False
    delimiter: str | None = None
    encoding: str = "utf-8"
    batch_size: int = BATCH_SIZE
    reject_path: Path | None = None
    source: str | None = None


@dataclass
class Summary:
    counts: Counter[Action] = field(default_factory=Counter)
    reject_path: Path | None = None

    def line(self, dry_run: bool) -> str:
        c = self.counts
        verbs = ("would create", "would update") if dry_run else ("created", "updated")
        text = (
            f"{verbs[0]} {c[Action.CREATED]}, {verbs[1]} {c[Action.UPDATED]}, "
            f"unchanged {c[Action.UNCHANGED]}, refused {c[Action.REFUSED]}"
        )
        if self.reject_path is not None:
            text += f" (refused rows: {self.reject_path})"
        return text + ("; dry run, nothing was written" if dry_run else "")


class _SeenKeys:
    """Keys of the rows already read, on disk (a temporary SQLite file)."""

    def __init__(self, folder: str) -> None:
        self.db = sqlite3.connect(Path(folder) / "seen.db")
        self.db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def mark(self, rows: list[ImportRow]) -> None:
        """Add a ``DUPLICATE`` problem to every row whose key an earlier batch had."""
        keyed = [r for r in rows if r.key]
        keys = [f"{r.kind.value}:{r.key.lower()}" for r in keyed]
        earlier: dict[str, int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, line FROM seen WHERE key IN ({marks})"  # noqa: S608 - marks
            earlier.update(self.db.execute(query, chunk).fetchall())
        for row, key in zip(keyed, keys, strict=True):
            if key in earlier:
                field = "UserLogin" if row.kind is RowKind.CUSTOMER_USER else "CustomerID"
                message = f"{row.key!r} is in the file already, at line {earlier[key]}."
                row.problems.append(Problem((field,), ErrorCode.DUPLICATE, message))
        new = [(k, r.line) for r, k in zip(keyed, keys, strict=True) if k not in earlier]
        self.db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", new)


class _DiskMap(MutableMapping[str, str]):
    """A dry run's pending keys (``ImportRun.pending_emails``/``pending_customers``) in a
    table of the temporary SQLite file: they grow with the file, memory must not."""

    def __init__(self, db: sqlite3.Connection, table: str) -> None:
        self.db, self.table = db, table
        db.execute(f"CREATE TABLE {table} (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")

    def __getitem__(self, key: str) -> str:
        query = f"SELECT value FROM {self.table} WHERE key = ?"  # noqa: S608 - our name
        found = self.db.execute(query, (key,)).fetchone()
        if found is None:
            raise KeyError(key)
        return str(found[0])

    def __setitem__(self, key: str, value: str) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        self.db.execute(f"DELETE FROM {self.table} WHERE key = ?", (key,))  # noqa: S608

    def __iter__(self) -> Iterator[str]:
        query = f"SELECT key FROM {self.table}"  # noqa: S608 - our name
        return (str(row[0]) for row in self.db.execute(query))

    def __len__(self) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])  # noqa: S608

    def update(self, other: Any = (), /, **kwargs: str) -> None:
        pairs = other.items() if isinstance(other, Mapping) else other
        query = f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?)"  # noqa: S608 - our name
        self.db.executemany(query, [*pairs, *kwargs.items()])


class _Rejects:
    """The reject file, in the input's format, created on the first refused row."""

    def __init__(self, path: Path, fmt: Format, header: list[str] | None) -> None:
        self.path, self.fmt, self.header = path, fmt, header
        self._out: IO[str] | None = None
        self._writer: RowWriter | None = None

    def write(self, line: int, cells: dict[str, Any], problems: list[Problem]) -> None:
        if self._writer is None:
            self._out = self.path.open("w", encoding="utf-8", newline="")
            columns = [*(self.header or []), "line", "error"]
            self._writer = RowWriter(self._out, self.fmt, columns)
        error = "; ".join(_problem_text(p) for p in problems)
        if self.fmt is Format.CSV:
            self._writer.write({**cells, "line": line, "error": error})
        else:
            listed = [
                {"code": p.code.value, "field": list(p.field), "message": p.message}
                for p in problems
            ]
            self._writer.write({**cells, "_line": line, "_errors": listed})

    def close(self) -> None:
        if self._out is not None:
            self._out.close()

    @property
    def used(self) -> bool:
        return self._writer is not None


def _problem_text(problem: Problem) -> str:
    where = ".".join(problem.field)
    return (
        f"{problem.code.value} {where}: {problem.message}"
        if where
        else (f"{problem.code.value}: {problem.message}")
    )


Publish = Callable[[list[Notice]], None]


async def run_import(
    storage: Storage,
    actor: Actor,
    options: ImportOptions,
    out: IO[str],
    err: IO[str],
    publish: Publish | None = None,
) -> Summary:
    """Import ``options.path``; print the dry run's row-by-row report to ``out`` and the
    progress to ``err``; hand each committed batch's live notices to ``publish``. Raises
    ``ShapeError`` for a file that cannot be read."""
    columns = columns_of(storage, options.source)
    with _open(options) as source:
        header = source.header
    if header is not None:
        columns.check_header(header)
    two_passes = header is None or TYPE in header
    size = options.path.stat().st_size
    reject_path = options.reject_path or options.path.with_name(
        f"{options.path.stem}.rejects.{options.fmt.value}"
    )
    reject_path.unlink(missing_ok=True)  # a reject file of an earlier run would mislead
    with tempfile.TemporaryDirectory(prefix="roster-import-") as folder:
        seen = _SeenKeys(folder)
        run = ImportRun(dry_run=options.dry_run, source=options.source)
        run.pending_customers = _DiskMap(seen.db, "pending_customers")
        run.pending_emails = _DiskMap(seen.db, "pending_emails")
        job = _Import(
            storage=storage,
            actor=actor,
            options=options,
            columns=columns,
            run=run,
            seen=seen,
            rejects=_Rejects(reject_path, options.fmt, header),
            progress=Progress(err, total_bytes=size * (2 if two_passes else 1)),
            out=out,
            publish=publish,
        )
        try:
            for kind in [RowKind.CUSTOMER, RowKind.CUSTOMER_USER] if two_passes else [None]:
                await job.one_pass(kind)
        finally:
            job.close()
    job.summary.reject_path = job.rejects.path if job.rejects.used else None
    return job.summary


def _open(options: ImportOptions) -> RowSource:
    return RowSource(
        options.path, options.fmt, delimiter=options.delimiter, encoding=options.encoding
    )


_Batch = tuple[Outcome[list[RowResult]], Commits]


@dataclass
class _Import:
    """One run's state across its passes and batches."""

    storage: Storage
    actor: Actor
    options: ImportOptions
    columns: Columns
    run: ImportRun
    seen: _SeenKeys
    rejects: _Rejects
    progress: Progress
    out: IO[str]
    publish: Publish | None = None
    summary: Summary = field(default_factory=Summary)
    _in_flight: deque[tuple[list[ImportRow], asyncio.Task[_Batch]]] = field(default_factory=deque)

    def close(self) -> None:
        self.seen.db.close()
        self.rejects.close()
        self.progress.finish()

    async def one_pass(self, kind: RowKind | None) -> None:
        """Read the file once, importing the rows of ``kind`` (None: every row); a line that
        is no row is reported in the users' pass (or the only one).

        Batches overlap: while one is checked and written, the next is read and parsed (the
        loop yields every few rows so the batch's database answers are taken in between),
        and on PostgreSQL and MariaDB two batches of users may be in flight on two
        connections. That is safe as for concurrent mutations: the logins of two batches
        never overlap (a repeated one is refused before), and e-mail addresses and relation
        tables are locked in each batch's transaction. Results are reported in file order."""
        try:
            await self._read_pass(kind)
        except BaseException:
            await self._abandon()
            raise
        self.progress.end_pass()

    async def _abandon(self) -> None:
        """The file turned out unreadable: the batches in flight finish (they are whole
        transactions of rows read before), and are reported, before the error is."""
        while self._in_flight:
            with contextlib.suppress(Exception):
                await self._finish_oldest()

    async def _read_pass(self, kind: RowKind | None) -> None:
        with _open(self.options) as source:
            batch: list[ImportRow] = []
            for raw in source:
                self.progress.read_to(source.bytes_read)
                row = self._row(raw, kind, source.header is None)
                if row is not None:
                    batch.append(row)
                    if len(batch) % YIELD_EVERY == 0:
                        await asyncio.sleep(0)
                if len(batch) >= self.options.batch_size:
                    await self._flush(batch)
                    batch = []
            if batch:
                await self._flush(batch)
            while self._in_flight:
                await self._finish_oldest()

    def _row(self, raw: RawRow, kind: RowKind | None, check_keys: bool) -> ImportRow | None:
        if raw.error is not None:
            if kind is RowKind.CUSTOMER:
                return None
            problem = Problem((), ErrorCode.INVALID, raw.error)
            row = ImportRow(raw.line, RowKind.CUSTOMER_USER, {}, raw.cells, problems=[problem])
            row.broken = True
            return row
        row_kind = str(raw.cells.get(TYPE) or USER_KIND).strip().lower()
        is_customer = row_kind == CUSTOMER_KIND
        if (kind is RowKind.CUSTOMER) != is_customer and kind is not None:
            return None
        text_cells = self.options.fmt is Format.CSV
        row = parse_row(self.columns, raw.line, raw.cells, text_cells=text_cells)
        unknown = self.columns.unknown(list(raw.cells)) if check_keys else []
        if unknown:
            message = f"unknown field(s): {', '.join(unknown)}"
            row.problems.append(Problem((), ErrorCode.INVALID, message))
        return row

    async def _flush(self, batch: list[ImportRow]) -> None:
        self.seen.mark(batch)  # in file order, before any later batch is read
        # Customers one batch at a time: their names are unique, and that is checked, not
        # locked (SQLite has one writer anyway).
        customers = any(row.kind is RowKind.CUSTOMER for row in batch)
        depth = 1 if self.storage.config.database.is_sqlite or customers else IN_FLIGHT
        while len(self._in_flight) >= depth:
            await self._finish_oldest()
        task = asyncio.create_task(self._import_batch(batch))
        self._in_flight.append((batch, task))

    async def _import_batch(self, batch: list[ImportRow]) -> _Batch:
        """One batch, with the audit events its transactions committed (in the task's own
        context: two batches in flight count apart)."""
        with counting_commits() as commits:
            outcome = await import_batch(self.storage, self.actor, batch, self.run)
        return outcome, commits

    async def _finish_oldest(self) -> None:
        batch, task = self._in_flight.popleft()
        try:
            outcome, commits = await task
        except BaseException:
            for _, other in self._in_flight:
                other.cancel()
            raise
        if self.publish is not None and commits.events and not self.options.dry_run:
            self.publish(notices_of_events(commits.events, time.time()))
        _report(outcome.record or [], self.options, self.rejects, self.summary, self.out)
        self.progress.rows(len(batch))


def _report(
    results: list[RowResult],
    options: ImportOptions,
    rejects: _Rejects,
    summary: Summary,
    out: IO[str],
) -> None:
    for result in results:
        summary.counts[result.action] += 1
        if result.action is Action.REFUSED:
            cells = dict(result.row.raw)
            rejects.write(result.row.line, cells, result.problems)
        if options.dry_run:
            out.write(_row_line(result) + "\n")


def _row_line(result: RowResult) -> str:
    """One line of the dry run's report."""
    row = result.row
    where = f"line {row.line}: {row.kind.value} {row.key or '(no key)'}"
    if result.action is Action.REFUSED:
        return f"{where}: refused: " + "; ".join(_problem_text(p) for p in result.problems)
    if result.action is Action.UNCHANGED:
        return f"{where}: unchanged"
    verb = "would create" if result.action is Action.CREATED else "would update"
    changed = f" ({', '.join(result.changed)})" if result.changed else ""
    return f"{where}: {verb}{changed}"
