"""The parent's supervision of the worker processes (``roster serve --workers N``).

One dead worker used to stop the whole server (``kill -9`` of one worker: exit 1 within a
second, 14,345 refused connections in the next 10 s). Now:
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

from app.connection_timeouts import ConnectionTimeouts
from app.metrics import process_died
from app.workers.handover import RoundRobin, rescue_connections
from app.workers.worker_server import run_worker
from domain.config import ServerConfig

logger = logging.getLogger("roster.workers")

SUPERVISION_TICK = 0.2  # seconds between checks of the heartbeats and of due restarts
BACKOFF_FIRST = 0.5  # seconds before a dead worker's first replacement starts...
BACKOFF_CAP = 8.0  # ...doubling with each further death of it within the window, up to this
STARTUP_TIMEOUT = 60.0  # seconds a worker may take to start before it counts as hung


@dataclass(frozen=True)
class Supervision:
    """When the parent replaces a worker, and when it gives up."""

    restart_limit: int = 5
    restart_window: float = 60.0
    heartbeat_timeout: float = 30.0
    shutdown_timeout: float = 30.0
    """How long a stopping worker may finish its requests (``server.shutdown_timeout_seconds``)
    before the parent kills it."""

    @classmethod
    def from_config(cls, server: ServerConfig) -> Supervision:
        return cls(
            restart_limit=server.worker_restart_limit,
            restart_window=server.worker_restart_window_seconds,
            heartbeat_timeout=server.worker_heartbeat_timeout_seconds,
            shutdown_timeout=server.shutdown_timeout_seconds,
        )

    @property
    def heartbeat_interval(self) -> float:
        """How often a worker's loop writes its heartbeat: several times per timeout."""
        return min(1.0, self.heartbeat_timeout / 4)


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
                    slot.process.join(timeout=self._supervision.shutdown_timeout + 5)
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
            target=run_worker,
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
        if pid is not None:
            process_died(pid)  # its live gauges leave /metrics (app/metrics.py)
        slot.process = None
        self._set_serving(slot, False)
        for connection in rescue_connections(slot.theirs):
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
