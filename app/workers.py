"""``roster serve`` with several worker processes, each with its own listening socket.

Why not ``uvicorn --workers``: its workers share one listening socket, and whichever process
wakes first accepts a new connection. Clients that keep connections open (a frontend's HTTP
client, a reverse proxy's upstream pool) then mostly end up on one busy worker while the others
idle; the benchmark saw one of two workers serve every request. Here each worker binds the
port with its own socket (``SO_REUSEPORT``), and the kernel spreads incoming connections over
the sockets. The parent opens all of them before it starts any worker, so connections made
while the workers start are spread too (they wait in their socket's backlog), instead of all
landing on the first worker that is up.

The parent only supervises: it starts the workers (each loads the configuration again, see
``app.server.app_from_environment``), forwards SIGINT/SIGTERM to them, and stops all of them
with an error if one dies.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from types import FrameType

import uvicorn

logger = logging.getLogger("roster.workers")

BACKLOG = 2048  # uvicorn's default


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) that other workers may bind too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(sock: socket.socket, host: str, port: int, access_log: bool) -> None:
    config = uvicorn.Config(
        "app.server:app_from_environment",
        factory=True,
        log_level="info",
        access_log=access_log,
        host=host,
        port=port,
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(host: str, port: int, count: int, access_log: bool) -> int:
    """Run ``count`` workers until a signal stops them (0) or one of them dies (1)."""
    sockets = [reuse_port_socket(host, port) for _ in range(count)]
    for sock in sockets:
        sock.listen(BACKLOG)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker, args=(sock, host, port, access_log), daemon=False)
        for sock in sockets
    ]
    for process in workers:
        process.start()
    for sock in sockets:
        sock.close()  # the workers hold their own copies
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in workers:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(process.is_alive() for process in workers):
        time.sleep(0.2)
    if not stopping:
        logger.error("a worker process exited; stopping the others")
        stop(signal.SIGTERM, None)
    for process in workers:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    return 0 if stopping else 1
