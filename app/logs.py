"""How Roster's own log lines look, in the CLI and in every server worker process.

``server.log_format = "json"``: one JSON object per line (``time``, ``level``, ``logger``,
``message``, and ``exception`` when there is one), for Roster's loggers and uvicorn's alike;
the access lines follow the same shape (``app/access_log.py``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

FORMAT = "%(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(fields).decode()


def configure_logging(log_format: str = "text") -> None:
    """Roster's loggers at INFO on standard error (uvicorn configures its own: see
    ``uvicorn_log_config``)."""
    if log_format != "json":
        logging.basicConfig(level=logging.INFO, format=FORMAT)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def uvicorn_log_config(log_format: str) -> dict[str, Any] | None:
    """uvicorn's ``log_config``: its default for text, its loggers through the root logger's
    JSON handler for json."""
    if log_format != "json":
        from uvicorn.config import LOGGING_CONFIG

        return LOGGING_CONFIG
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            name: {"handlers": [], "level": "INFO", "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
