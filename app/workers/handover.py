"""The parent's listening socket, and the hand-over of each accepted connection to a worker.

Why the parent accepts and hands over rather than letting the kernel spread the connections:
- ``uvicorn --workers`` shares one listening socket, and whichever process wakes first accepts
  the new connection. Clients that keep connections open (a frontend's HTTP client, a reverse
  proxy's upstream pool) then mostly end up on one busy worker while the others idle; the
  benchmark saw one of two workers serve every request.
- One ``SO_REUSEPORT`` socket per worker (the first design of ``app.workers``) lets the kernel
  pick the socket by a hash of the client's address and port. A client's eight kept-alive
  connections then landed 4/4, 5/3 or 6/2 on two workers, differently on every run, and the
  busier worker set the latency: the benchmark's lookup by login took 3 times its SQL floor on
  one run and 5 times on the next.
Round robin gives every worker its share of each batch of connections, whatever their ports.

Connections made while the workers start wait in the parent's channel to their worker and are
served once that worker is up. The connections a worker was handed but never took when it
died are taken back (:func:`rescue_connections`) and handed to the live workers.
"""

from __future__ import annotations

import array
import logging
import socket
from collections import deque

logger = logging.getLogger("roster.workers")

BACKLOG = 2048  # uvicorn's default
HANDOVER_BATCH = 256  # connections accepted at most between two supervision checks


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's one listening socket (``port`` 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.setblocking(False)
    return sock


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


def rescue_connections(channel: socket.socket) -> list[socket.socket]:
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
