"""``roster serve`` with several worker processes sharing one port.

The parent owns the one listening socket. It accepts each new connection and hands it to the
workers in turn (round robin) over a Unix socket pair (``SCM_RIGHTS``); the worker then serves
it exactly as if it had accepted it itself. The parent takes part once per connection, never
per request.

Why not let the kernel spread the connections:
- ``uvicorn --workers`` shares one listening socket, and whichever process wakes first accepts
  the new connection. Clients that keep connections open (a frontend's HTTP client, a reverse
  proxy's upstream pool) then mostly end up on one busy worker while the others idle; the
  benchmark saw one of two workers serve every request.
- One ``SO_REUSEPORT`` socket per worker (this module's first design) lets the kernel pick the
  socket by a hash of the client's address and port. A client's eight kept-alive connections
  then landed 4/4, 5/3 or 6/2 on two workers, differently on every run, and the busier worker
  set the latency: the benchmark's lookup by login took 3 times its SQL floor on one run and
  5 times on the next.
Round robin gives every worker its share of each batch of connections, whatever their ports.

Connections made while the workers start wait in the parent's channel to their worker and are
served once that worker is up. The parent also supervises: it forwards SIGINT/SIGTERM to the
workers and stops all of them with an error if one dies.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import select
import signal
import socket
from types import FrameType

import uvicorn

from app.logs import configure_logging

logger = logging.getLogger("roster.workers")

BACKLOG = 2048  # uvicorn's default
SUPERVISION_TICK = 0.2  # seconds between checks that every worker is alive


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's one listening socket (``port`` 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.setblocking(False)
    return sock


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server without a listening socket: it serves the connections its parent hands
    over ``channel``, and stops when the parent goes away."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self._channel = channel
        self._taking = False
        self._handovers: set[asyncio.Task[object]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the application's start-up, no socket of its own
        if self.started:
            self._channel.setblocking(False)
            asyncio.get_running_loop().add_reader(self._channel.fileno(), self._take_connections)
            self._taking = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._stop_taking()
        await super().shutdown(sockets=sockets)

    def _stop_taking(self) -> None:
        if self._taking:
            asyncio.get_running_loop().remove_reader(self._channel.fileno())
            self._taking = False

    def _take_connections(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                message, fds, _flags, _address = socket.recv_fds(self._channel, 16, 1)
            except (BlockingIOError, InterruptedError):
                return
            if not message:  # the parent is gone: nobody supervises this worker any more
                logger.error("the server's parent process is gone; stopping")
                self._stop_taking()
                self.should_exit = True
                return
            for fd in fds:
                connection = socket.socket(fileno=fd)
                connection.setblocking(False)
                handover = loop.create_task(
                    loop.connect_accepted_socket(self._protocol, connection, ssl=self.config.ssl)
                )
                self._handovers.add(handover)
                handover.add_done_callback(self._handover_done)

    def _handover_done(self, handover: asyncio.Task[object]) -> None:
        self._handovers.discard(handover)
        if not handover.cancelled() and handover.exception() is not None:
            logger.warning("a connection could not be taken over: %s", handover.exception())

    def _protocol(self) -> asyncio.Protocol:
        # What uvicorn's own ``startup`` builds for every accepted connection.
        return self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )


def _worker(channel: socket.socket) -> None:
    configure_logging()  # a spawned process starts without the parent's logging set-up
    config = uvicorn.Config(
        "app.server:app_from_environment",
        factory=True,
        log_level="info",
        access_log=False,  # the app writes its own (app/access_log.py)
    )
    HandedConnectionsServer(config, channel).run()


class RoundRobin:
    """Hands each accepted connection to the next worker's channel."""

    def __init__(self, listener: socket.socket, channels: list[socket.socket]) -> None:
        self._listener = listener
        self._channels = channels
        self._next = 0
        for channel in channels:
            channel.setblocking(False)

    def hand_over_waiting_connections(self) -> None:
        while True:
            try:
                connection, _peer = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of file descriptors: retried on the next tick
                logger.error("cannot accept a connection: %s", exc)
                return
            with connection:  # the worker holds its own copy once it is sent
                self._send(connection)

    def _send(self, connection: socket.socket) -> None:
        first = self._next
        self._next = (first + 1) % len(self._channels)
        # A worker whose queue is full (far behind) is skipped; when all are, wait for the
        # first one, which leaves later connections in the listening backlog meanwhile.
        order = self._channels[first:] + self._channels[:first]
        if not any(self._try_send(channel, connection) for channel in order):
            select.select([], [order[0]], [], None)
            self._try_send(order[0], connection)

    @staticmethod
    def _try_send(channel: socket.socket, connection: socket.socket) -> bool:
        """Whether ``channel`` is done with ``connection`` (False: its queue is full)."""
        try:
            socket.send_fds(channel, [b"c"], [connection.fileno()])
        except (BlockingIOError, InterruptedError):
            return False
        except OSError as exc:  # that worker is gone; the supervisor stops them all
            logger.error("cannot hand a connection to a worker: %s", exc)
        return True


def serve_workers(listener: socket.socket, count: int) -> int:
    """Run ``count`` workers on ``listener`` until a signal stops them (0) or one dies (1)."""
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(count)]
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker, args=(theirs,), daemon=False) for _ours, theirs in pairs
    ]
    for process in workers:
        process.start()
    for _ours, theirs in pairs:
        theirs.close()  # the workers hold their own copies
    dispatcher = RoundRobin(listener, [ours for ours, _theirs in pairs])
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
        readable, _, _ = select.select([listener], [], [], SUPERVISION_TICK)
        if readable and not stopping:
            dispatcher.hand_over_waiting_connections()
    listener.close()
    failed = not stopping
    if failed:
        logger.error("a worker process exited; stopping the others")
        stop(signal.SIGTERM, None)
    for process in workers:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    for ours, _theirs in pairs:
        ours.close()
    return 1 if failed else 0
