"""Why a command could not reach its database, in one line an operator can act on.

Why: a database that is down, missing or refusing the user is the most common first-start
failure, and it used to print a 130 to 180 line traceback of SQLAlchemy, asyncpg or asyncmy
internals with the one useful line near the end. ``roster`` (``app/cli.py``) asks
``database_problem`` about an exception raised while connecting; it names what went wrong,
where (the host and port, the database, the user; never the password) and which setting to
look at. An exception it does not recognise is None: that is a bug, and keeps its traceback.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from app.settings import SQLITE_PREFIX

if TYPE_CHECKING:
    from sqlalchemy.engine import URL
    from sqlalchemy.exc import DBAPIError

# PostgreSQL's SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
PG_INVALID_CATALOG = "3D000"  # the database does not exist
PG_INVALID_PASSWORD = "28P01"  # noqa: S105 - an error code, not a password
PG_INVALID_AUTHORIZATION = "28000"  # no such role, or pg_hba.conf has no entry
PG_CANNOT_CONNECT_NOW = "57P03"  # starting up, shutting down
PG_TOO_MANY_CONNECTIONS = "53300"

# MariaDB/MySQL error numbers.
MY_ACCESS_DENIED = 1045
MY_UNKNOWN_DATABASE = 1049
MY_DB_ACCESS_DENIED = 1044
MY_CANNOT_CONNECT = 2003
MY_UNKNOWN_HOST = 2005
MY_TOO_MANY_CONNECTIONS = 1040

_CONNECT_ERRNOS = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ECONNRESET}


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith(SQLITE_PREFIX):
        return None
    path = url[len(SQLITE_PREFIX) :].split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def sqlite_missing(path: Path) -> str:
    """The line for a SQLite file in a folder that does not exist (nothing was ever created)."""
    return (
        f"the SQLite database {path} does not exist (database.url): "
        "create it with roster db upgrade"
    )


def sqlite_problem(path: Path) -> str | None:
    """Why Roster cannot create or write the SQLite file ``path`` (None when it can).

    Checked before connecting: SQLite itself only says "unable to open database file"."""
    where = f"cannot use the SQLite database {path} (database.url)"
    if path.is_dir():
        return f"{where}: it is a folder"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the nearest existing folder: db upgrade creates the rest
    if not folder.is_dir():
        return f"{where}: {folder} is not a folder"
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            return f"{where}: the file is not writable"
        if not os.access(path.parent, os.W_OK | os.X_OK):  # SQLite writes its -wal file there
            return f"{where}: its folder {path.parent} is not writable"
    elif not os.access(folder, os.W_OK | os.X_OK):
        return f"{where}: cannot create it, {folder} is not writable"
    return None


def _server(url: URL) -> str:
    kind = "PostgreSQL" if url.get_backend_name() == "postgresql" else "MariaDB/MySQL"
    default_port = 5432 if kind == "PostgreSQL" else 3306
    return f"{kind} at {url.host or 'localhost'}:{url.port or default_port}"


def _parse(url: str) -> URL | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except ArgumentError:
        return None


def database_problem(error: BaseException, url: str, connect_timeout: float) -> str | None:
    """One line saying why the database at ``url`` could not be used, or None when
    ``error`` is not a known connection failure (a bug: let its traceback show).

    SQLAlchemy is imported here, when there is a failure to explain: ``roster`` imports this
    module on every start, and a command refused before it reaches a database (a bad config,
    a SQLite file it cannot write) has no other use for SQLAlchemy (~0.2 s of its start)."""
    from sqlalchemy.exc import DBAPIError

    path = sqlite_path(url)
    if path is not None:
        if isinstance(error, OSError | DBAPIError) and "unable to open database file" in str(error):
            if not path.parent.exists():
                return sqlite_missing(path)
            return sqlite_problem(path) or f"cannot open the SQLite database {path}"
        return None
    parsed = _parse(url)
    if parsed is None:
        return None
    server = _server(parsed)
    user = parsed.username or ("postgres" if server.startswith("PostgreSQL") else "root")
    database = parsed.database or ""
    if isinstance(error, TimeoutError):
        return (
            f"cannot connect to {server}: no answer within {connect_timeout:g} s "
            "(database.connect_timeout_seconds); check database.url and the network"
        )
    if isinstance(error, OSError):
        if error.errno in _CONNECT_ERRNOS or "Connect call failed" in str(error):
            return (
                f"cannot connect to {server}: connection refused (is the server running, "
                "on that host and port? check database.url)"
            )
        if isinstance(error, ConnectionError):
            return f"cannot connect to {server}: {error} (check database.url)"
        if error.errno is None and "Name or service not known" in str(error):
            return f"cannot connect to {server}: unknown host (check database.url)"
        return None
    if not isinstance(error, DBAPIError):
        return None
    if parsed.get_backend_name() == "postgresql":
        return _postgres_problem(error, server, user, database)
    return _mysql_problem(error, server, user, database)


def _postgres_problem(error: DBAPIError, server: str, user: str, database: str) -> str | None:
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if state is None:
        return None
    if state == PG_INVALID_CATALOG:
        return (
            f'the database "{database}" does not exist on {server}: create it '
            f"(createdb {database}) or fix database.url"
        )
    if state == PG_INVALID_PASSWORD:
        return f'{server} refused the user "{user}": wrong password (check database.url)'
    if state == PG_INVALID_AUTHORIZATION:
        reason = str(error.orig).splitlines()[0].split(": ", 1)[-1]
        return f'{server} refused the user "{user}": {reason} (check database.url)'
    if state in (PG_CANNOT_CONNECT_NOW, PG_TOO_MANY_CONNECTIONS):
        reason = str(error.orig).splitlines()[0].split(": ", 1)[-1]
        return f"{server} does not accept connections now: {reason}"
    return None


def _mysql_problem(error: DBAPIError, server: str, user: str, database: str) -> str | None:
    args = getattr(error.orig, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    if code == MY_UNKNOWN_DATABASE:
        return (
            f'the database "{database}" does not exist on {server}: create it '
            f"(CREATE DATABASE {database} CHARACTER SET utf8mb4) or fix database.url"
        )
    if code == MY_ACCESS_DENIED:
        return (
            f'{server} refused the user "{user}": access denied, wrong password or no such '
            "user for this host (check database.url)"
        )
    if code == MY_DB_ACCESS_DENIED:
        return f'{server}: the user "{user}" may not use the database "{database}"'
    if code == MY_CANNOT_CONNECT:
        return (
            f"cannot connect to {server}: connection refused (is the server running, "
            "on that host and port? check database.url)"
        )
    if code == MY_UNKNOWN_HOST:
        return f"cannot connect to {server}: unknown host (check database.url)"
    if code == MY_TOO_MANY_CONNECTIONS:
        return f"{server} does not accept connections now: too many connections"
    return None
