"""What runs inside each worker process: a uvicorn server without a listening socket of its
own, serving the connections the parent hands over, and writing its heartbeat.

The heartbeat: the worker's event loop writes the time into a shared double every
``Supervision.heartbeat_interval``; the parent (``app.workers.supervision``) kills and
replaces a worker whose loop has not written for longer than the timeout.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import socket
import time

import uvicorn

from app.connection_timeouts import ConnectionTimeouts
from app.logs import configure_logging
from app.uvicorn_settings import uvicorn_settings

logger = logging.getLogger("roster.workers")


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


def run_worker(
    channel: socket.socket,
    heartbeat: ctypes.c_double,
    interval: float,
    timeouts: ConnectionTimeouts,
) -> None:
    """The target of each spawned worker process (``channel`` is its end of the socket pair)."""
    from app.settings import load_config

    server = load_config(None).server  # as the parent's, handed down (app/cli.py)
    # A spawned process starts without the parent's logging set-up.
    configure_logging(server.log_format)
    config = uvicorn.Config(
        "app.server:app_from_environment",
        factory=True,
        **uvicorn_settings(server, timeouts),
    )
    HandedConnectionsServer(config, channel, heartbeat, interval).run()
