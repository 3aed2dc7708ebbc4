"""How Roster's own log lines look, in the CLI and in every server worker process."""

from __future__ import annotations

import logging

FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure_logging() -> None:
    """Roster's loggers at INFO on standard error (uvicorn configures its own)."""
    logging.basicConfig(level=logging.INFO, format=FORMAT)
