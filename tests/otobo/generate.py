"""Writes ``schema_postgresql.sql`` and ``schema_mysql.sql``: OTOBO's installer DDL and seed rows
for the tables Roster touches, produced by OTOBO's own code.

OTOBO ships no SQL files any more (its issue #120 removed them); its web installer turns
``scripts/database/otobo-schema.xml`` and ``otobo-initial_insert.xml`` into SQL at install time
(``Kernel/Modules/Installer.pm``): the tables with their indexes, then the seed rows, then the
foreign keys. ``xml2sql.pl`` beside this file runs that same code; this script keeps the
statements of :data:`TABLES` in the installer's order, verbatim, and writes them with a header
naming the OTOBO commit. The tests only read the files; run this by hand when OTOBO changes::

    git -C otobo archive <commit> | tar -x -C /tmp/otobo      # an OTOBO checkout
    cp /tmp/otobo/Kernel/Config.pm.dist /tmp/otobo/Kernel/Config.pm
    apt-get install libtry-tiny-perl libnamespace-autoclean-perl libxml-libxml-perl \\
        libmoo-perl libdatetime-perl libtemplate-perl libtext-trim-perl libref-util-perl \\
        libconst-fast-perl libplack-perl libdbix-connector-perl libpath-class-perl
    .venv/bin/python -m tests.otobo.generate /tmp/otobo <commit>

The seed rows carry the time they were generated, as the installer's carry the time of
installation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

TABLES = (
    "valid",
    "users",
    "groups_table",
    "group_customer_user",
    "group_customer",
    "service",
    "service_customer_user",
    "customer_user",
    "customer_preferences",
    "customer_company",
    "customer_user_customer",
    "dynamic_field",
    "dynamic_field_value",
    "dynamic_field_obj_id_name",
    "system_address",
    "salutation",
    "signature",
    "follow_up_possible",
    "queue",
    "ticket_state_type",
    "ticket_state",
    "ticket_priority",
    "ticket_type",
    "ticket_lock_type",
    "sla",
    "ticket",
)
"""The OTOBO tables Roster reads or writes, and those their foreign keys name (``users``,
``valid``, ``groups_table``, ``service``; for ``queue`` and ``ticket`` also
``system_address``, ``salutation``, ``signature``, ``follow_up_possible`` and ``sla``, which
Roster itself never creates: all in this list)."""

_NAMES_TABLE = re.compile(
    r"CREATE TABLE (\w+)|INSERT INTO (\w+)|ALTER TABLE (\w+)|INDEX \w+ ON (\w+)"
    r"|table_name = '(\w+)'"
)


def _table_of(statement: str) -> str | None:
    found = _NAMES_TABLE.search(statement)
    return next(name for name in found.groups() if name) if found else None


def _keep(statements: list[str]) -> list[str]:
    """The statements about :data:`TABLES`. A statement naming no table (MySQL's ``PREPARE`` and
    ``EXECUTE`` of a foreign key) belongs to the one before it."""
    kept: list[str] = []
    table: str | None = None
    for statement in statements:
        table = _table_of(statement) or table
        if table in TABLES:
            kept.append(statement)
    return kept


def _xml2sql(otobo: Path, database: str, xml: str) -> dict[str, list[str] | str]:
    output = subprocess.run(  # noqa: S603 - OTOBO's code, run by hand on a checkout
        ["perl", str(HERE / "xml2sql.pl"), database, f"scripts/database/{xml}"],  # noqa: S607
        cwd=otobo,
        env={**os.environ, "OTOBO_HOME": str(otobo)},
        check=True,
        capture_output=True,
    ).stdout
    result: dict[str, list[str] | str] = json.loads(output)
    return result


def render(otobo: Path, commit: str, database: str) -> str:
    schema = _xml2sql(otobo, database, "otobo-schema.xml")
    seed = _xml2sql(otobo, database, "otobo-initial_insert.xml")
    comment = "#" if database == "mysql" else "--"
    sections = (
        ("what OTOBO's DB driver runs on connect", [str(schema["connect"])]),
        ("otobo-schema.xml: tables and their indexes", _keep(list(schema["sql"]))),
        ("otobo-initial_insert.xml: seed rows", _keep(list(seed["sql"]))),
        ("otobo-schema.xml, run last: foreign keys", _keep(list(schema["post"]))),
    )
    lines = [
        f"{comment} OTOBO's installer SQL ({database}) for the tables Roster touches, verbatim.",
        f"{comment} Source: github.com/RotherOSS/otobo, commit {commit},",
        f"{comment} scripts/database/otobo-schema.xml and otobo-initial_insert.xml, turned into",
        f"{comment} SQL by OTOBO's own Kernel::System::DB (tests/otobo/generate.py). Do not edit.",
    ]
    for title, statements in sections:
        lines += ["", f"{comment} ---- {title}"]
        lines += [f"{statement};" for statement in statements]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    otobo, commit = Path(argv[0]).resolve(), argv[1]
    for database, name in (("postgresql", "postgresql"), ("mysql", "mysql")):
        (HERE / f"schema_{name}.sql").write_text(render(otobo, commit, database), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
