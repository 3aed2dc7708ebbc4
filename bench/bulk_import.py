"""``roster import`` of many customer users on PostgreSQL: users per second, and memory.

    .venv/bin/python -m bench.bulk_import                  # 100,000 users (and 20,000 for RSS)
    .venv/bin/python -m bench.bulk_import --sizes 20000
    .venv/bin/python -m bench.bulk_import --file-gb 2       # a 2 GB file, dry run: RSS, rate

Builds a fresh database ``roster_bench_import`` (dropped first), with 50 groups; writes a CSV
of 1,000 customers and N customer users, each with its primary customer, one extra customer
and two group grants, no password (as a spreadsheet from another system has none); then runs
the real command (``roster import``, a subprocess) and reports the wall time, users per
second, and the command's peak RSS (``ru_maxrss`` of the child). The same file is then
imported again (every row unchanged), then a copy whose every user has another first name
(every user updated: the batched ``UPDATE``s). Each size runs on its own fresh database, so
the RSS of two sizes shows whether memory grows with the file.

``--file-gb N``: a CSV of N GB on disk (users only, every text field near its column's length,
~1.4 KB a row, with an extra customer and two group grants each; the 1,000 customers are in
the database already), checked with ``roster import --dry-run``: its peak RSS, CPU time and
rows per second. The file is written next to the system's temporary files (``--folder``) and
deleted after.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import asyncpg

from app.migrate import upgrade

ADMIN_DSN = os.environ.get("ROSTER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("ROSTER_BENCH_IMPORT_DB", "roster_bench_import")
"""Another name (``ROSTER_BENCH_IMPORT_DB``) lets two sessions run the bench at once."""
CUSTOMERS = 1000
GROUPS = 50
HEADER = [
    "type",
    "CustomerID",
    "CustomerCompanyName",
    "ValidID",
    "UserLogin",
    "UserFirstname",
    "UserLastname",
    "UserEmail",
    "UserCustomerID",
    "customers",
    "groups",
]


def db_url() -> str:
    host = ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{host}/{DB_NAME}"


async def fresh_database() -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await conn.execute(f"CREATE DATABASE \"{DB_NAME}\" TEMPLATE template0 ENCODING 'UTF8'")
    finally:
        await conn.close()
    await asyncio.to_thread(upgrade, db_url())
    conn = await asyncpg.connect(db_url().replace("+asyncpg", ""))
    try:
        await conn.executemany(
            "INSERT INTO groups_table (name, comments, valid_id, create_time, create_by, "
            "change_time, change_by) VALUES ($1, '', 1, now(), 1, now(), 1)",
            [(f"group-{n:02d}",) for n in range(1, GROUPS + 1)],
        )
    finally:
        await conn.close()


def write_file(path: Path, users: int, *, given: str = "Given") -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for n in range(CUSTOMERS):
            writer.writerow(["customer", f"C{n:04d}", f"Customer {n:04d}", "1", *[""] * 7])
        for n in range(users):
            primary, extra = n % CUSTOMERS, (n * 7 + 1) % CUSTOMERS
            first, second = n % GROUPS + 1, (n + 17) % GROUPS + 1
            writer.writerow(
                [
                    "customer_user",
                    "",
                    "",
                    "1",
                    f"user{n:07d}",
                    given,
                    f"Family{n}",
                    f"user{n:07d}@bench.test",
                    f"C{primary:04d}",
                    f"C{extra:04d}",
                    f"group-{first:02d}:rw|group-{second:02d}:ro",
                ]
            )


USERS_HEADER = [
    "UserLogin",
    "UserFirstname",
    "UserLastname",
    "UserEmail",
    "UserCustomerID",
    "UserPhone",
    "UserFax",
    "UserMobile",
    "UserStreet",
    "UserZip",
    "UserCity",
    "UserCountry",
    "UserComment",
    "customers",
    "groups",
]
_PAD = {"UserPhone": 140, "UserFax": 140, "UserMobile": 140, "UserStreet": 140}
_PAD |= {"UserZip": 190, "UserCity": 190, "UserCountry": 190, "UserComment": 240}


def user_rows(
    customers: Sequence[str], groups: Sequence[str], *, padded: bool
) -> Iterator[list[str]]:
    """Customer-user rows without end (columns :data:`USERS_HEADER`), each valid and new: a
    primary and an extra customer of ``customers``, two grants of ``groups`` (none without),
    and, ``padded``, every optional text near its column's length (~1.4 KB a row)."""
    n = 0
    while True:
        primary, extra = customers[n % len(customers)], customers[(n * 7 + 1) % len(customers)]
        grants = (
            f"{groups[n % len(groups)]}:rw|{groups[(n + 17) % len(groups)]}:ro" if groups else ""
        )
        cells = {
            "UserLogin": f"user{n:08d}",
            "UserFirstname": "Given",
            "UserLastname": f"Family{n}",
            "UserEmail": f"user{n:08d}@bench.test",
            "UserCustomerID": primary,
            "customers": extra if extra != primary else "",
            "groups": grants,
        }
        if padded:
            cells |= {name: f"{name} {n} ".ljust(size, "x") for name, size in _PAD.items()}
        yield [cells.get(name, "") for name in USERS_HEADER]
        n += 1


def write_users_of_size(
    path: Path, size: int, customers: Sequence[str], groups: Sequence[str], *, padded: bool
) -> int:
    """A users-only CSV of at least ``size`` bytes (streamed to disk); how many rows."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(USERS_HEADER)
        for row in user_rows(customers, groups, padded=padded):
            writer.writerow(row)
            rows += 1
            if rows % 1000 == 0 and out.tell() >= size:
                break
    return rows


CHILD = (
    "import os, resource, sys\n"
    "from app.cli import main\n"
    "profile = os.environ.get('ROSTER_BENCH_PROFILE')\n"
    "if profile:\n"
    "    import cProfile\n"
    "    profiler = cProfile.Profile()\n"
    "    code = profiler.runcall(main, sys.argv[1:])\n"
    "    profiler.dump_stats(profile)\n"
    "else:\n"
    "    code = main(sys.argv[1:])\n"
    "use = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print(f'BENCH {use.ru_maxrss} {use.ru_utime + use.ru_stime}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)
"""``roster import`` in a process of its own that reports its own peak RSS and CPU time
(under cProfile, its statistics written to ``ROSTER_BENCH_PROFILE``, when that is set)."""


def _cpu_ticks(pid: int) -> int | None:
    """utime + stime of process ``pid`` (clock ticks), None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().split()
    except OSError:
        return None
    return int(fields[13]) + int(fields[14])


class ServerCpu(threading.Thread):
    """The CPU time of the PostgreSQL backends serving the bench database, sampled from
    ``/proc`` (each backend's latest reading counts; the import's pool keeps its connections
    to the end, so little is missed)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seconds: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        asyncio.run(self._sample())

    async def _sample(self) -> None:
        conn = await asyncpg.connect(ADMIN_DSN)
        tick = os.sysconf("SC_CLK_TCK")
        try:
            while not self.done.is_set():
                rows = await conn.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = $1", DB_NAME
                )
                for row in rows:
                    used = _cpu_ticks(row["pid"])
                    if used is not None:
                        self.seconds[row["pid"]] = used / tick
                await asyncio.sleep(0.2)
        finally:
            await conn.close()

    def total(self) -> float:
        self.done.set()
        self.join()
        return sum(self.seconds.values())


EXTRA: list[str] = []
"""More arguments of ``roster import`` (``--batch-size``)."""


def run_import(config: Path, path: Path, *extra: str) -> tuple[float, float, int, str, float]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of the command, its summary line, and the
    CPU seconds of the database server's backends."""
    server = ServerCpu()
    server.start()
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-c", CHILD, "import", str(path), "--config", str(config), *EXTRA, *extra],
        stdout=subprocess.DEVNULL,  # a dry run's row-by-row report
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    server_cpu = server.total()
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    lines = result.stderr.strip().splitlines()
    _, rss, cpu = lines[-1].split()
    return elapsed, float(cpu), int(rss), lines[-2], server_cpu


async def add_customers() -> list[str]:
    """The bench's 1,000 customers, in the database (for a users-only file)."""
    ids = [f"C{n:04d}" for n in range(CUSTOMERS)]
    conn = await asyncpg.connect(db_url().replace("+asyncpg", ""))
    try:
        await conn.executemany(
            "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by, "
            "change_time, change_by) VALUES ($1, $2, 1, now(), 1, now(), 1)",
            [(cid, f"Customer {cid}") for cid in ids],
        )
    finally:
        await conn.close()
    return ids


def dry_run_of_size(folder: Path, config: Path, gigabytes: float) -> None:
    """``--file-gb``: write the file, check it with ``--dry-run``, report RSS and rate."""
    asyncio.run(fresh_database())
    customers = asyncio.run(add_customers())
    groups = [f"group-{n:02d}" for n in range(1, GROUPS + 1)]
    path = folder / "users-big.csv"
    try:
        started = time.perf_counter()
        rows = write_users_of_size(path, int(gigabytes * 1e9), customers, groups, padded=True)
        written = time.perf_counter() - started
        size = path.stat().st_size
        print(f"wrote {size / 1e9:.2f} GB, {rows:,} users, in {written:.0f} s", flush=True)
        elapsed, cpu, rss, summary, db_cpu = run_import(config, path, "--dry-run")
        assert f"would create {rows}," in summary, summary
        print(
            "| file GB | users | dry run s (wall) | users/s (wall) | MB/s (wall) | CPU s "
            "| users per CPU s | PostgreSQL CPU s | peak RSS MB |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {size / 1e9:.2f} | {rows:,} | {elapsed:.0f} | {rows / elapsed:,.0f} "
            f"| {size / 1e6 / elapsed:.1f} | {cpu:.0f} | {rows / cpu:,.0f} | {db_cpu:.0f} "
            f"| {rss / 1024:.0f} |",
            flush=True,
        )
    finally:
        path.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,100000", help="user counts, one run each")
    parser.add_argument(
        "--first-only", action="store_true", help="the first import only (no re-imports)"
    )
    parser.add_argument("--batch-size", type=int, help="roster import's --batch-size")
    parser.add_argument("--file-gb", type=float, help="a dry run of a file of this size")
    parser.add_argument("--folder", help="where the --file-gb file is written (default: TMPDIR)")
    args = parser.parse_args()
    if args.batch_size:
        EXTRA.extend(["--batch-size", str(args.batch_size)])
    if args.file_gb:
        with tempfile.TemporaryDirectory(prefix="roster-bench-import-", dir=args.folder) as tmp:
            config = Path(tmp) / "roster.toml"
            config.write_text(f'[database]\nurl = "{db_url()}"\n', encoding="utf-8")
            dry_run_of_size(Path(tmp), config, args.file_gb)
        return
    with tempfile.TemporaryDirectory(prefix="roster-bench-import-") as folder:
        config = Path(folder) / "roster.toml"
        config.write_text(f'[database]\nurl = "{db_url()}"\n', encoding="utf-8")
        print(
            "| users | file MB | import s | users/s | import CPU s | PostgreSQL CPU s "
            "| users per CPU s (both) | peak RSS MB | re-import s | its CPU s (both) "
            "| update s | its CPU s (both) |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for users in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"users-{users}.csv"
            write_file(path, users)
            asyncio.run(fresh_database())
            elapsed, cpu, rss, summary, db_cpu = run_import(config, path)
            assert f"created {users + CUSTOMERS}," in summary, summary
            if args.first_only:
                print(
                    f"| {users:,} | {path.stat().st_size / 1e6:.1f} | {elapsed:.1f} "
                    f"| {users / elapsed:,.0f} | {cpu:.1f} | {db_cpu:.1f} "
                    f"| {users / (cpu + db_cpu):,.0f} | {rss / 1024:.0f} | | | | |",
                    flush=True,
                )
                continue
            again, cpu_again, _, summary_again, db_again = run_import(config, path)
            assert f"created {users + CUSTOMERS}," in summary, summary
            assert f"unchanged {users + CUSTOMERS}," in summary_again, summary_again
            renamed = Path(folder) / f"renamed-{users}.csv"
            write_file(renamed, users, given="Renamed")
            update, cpu_update, _, summary_update, db_update = run_import(config, renamed)
            assert f"updated {users}," in summary_update, summary_update
            size = path.stat().st_size / 1e6
            print(
                f"| {users:,} | {size:.1f} | {elapsed:.1f} | {users / elapsed:,.0f} | {cpu:.1f} "
                f"| {db_cpu:.1f} | {users / (cpu + db_cpu):,.0f} | {rss / 1024:.0f} "
                f"| {again:.1f} | {cpu_again + db_again:.1f} "
                f"| {update:.1f} | {cpu_update + db_update:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
