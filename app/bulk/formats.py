"""Reading and writing the import/export files: CSV and JSON Lines, streamed.

A file is read one line at a time (bytes, decoded line by line), so a 2 GB file costs the
memory of one batch, and a byte that is not UTF-8 is reported with its line. CSV: a UTF-8
byte-order mark is dropped; the separator is ``,``, ``;`` or a tab, sniffed from the header
line unless given; quoted cells may hold line breaks (the row's line is where it starts).
JSON Lines: one object per line; blank lines are skipped.

The writers are deterministic (fixed columns, ``\\n`` line ends, minimal quoting, keys in a
fixed order), so exporting the same data twice gives the same bytes.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from domain.bulk_rows import ShapeError

BOM = "\ufeff"
DELIMITERS = (",", ";", "\t")


class Format(enum.Enum):
    CSV = "csv"
    JSONL = "jsonl"

    @classmethod
    def of(cls, path: Path, given: str | None) -> Format:
        if given:
            return cls(given)
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".ndjson", ".json"):
            return cls.JSONL
        if suffix in (".csv", ".txt", ".tsv"):
            return cls.CSV
        raise ShapeError(f"{path.name}: say --format csv or --format jsonl (unknown suffix)")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row as the file has it: ``cells`` by column, or ``error`` for a line that is no
    row at all (JSON Lines: not an object)."""

    line: int
    cells: dict[str, Any]
    error: str | None = None


class RowSource:
    """An open file's header (CSV; None for JSON Lines) and rows; ``bytes_read`` says how far
    the reading got (for the progress bar). Use it as a context manager."""

    def __init__(
        self, path: Path, fmt: Format, *, delimiter: str | None = None, encoding: str = "utf-8"
    ) -> None:
        if encoding.lower().replace("_", "-") in ("utf-16", "utf-32", "utf-16-le", "utf-16-be"):
            raise ShapeError(f"--encoding {encoding}: convert the file to UTF-8 first (iconv)")
        self.fmt = fmt
        self.encoding = encoding
        self.bytes_read = 0
        self.header: list[str] | None = None
        self._binary = path.open("rb")
        self._lines = self._decoded()
        self._csv: Any = None
        if fmt is Format.CSV:
            try:
                self._start_csv(delimiter)
            except BaseException:
                self._binary.close()
                raise

    def __enter__(self) -> RowSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._binary.close()

    def _decoded(self) -> Iterator[str]:
        """The file's lines as text; a line that is not ``encoding`` stops with its number."""
        for number, raw in enumerate(self._binary, start=1):
            self.bytes_read += len(raw)
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                byte = raw[exc.start]
                raise ShapeError(
                    f"line {number}: byte 0x{byte:02x} at column {exc.start + 1} is not "
                    f"{self.encoding}; save the file as UTF-8 or pass --encoding "
                    "(e.g. --encoding cp1252)"
                ) from None
            if number == 1 and text.startswith(BOM):
                text = text[1:]
            yield text

    def _start_csv(self, delimiter: str | None) -> None:
        first = next(self._lines, None)
        if first is None:
            raise ShapeError("the file is empty (no header line)")
        sep = delimiter or sniff_delimiter(first)
        lines = self._lines

        def all_lines() -> Iterator[str]:
            yield first
            yield from lines

        self._csv = csv.reader(all_lines(), delimiter=sep, strict=True)
        try:
            self.header = [name.strip() for name in next(self._csv)]
        except csv.Error as exc:
            raise ShapeError(f"line 1: {exc}") from None

    def __iter__(self) -> Iterator[RawRow]:
        return self._csv_rows() if self._csv is not None else self._jsonl_rows()

    def _csv_rows(self) -> Iterator[RawRow]:
        reader, header = self._csv, self.header or []
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ShapeError(f"line {start}: {exc}") from None
            if cells:
                if len(cells) != len(header):
                    message = f"{len(cells)} cells where the header has {len(header)} columns"
                    yield RawRow(start, dict(zip(header, cells, strict=False)), message)
                else:
                    yield RawRow(start, dict(zip(header, cells, strict=True)))
            start = reader.line_num + 1

    def _jsonl_rows(self) -> Iterator[RawRow]:
        for number, text in enumerate(self._lines, start=1):
            if not text.strip():
                continue
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                yield RawRow(number, {}, f"not JSON: {exc}")
                continue
            if not isinstance(value, dict):
                yield RawRow(number, {}, "a line must be one JSON object")
                continue
            yield RawRow(number, value)


def sniff_delimiter(header_line: str) -> str:
    """The separator the header line uses most (outside quotes); ``,`` when none."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


# ---- writing ------------------------------------------------------------------------------


class RowWriter:
    """Writes rows (column → value) to a text stream in one format."""

    def __init__(self, out: IO[str], fmt: Format, columns: Sequence[str]) -> None:
        self.out = out
        self.fmt = fmt
        self.columns = list(columns)
        self._csv = None
        if fmt is Format.CSV:
            self._csv = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            self._csv.writerow(self.columns)

    def write(self, cells: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow([_cell(cells.get(c)) for c in self.columns])
        else:
            self.out.write(orjson.dumps(cells).decode() + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return str(value)


def csv_text(row: Sequence[str]) -> str:
    """One CSV record (for messages and tests)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue()
