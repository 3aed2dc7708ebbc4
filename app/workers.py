"""``roster serve`` with several worker processes sharing one port, supervised.

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
served once that worker is up.

Supervision. One dead worker used to stop the whole server (``kill -9`` of one worker: exit 1
within a second, 14,345 refused connections in the next 10 s). Now:
- The parent learns of a death at once (it waits on every worker's process sentinel together
  with the listening socket) and stops handing that worker connections. The connections it had
  handed over but the worker never took still sit in that worker's channel: the parent keeps
  its own copy of the worker's end so it can take them back and hand them to the live workers.
  Only the requests the dead worker was serving are lost.
- A replacement starts after a back-off (0.5 s, doubling with each death of that worker within
  the window, at most 8 s) and gets connections once its event loop runs (its first
  heartbeat), so nobody waits for it to start while other workers are up.
- Each worker's event loop writes the time into a shared double every
  ``server.worker_heartbeat_timeout_seconds`` / 4 (at most every second). A worker whose loop
  has not written for longer than the timeout (blocked in a call, stopped) serves nobody: the
  parent kills it (SIGKILL) and replaces it like a dead one. A worker that is still starting
  gets ``STARTUP_TIMEOUT`` instead.
- More than ``server.worker_restart_limit`` restarts within
  ``server.worker_restart_window_seconds`` (all workers together) are a crash loop, not bad
  luck: the parent logs why, stops the others and exits 1, so the service manager sees it.
Every death and every restart is one WARNING line of ``roster.workers``. SIGINT/SIGTERM are
forwarded to the workers and stop the server (exit 0).
"""

from __future__ import annotations

import array
import asyncio
import ctypes
import logging
import multiprocessing
import select
import signal
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from app.connection_timeouts import ConnectionTimeouts
from app.logs import configure_logging
from domain.config import ServerConfig

logger = logging.getLogger("roster.workers")

BACKLOG = 2048  # uvicorn's default
SUPERVISION_TICK = 0.2  # seconds between checks of the heartbeats and of due restarts
HANDOVER_BATCH = 256  # connections accepted at most between two supervision checks
BACKOFF_FIRST = 0.5  # seconds before a dead worker's first replacement starts...
BACKOFF_CAP = 8.0  # ...doubling with each further death of it within the window, up to this
STARTUP_TIMEOUT = 60.0  # seconds a worker may take to start before it counts as hung


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's one listening socket (``port`` 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.setblocking(False)
    return sock


@dataclass(frozen=True)
class Supervision:
    """When the parent replaces a worker, and when it gives up."""

    restart_limit: int = 5
    restart_window: float = 60.0
    heartbeat_timeout: float = 30.0

    @classmethod
    def from_config(cls, server: ServerConfig) -> Supervision:
        return cls(
            restart_limit=server.worker_restart_limit,
            restart_window=server.worker_restart_window_seconds,
            heartbeat_timeout=server.worker_heartbeat_timeout_seconds,
        )

    @property
    def heartbeat_interval(self) -> float:
        """How often a worker's loop writes its heartbeat: several times per timeout."""
        return min(1.0, self.heartbeat_timeout / 4)


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server without a listening socket: it serves the connections its parent hands
    over ``channel``, writes its heartbeat while its event loop runs, and stops when the parent
    goes away."""

    def __init__(
        self,
        config: uvicorn.Config,
        channel: socket.socket,
        heartbeat: ctypes.c_double,
        interval: float,
    ) -> None:
        super().__init__(config)
        self._channel = channel
        self._taking = False
        self._handovers: set[asyncio.Task[object]] = set()
        self._heartbeat = heartbeat
        self._interval = interval
        self._beating: asyncio.TimerHandle | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the application's start-up, no socket of its own
        if self.started:
            self._channel.setblocking(False)
            asyncio.get_running_loop().add_reader(self._channel.fileno(), self._take_connections)
            self._taking = True
            self._beat()  # the first beat tells the parent this worker serves

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._stop_taking()
        if self._beating is not None:
            self._beating.cancel()
        await super().shutdown(sockets=sockets)

    def _beat(self) -> None:
        # A timer on the event loop, so the beat stops when the loop stops running callbacks.
        # CLOCK_MONOTONIC is one clock for every process on the machine: the parent compares.
        self._heartbeat.value = time.monotonic()
        self._beating = asyncio.get_running_loop().call_later(self._interval, self._beat)

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


def _worker(
    channel: socket.socket,
    heartbeat: ctypes.c_double,
    interval: float,
    timeouts: ConnectionTimeouts,
) -> None:
    configure_logging()  # a spawned process starts without the parent's logging set-up
    config = uvicorn.Config(
        "app.server:app_from_environment",
        factory=True,
        log_level="info",
        access_log=False,  # the app writes its own (app/access_log.py)
        http=timeouts.http_protocol(),
        timeout_keep_alive=timeouts.keep_alive_seconds,
        limit_concurrency=timeouts.limit_concurrency,
    )
    HandedConnectionsServer(config, channel, heartbeat, interval).run()


class RoundRobin:
    """Hands each accepted connection to the next worker's channel that has room.

    ``channels`` are the serving workers' channels (the supervisor replaces the list). A
    connection no worker can take now (every queue full, or no worker serving) waits in the
    parent, and the parent accepts no more until it is handed over: later connections wait in
    the listening backlog meanwhile, as they would for a single process.
    """

    def __init__(self, listener: socket.socket) -> None:
        self._listener = listener
        self.channels: list[socket.socket] = []
        self._next = 0
        self._waiting: deque[socket.socket] = deque()

    @property
    def blocked(self) -> bool:
        """Whether connections wait for a worker's queue to have room."""
        return bool(self._waiting)

    def take_back(self, connection: socket.socket) -> None:
        """A connection handed to a worker that died before taking it: it goes to another."""
        self._waiting.append(connection)

    def hand_over_waiting_connections(self) -> None:
        while self._waiting:
            if not self._send(self._waiting[0]):
                return
            self._waiting.popleft().close()  # the worker holds its own copy once it is sent
        for _ in range(HANDOVER_BATCH):
            try:
                connection, _peer = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of file descriptors: retried on the next tick
                logger.error("cannot accept a connection: %s", exc)
                return
            if not self._send(connection):
                self._waiting.append(connection)
                return
            connection.close()

    def close(self) -> None:
        while self._waiting:
            self._waiting.popleft().close()

    def _send(self, connection: socket.socket) -> bool:
        """Whether a worker took ``connection`` (False: no serving worker has room)."""
        count = len(self.channels)
        for step in range(count):
            index = (self._next + step) % count
            try:
                socket.send_fds(self.channels[index], [b"c"], [connection.fileno()])
            except (BlockingIOError, InterruptedError):
                continue  # that worker's queue is full (far behind): the next one
            except OSError as exc:  # cannot happen while the parent holds both ends
                logger.error("cannot hand a connection to a worker: %s", exc)
                continue
            self._next = (index + 1) % count
            return True
        return False


def _rescue(channel: socket.socket) -> list[socket.socket]:
    """The connections still queued on a dead worker's end of its channel.

    ``recvmsg`` with ``MSG_DONTWAIT``, not ``socket.recv_fds``: before Python 3.12 that one
    drops its ``flags``, and the channel is blocking until a worker has started (a worker
    that died while starting would leave the parent waiting for ever).
    """
    rescued: list[socket.socket] = []
    fd_size = array.array("i").itemsize
    while True:
        try:
            message, ancillary, _flags, _address = channel.recvmsg(
                16, socket.CMSG_LEN(fd_size), socket.MSG_DONTWAIT
            )
        except (BlockingIOError, InterruptedError):
            return rescued
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(data[: len(data) - len(data) % fd_size])
                rescued += [socket.socket(fileno=fd) for fd in fds]
        if not message:
            return rescued


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


@dataclass
class _Slot:
    """One worker place: its channel, heartbeat and the process currently filling it."""

    number: int
    ours: socket.socket  # the parent's end
    theirs: socket.socket  # the worker's end; the parent keeps a copy to take connections back
    heartbeat: ctypes.c_double
    process: BaseProcess | None = None
    started_at: float = 0.0
    serving: bool = False  # in the round robin
    hung: bool = False  # killed by the parent for missing heartbeats
    restart_at: float | None = None
    deaths: deque[float] = field(default_factory=deque)


class WorkerPool:
    """The workers, their supervision and the parent's loop (see the module docstring)."""

    def __init__(
        self,
        listener: socket.socket,
        count: int,
        supervision: Supervision,
        timeouts: ConnectionTimeouts,
    ) -> None:
        self._listener = listener
        self._supervision = supervision
        self._timeouts = timeouts
        self._context = multiprocessing.get_context("spawn")
        self._slots: list[_Slot] = []
        for number in range(1, count + 1):
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            ours.setblocking(False)
            heartbeat = self._context.RawValue(ctypes.c_double, 0.0)
            self._slots.append(_Slot(number, ours, theirs, heartbeat))
        self._dispatcher = RoundRobin(listener)
        self._restarts: deque[float] = deque()
        self._stopping = False
        self._failed = False

    def run(self) -> int:
        """Serve until a signal stops the server (0) or the workers die too often (1)."""
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        for slot in self._slots:
            # The first workers get connections while they start: nobody else could serve them.
            self._start(slot, serving=True)
        try:
            self._loop()
        finally:
            self._listener.close()
            self._terminate_all()
            for slot in self._slots:
                if slot.process is not None:
                    slot.process.join(timeout=30)
                    if slot.process.is_alive():
                        slot.process.kill()
                        slot.process.join()
                slot.ours.close()
                slot.theirs.close()
            self._dispatcher.close()
        return 1 if self._failed else 0

    def _stop(self, _signum: int, _frame: FrameType | None) -> None:
        self._stopping = True
        self._terminate_all()

    def _terminate_all(self) -> None:
        for slot in self._slots:
            if slot.process is not None and slot.process.is_alive():
                slot.process.terminate()

    def _loop(self) -> None:
        next_check = 0.0
        while not self._stopping:
            now = time.monotonic()
            wait = SUPERVISION_TICK
            pending = [s.restart_at for s in self._slots if s.restart_at is not None]
            if pending:
                wait = max(0.0, min(wait, min(pending) - now))
            living = {s.process.sentinel: s for s in self._slots if s.process is not None}
            readers: list[int | socket.socket] = list(living)
            writers: list[socket.socket] = []
            if self._dispatcher.blocked:
                writers = self._dispatcher.channels  # wait for a queue to have room
            elif self._dispatcher.channels:
                readers.append(self._listener)
            readable, writable, _ = select.select(readers, writers, [], wait)
            if self._stopping:
                return
            now = time.monotonic()
            for ready in readable:
                if isinstance(ready, int):
                    self._died(living[ready], now)
            self._start_due(now)
            if self._failed:
                return
            if now >= next_check:
                self._check_heartbeats(now)
                next_check = now + SUPERVISION_TICK
            if writable or self._listener in readable or self._dispatcher.blocked:
                self._dispatcher.hand_over_waiting_connections()

    def _start(self, slot: _Slot, *, serving: bool) -> None:
        slot.heartbeat.value = 0.0
        slot.process = self._context.Process(
            target=_worker,
            args=(
                slot.theirs,
                slot.heartbeat,
                self._supervision.heartbeat_interval,
                self._timeouts,
            ),
            daemon=False,
        )
        slot.process.start()
        slot.started_at = time.monotonic()
        slot.hung = False
        slot.restart_at = None
        self._set_serving(slot, serving)

    def _set_serving(self, slot: _Slot, serving: bool) -> None:
        slot.serving = serving
        self._dispatcher.channels = [s.ours for s in self._slots if s.serving]

    def _died(self, slot: _Slot, now: float) -> None:
        process = slot.process
        assert process is not None
        process.join()
        exitcode, pid = process.exitcode, process.pid
        process.close()
        slot.process = None
        self._set_serving(slot, False)
        for connection in _rescue(slot.theirs):
            self._dispatcher.take_back(connection)
        how = "hung and was killed" if slot.hung else _how_it_ended(exitcode)
        self._replace(slot, now, f"worker {slot.number} (pid {pid}) {how}")

    def _replace(self, slot: _Slot, now: float, what: str) -> None:
        """Schedules ``slot``'s next worker after a back-off, or gives up (see the module)."""
        window = self._supervision.restart_window
        for times in (self._restarts, slot.deaths):
            times.append(now)
            while times and times[0] <= now - window:
                times.popleft()
        limit = self._supervision.restart_limit
        if len(self._restarts) > limit:
            logger.error(
                "%s; that is %d deaths within %g s, more than "
                "server.worker_restart_limit = %d: giving up, stopping the server",
                what,
                len(self._restarts),
                window,
                limit,
            )
            self._failed = True
            return
        backoff = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (len(slot.deaths) - 1))
        slot.restart_at = now + backoff
        logger.warning(
            "%s; restarting it in %.1f s (restart %d of at most %d within %g s)",
            what,
            backoff,
            len(self._restarts),
            limit,
            window,
        )

    def _start_due(self, now: float) -> None:
        for slot in self._slots:
            if slot.restart_at is not None and slot.restart_at <= now:
                try:
                    self._start(slot, serving=False)  # serves from its first heartbeat
                except OSError as exc:  # e.g. out of processes or memory: like a death
                    slot.process = None
                    self._replace(slot, now, f"worker {slot.number} could not start ({exc})")
                    if self._failed:
                        return
                    continue
                assert slot.process is not None
                logger.warning("worker %d restarted (pid %s)", slot.number, slot.process.pid)

    def _check_heartbeats(self, now: float) -> None:
        timeout = self._supervision.heartbeat_timeout
        for slot in self._slots:
            if slot.process is None or slot.hung:
                continue
            beat = slot.heartbeat.value
            if beat == 0.0:  # still starting
                if now - slot.started_at > max(STARTUP_TIMEOUT, timeout):
                    self._kill_hung(slot, f"has not started after {now - slot.started_at:.1f} s")
                continue
            if now - beat > timeout:
                self._kill_hung(
                    slot,
                    f"its event loop has not run for {now - beat:.1f} s "
                    f"(server.worker_heartbeat_timeout_seconds = {timeout:g})",
                )
            elif not slot.serving:
                self._set_serving(slot, True)

    def _kill_hung(self, slot: _Slot, why: str) -> None:
        assert slot.process is not None
        logger.warning("worker %d (pid %s): %s; killing it", slot.number, slot.process.pid, why)
        slot.hung = True
        self._set_serving(slot, False)
        slot.process.kill()  # its death is handled like any other: replaced after a back-off


def serve_workers(
    listener: socket.socket,
    count: int,
    supervision: Supervision | None = None,
    timeouts: ConnectionTimeouts | None = None,
) -> int:
    """Run ``count`` supervised workers on ``listener`` until a signal stops them (0) or they
    die more often than ``supervision`` allows (1)."""
    defaults = ServerConfig()
    pool = WorkerPool(
        listener,
        count,
        supervision or Supervision.from_config(defaults),
        timeouts or ConnectionTimeouts.from_config(defaults),
    )
    return pool.run()
