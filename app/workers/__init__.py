"""``roster serve`` with several worker processes sharing one port, supervised.

The parent owns the one listening socket. It accepts each new connection and hands it to the
workers in turn (round robin) over a Unix socket pair (``SCM_RIGHTS``); the worker then serves
it exactly as if it had accepted it itself. The parent takes part once per connection, never
per request. One module per job:
- ``handover``: the listening socket and the round-robin hand-over of connections (and why
  not let the kernel spread them);
- ``worker_server``: the uvicorn server inside each worker, serving the handed-over
  connections and writing its heartbeat;
- ``supervision``: the parent's loop, replacing a worker that dies or hangs and giving up on
  a crash loop.
"""

from __future__ import annotations

from app.workers.handover import listening_socket
from app.workers.supervision import Supervision, serve_workers

__all__ = ["Supervision", "listening_socket", "serve_workers"]
