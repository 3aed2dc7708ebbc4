"""``server.log_format = "json"`` for Roster's own log lines (``app/logs.py``): one JSON object
per line, the exception included, a message with line breaks still one line."""

from __future__ import annotations

import json
import logging
import sys

from app.logs import JsonFormatter, UvicornTextFormatter, uvicorn_log_config


def test_a_record_is_one_line_of_json() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "roster.test", logging.WARNING, __file__, 1, "two\nlines %s", ("here",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "WARNING"
    assert fields["logger"] == "roster.test"
    assert fields["message"] == "two\nlines here"
    assert fields["time"].endswith("+00:00")
    assert "ValueError: boom" in fields["exception"]


def test_uvicorn_logs_through_the_json_handler() -> None:
    config = uvicorn_log_config("json")
    assert config is not None
    assert config["loggers"]["uvicorn.error"] == {
        "handlers": [],
        "level": "INFO",
        "propagate": True,
    }
    text = uvicorn_log_config("text")
    assert text is not None
    assert "formatters" in text  # uvicorn's own default


def test_uvicorn_text_lines_end_in_the_request_id() -> None:
    config = uvicorn_log_config("text")
    assert config is not None
    settings = dict(config["formatters"]["default"])
    assert settings.pop("()") == "app.logs.UvicornTextFormatter"
    formatter = UvicornTextFormatter(**settings)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failed = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n", (),
            sys.exc_info(),
        )  # fmt: skip
    failed.request_id = "r-1"
    lines = formatter.format(failed).splitlines()
    assert lines[0] == "ERROR:    Exception in ASGI application id=r-1"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "RuntimeError: boom"
    started = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, "Application startup complete.", (), None
    )
    started.request_id = None
    assert formatter.format(started) == "INFO:     Application startup complete."
