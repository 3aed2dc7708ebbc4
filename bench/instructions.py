"""Instructions per request of scenario (3) (one user by login), counted by callgrind in a
one-process ``roster serve`` in prometheus' multiprocess mode (as each worker of ``--workers
N`` runs), over HTTP at concurrency 8. Repeatable to about 0.2 % on a quiet machine (2 %
beside other work), where CPU time moved by 10 % between identical runs: the measure for
judging a change to the per-request path (bench/README.md, "Ninth session").

Needs the benchmark database of ``bench.run`` (run that first, ``--db mariadb`` or not) and
valgrind. System calls and the kernel's side are not counted.

    .venv/bin/python -m bench.run --db mariadb --only 3 --ldap-users 0   # makes the database
    .venv/bin/python -m bench.instructions --db mariadb -n 1000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench import harness, mariadb
from bench.generate import DataSet
from bench.harness import api_key, free_port, server_toml
from bench.http_client import ConnectionPool
from bench.measure import drive, graphql_call
from bench.scenarios import ONE


async def count(url: str, requests: int, config_lines: str) -> Path:
    """Runs the server under callgrind and its requests; returns the folder of its counts."""
    key = await api_key(url)
    port = free_port()
    folder = Path(tempfile.mkdtemp())
    config = folder / "bench.toml"
    config.write_text(
        server_toml(url, port, pool_size=8, workers=1)
        + config_lines
        + "[customer_group]\nsupport = true\n"
    )
    (folder / "metrics").mkdir()
    server = _under_callgrind(config, folder)
    try:
        await _wait_up(port)
        logins = DataSet().sample_logins(500)
        async with ConnectionPool("127.0.0.1", port, 8) as client:
            headers = {"Authorization": f"Bearer {key}"}
            call = graphql_call(client, headers, ONE, lambda n: {"l": logins[n % 500]})
            await drive("warm-up", call, requests=400, concurrency=8)
            _control("-i", "on", server.pid)
            await drive("counted", call, requests=requests, concurrency=8)
            _control("-i", "off", server.pid)
            _control("-d", "", server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return folder


def _under_callgrind(config: Path, folder: Path) -> subprocess.Popen[bytes]:
    """``roster serve --config config`` under callgrind, counting nothing until told."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind is not installed (Debian's valgrind package)")
    return subprocess.Popen(  # noqa: S603 - valgrind around our own CLI
        [
            valgrind,
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder / 'callgrind.out'}",
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--config",
            str(config),
        ],
        cwd=harness.ROOT,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def instructions(folder: Path) -> int:
    """The instructions counted (the largest total among the dumps)."""
    return max(
        int(line.split()[1])
        for dump in folder.glob("callgrind.out*")
        for line in dump.read_text().splitlines()
        if line.startswith(("summary:", "totals:"))
    )


def _control(option: str, value: str, pid: int) -> None:
    arguments = [
        shutil.which("callgrind_control") or "callgrind_control",
        option,
        *([value] if value else []),
        str(pid),
    ]
    subprocess.run(arguments, capture_output=True, check=False)  # noqa: S603


async def _wait_up(port: int) -> None:
    """Until the server under valgrind answers (its start-up takes a minute there)."""
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                await client.get(f"http://127.0.0.1:{port}/healthz")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.5)
    raise SystemExit("the server under valgrind did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=("postgresql", "mariadb"), default="postgresql")
    parser.add_argument("-n", type=int, default=1000, help="requests counted")
    parser.add_argument(
        "--server", default="access_log = true\n", help="extra [server] lines, e.g. metrics=false"
    )
    args = parser.parse_args()
    if args.db == "mariadb":
        url = mariadb.database_url()
    else:
        url = f"postgresql+asyncpg://{harness.ADMIN_DSN.split('://', 1)[1].rsplit('/', 1)[0]}"
        url += f"/{harness.DB_NAME}"
    folder = asyncio.run(count(url, args.n, args.server.replace("\\n", "\n") + "\n"))
    per_request = instructions(folder) / args.n
    print(f"{per_request / 1000:.1f}k instructions per request ({args.db}, {args.n} counted)")


if __name__ == "__main__":
    main()
