"""The uvicorn settings every server process runs with, in one place: ``roster serve`` with
one process (``app/cli.py``) and each worker of ``--workers N`` (``app/workers``).

- the access log is Roster's own (``app/access_log.py``), uvicorn's is off;
- the HTTP protocol carries the header timeout, and keep-alive and concurrency limits are the
  configured ones (``app/connection_timeouts.py``);
- WebSocket compression is declined (``app/live_transport.PER_MESSAGE_DEFLATE``);
- no ``server: uvicorn`` header: it tells a client which server software to probe and nothing
  it needs, and each response header costs uvicorn two regular-expression checks.
"""

from __future__ import annotations

from typing import Any

from app.connection_timeouts import ConnectionTimeouts
from app.live_transport import PER_MESSAGE_DEFLATE
from app.logs import uvicorn_log_config
from domain.config import ServerConfig


def uvicorn_settings(server: ServerConfig, timeouts: ConnectionTimeouts) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` or ``uvicorn.Config`` (but the app and where to
    listen, which differ between the two)."""
    return {
        "log_level": "info",
        "log_config": uvicorn_log_config(server.log_format),
        "access_log": False,
        "http": timeouts.http_protocol(),
        "timeout_keep_alive": timeouts.keep_alive_seconds,
        "limit_concurrency": timeouts.limit_concurrency,
        "timeout_graceful_shutdown": server.shutdown_timeout_seconds,
        "ws_per_message_deflate": PER_MESSAGE_DEFLATE,
        "server_header": False,
    }
