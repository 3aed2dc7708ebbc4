"""How Roster's own log lines look, in the CLI and in every server worker process.

``server.log_format = "json"``: one JSON object per line (``time``, ``level``, ``logger``,
``message``, ``request_id`` while a request is handled, and ``exception`` when there is one),
for Roster's loggers and uvicorn's alike; the access lines follow the same shape
(``app/access_log.py``). As text, a record logged while a request is handled ends in
`` id=<request id>``, the token the access line uses, so one ``grep`` finds both; uvicorn's
own lines too (``ERROR:    Exception in ASGI application id=…``, its traceback below).

Why a log record factory and not a filter on Roster's handlers: every record gets its
``request_id`` wherever it goes, to handlers Roster does not set up as well (an operator's
``dictConfig``, pytest's ``caplog``). The id is a context variable (``REQUEST_ID``) that
the access-log middleware sets for each request; tasks and threads started while handling it
(``asyncio.to_thread``, the hashing threads) copy it.
"""

from __future__ import annotations

import copy
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

FORMAT = "%(levelname)s %(name)s: %(message)s"

REQUEST_ID: ContextVar[str | None] = ContextVar("roster_request_id", default=None)
"""The id of the request being handled, set and reset around each request by the access-log
middleware (``app/access_log.py``)."""
_factory_installed = False


def carry_request_ids() -> None:
    """Give every log record a ``request_id`` attribute (None outside a request); idempotent."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def _record_request_id(record: logging.LogRecord) -> str | None:
    value = getattr(record, "request_id", None)
    return value if isinstance(value, str) else None


def _with_request_id(text: str, record: logging.LogRecord) -> str:
    """``text`` (a formatted message) and `` id=<request id>`` when ``record`` has one. A
    message ending in a line break (uvicorn's ``"Exception in ASGI application\n"``) loses
    it: the id stays on the message's line, the traceback follows on the next ones."""
    request_id = _record_request_id(record)
    return f"{text.rstrip(chr(10))} id={request_id}" if request_id else text


class TextFormatter(logging.Formatter):
    """``FORMAT``, and `` id=<request id>`` after the message of a record logged while a
    request is handled (before a traceback, which keeps its lines)."""

    def __init__(self) -> None:
        super().__init__(FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        return _with_request_id(super().formatMessage(record), record)


class UvicornTextFormatter(logging.Formatter):
    """uvicorn's own text lines (its ``DefaultFormatter``: the padded level prefix, colours on
    a terminal) with the request id as ``TextFormatter`` adds it, for what uvicorn logs about
    a request (``Exception in ASGI application``)."""

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        use_colors: bool | None = None,
    ) -> None:
        from uvicorn.logging import DefaultFormatter  # the server's only, not every command's

        super().__init__(fmt, datefmt, style)
        self._uvicorn = DefaultFormatter(fmt, datefmt, style, use_colors=use_colors)

    def formatMessage(self, record: logging.LogRecord) -> str:
        return _with_request_id(self._uvicorn.formatMessage(record), record)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            # Without the trailing line break uvicorn puts before its traceback.
            "message": record.getMessage().rstrip("\n"),
        }
        request_id = _record_request_id(record)
        if request_id:
            fields["request_id"] = request_id
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(fields).decode()


def configure_logging(log_format: str = "text") -> None:
    """Roster's loggers at INFO on standard error (uvicorn configures its own: see
    ``uvicorn_log_config``)."""
    carry_request_ids()
    handler = logging.StreamHandler()
    if log_format != "json":
        handler.setFormatter(TextFormatter())
        logging.basicConfig(level=logging.INFO, handlers=[handler])
        return
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def uvicorn_log_config(log_format: str) -> dict[str, Any] | None:
    """uvicorn's ``log_config``: its default for text (with the request id:
    ``UvicornTextFormatter``), its loggers through the root logger's JSON handler for json."""
    if log_format != "json":
        from uvicorn.config import LOGGING_CONFIG

        config = copy.deepcopy(LOGGING_CONFIG)
        config["formatters"]["default"]["()"] = f"{__name__}.UvicornTextFormatter"
        return config
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            name: {"handlers": [], "level": "INFO", "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
