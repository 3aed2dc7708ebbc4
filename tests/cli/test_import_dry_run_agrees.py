"""A dry run refuses the rows the real run refuses, also when the rows that collide are in
different batches (``--batch-size``): an e-mail address an earlier batch takes, a login an
earlier batch has in another case. On every database kind."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from tests.cli.bulk_helpers import Target
from tests.cli.test_import_export import HEADER, csv_bytes, target, user

__all__ = ["target"]  # the fixture, parametrized over the database kinds


async def test_dry_run_refuses_what_the_real_run_refuses(target: Target, tmp_path: Path) -> None:
    rows = [
        HEADER,
        user("ann", "ACME", UserEmail="a@x.test"),
        user("bob", "ACME", UserEmail="b@x.test"),
        user("carl", "ACME", UserEmail="a@x.test"),  # batch 2: ann's address
        user("ANN", "ACME", UserEmail="other@x.test"),  # batch 2: ann in another case
        user("dora", "ACME", UserEmail="jane.doe@acme.test"),  # batch 3: jdoe's, stored
        user("erin", "ACME", UserEmail="B@X.TEST"),  # batch 3: bob's, in another case
        user("fred", "ACME", UserEmail="f@x.test"),
    ]
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(rows))
    options = ("--batch-size", "2")

    dry = await target.cli("import", "--dry-run", *options, str(path))
    assert dry.returncode == 1, dry.stderr
    found = (re.match(r"line (\d+): .*: refused: (\w+)", line) for line in dry.stdout.splitlines())
    dry_refused = {int(m[1]): m[2] for m in found if m}
    assert "would create 3, would update 0, unchanged 0, refused 4" in dry.stderr

    real = await target.cli("import", *options, str(path))
    assert real.returncode == 1, real.stderr
    assert "created 3, updated 0, unchanged 0, refused 4" in real.stderr
    rejects = csv.DictReader(io.StringIO((tmp_path / "people.rejects.csv").read_text()))
    real_refused = {int(r["line"]): r["error"].split(" ")[0] for r in rejects}

    assert (
        dry_refused
        == real_refused
        == {
            4: "EMAIL_TAKEN",
            5: "DUPLICATE",
            6: "EMAIL_TAKEN",
            7: "EMAIL_TAKEN",
        }
    )


async def test_the_earlier_row_keeps_an_address_whatever_the_batches_timing(
    target: Target, tmp_path: Path
) -> None:
    """Two batches are in flight; the first has 300 passwords to hash, the second none, so
    the second is ready to write first. The address its one row shares with the first
    batch's first row still goes to the earlier row, as in a one-batch-at-a-time import."""
    first = [user("ann", "ACME", UserEmail="shared@x.test", password="Secret-123!")]
    first += [
        user(f"u{n:03d}", "ACME", UserEmail=f"u{n:03d}@x.test", password="Secret-123!")
        for n in range(299)
    ]
    rows = [HEADER, *first, user("zed", "ACME", UserEmail="SHARED@x.test")]
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(rows))
    options = ("--batch-size", "300")

    for run in (("--dry-run",), ()):
        done = await target.cli("import", *run, *options, str(path))
        assert done.returncode == 1, done.stderr
        summary = "would create 300, would update 0" if run else "created 300, updated 0"
        assert f"{summary}, unchanged 0, refused 1" in done.stderr
    rejects = csv.DictReader(io.StringIO((tmp_path / "people.rejects.csv").read_text()))
    assert [(r["line"], r["error"].split(" ")[0]) for r in rejects] == [("302", "EMAIL_TAKEN")]
    stored = await target.rows("SELECT login FROM customer_user WHERE email = 'shared@x.test'")
    assert [tuple(r) for r in stored] == [("ann",)]
