"""The import's progress display: a bar with rate and ETA on a terminal, plain lines in a
log (the stream is a real text stream; only its ``isatty`` answer is chosen)."""

from __future__ import annotations

import io

from app.bulk.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_redrawn_bar_with_rate_and_eta() -> None:
    out = Terminal()
    progress = Progress(out, total_bytes=1000)
    progress.read_to(500)
    progress.rows(1000)
    progress.finish()
    text = out.getvalue()
    assert text.startswith("\r[###############---------------]  50% 1,000 rows, ")
    assert "rows/s, ETA 0:00:" in text
    assert text.endswith("\n")


def test_a_log_gets_plain_lines_only_every_few_seconds() -> None:
    out = io.StringIO()
    progress = Progress(out, total_bytes=1000)
    progress.read_to(500)
    progress.rows(1000)  # right after the start: no line yet
    assert out.getvalue() == ""
    progress._shown -= 10  # as if the last line were 10 s old
    progress.rows(1000)
    progress.finish()
    assert out.getvalue().startswith("import:  50% 2,000 rows, ")
    assert "\r" not in out.getvalue()
