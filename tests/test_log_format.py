"""``server.log_format = "json"`` for Roster's own log lines (``app/logs.py``): one JSON object
per line, the exception included, a message with line breaks still one line."""

from __future__ import annotations

import json
import logging
import sys

from app.logs import JsonFormatter, uvicorn_log_config


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
