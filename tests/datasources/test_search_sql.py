"""The search grammar as SQL, run for real on SQLite, PostgreSQL and MariaDB.

On MariaDB the table has OTOBO's collation (``utf8mb4_unicode_ci``, which ignores case and
accents), the hardest case: the SQL must still mean what it means on PostgreSQL.

Every case also runs the same term through ``domain.search_grammar.matches`` (the reference
semantics in Python) so the SQL and the pure rules cannot drift apart.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import Column, MetaData, String, Table, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement

from datasources.search_sql import (
    glob_pattern,
    like_pattern,
    pattern_condition,
    register_sqlite_functions,
    search_condition,
)
from domain.search_grammar import Pattern, matches, parse_pattern, parse_search
from tests.conftest import DB_KINDS, DROP_AT_THE_END, mariadb_database

POSTGRES_URL = os.environ.get(
    "ROSTER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)

metadata = MetaData()
people = Table(
    "search_people",
    metadata,
    Column("login", String(100), primary_key=True),
    Column("first_name", String(100), nullable=True),
    Column("last_name", String(100), nullable=True),
    Column("customer_id", String(150), nullable=True),
)
SEARCH_COLUMNS = (people.c.login, people.c.first_name, people.c.last_name, people.c.customer_id)

# login, first_name, last_name, customer_id
ROWS: list[tuple[str, str | None, str | None, str | None]] = [
    ("jdoe", "John", "Doe", "ACME"),
    ("bjohnson", "Bob", "Johnson", "acme-1"),
    ("mueller", "Jürgen", "Müller", "Müller GmbH"),
    ("muller", "Jurgen", "Muller", None),  # the same without accents: another person
    ("emoji", "😀 Smile", "山田", "𠮷野家"),  # 4-byte UTF-8 (and CJK) as data
    ("MAX", "Max", None, None),
    ("nulls", None, None, None),
    ("pct", "Fifty", "50% off", "50%"),
    ("pctx", "Fifty", "50 off", "50x"),  # would match `50%` if % were a wildcard
    ("under", "Under_Score", "x_y", "ACME_1"),
    ("underx", "UnderXScore", "xzy", "ACMEX1"),  # would match `_` terms if _ were a wildcard
    ("back", "Back\\slash", None, "a\\b"),
    ("slash", "a/b", None, "a//b"),  # the LIKE escape character as data
    ("glob", "[ab]?", None, None),  # GLOB's special characters as data
    ("globx", "a?", None, None),  # would match `[ab]?` if it were a GLOB class
]
ALL = frozenset(row[0] for row in ROWS)
COLUMN_NAMES = ("login", "first_name", "last_name", "customer_id")


async def _create_and_fill(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(
            insert(people),
            [dict(zip(COLUMN_NAMES, row, strict=True)) for row in ROWS],
        )


@pytest.fixture(scope="module", params=DB_KINDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        sqlite = create_async_engine("sqlite+aiosqlite:///:memory:", poolclass=StaticPool)
        event.listen(sqlite.sync_engine, "connect", register_sqlite_functions)
        await _create_and_fill(sqlite)
        yield sqlite
        await sqlite.dispose()
        return
    if request.param == "mariadb":
        async with mariadb_database() as url:
            mariadb = create_async_engine(url)
            try:
                await _create_and_fill(mariadb)
                yield mariadb
            finally:
                await mariadb.dispose()
        return

    name = f"roster_test_search_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8'"))
    postgres = create_async_engine(make_url(POSTGRES_URL).set(database=name))
    try:
        await _create_and_fill(postgres)
        yield postgres
    finally:
        await postgres.dispose()
        await admin.dispose()
        DROP_AT_THE_END["postgresql"].append(name)  # a drop now waits for a checkpoint


async def _select(engine: AsyncEngine, condition: ColumnElement[bool]) -> set[str]:
    async with engine.connect() as conn:
        result = await conn.execute(select(people.c.login).where(condition))
        return {row[0] for row in result}


async def search(
    engine: AsyncEngine,
    term: str,
    *,
    case_sensitive: bool = False,
    prefix: str = "*",
    suffix: str = "*",
    columns: Sequence[str] = COLUMN_NAMES,
) -> set[str]:
    """Logins the SQL finds; asserts the pure-Python reference finds the same."""
    expr = parse_search(term, prefix=prefix, suffix=suffix)
    sql_columns = [people.c[name] for name in columns]
    found = await _select(
        engine, search_condition(expr, sql_columns, case_sensitive=case_sensitive)
    )
    indexes = [COLUMN_NAMES.index(name) for name in columns]
    expected = {
        row[0]
        for row in ROWS
        if matches(expr, [row[i] for i in indexes], case_sensitive=case_sensitive)
    }
    assert found == expected, f"SQL and the reference semantics disagree on {term!r}"
    return found


# --- free-text search ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # substring (the default prefix and suffix)
        ("john", {"jdoe", "bjohnson"}),
        ("ohn", {"jdoe", "bjohnson"}),
        ("JOHN", {"jdoe", "bjohnson"}),
        ("john*", {"jdoe", "bjohnson"}),
        ("*john*", {"jdoe", "bjohnson"}),
        ("jo*n", {"jdoe", "bjohnson"}),
        ("b*n*n", {"bjohnson"}),
        ('"John"', {"jdoe", "bjohnson"}),
        # a space does not split words (D2), `+`/AND does (D3), OR (D4)
        ("John Doe", set()),
        ("john+doe", {"jdoe"}),
        ("John AND Doe", {"jdoe"}),
        ("john OR nobody", {"jdoe", "bjohnson"}),
        ("Müller GmbH", {"mueller"}),
        # AND binds tighter than OR
        ("max OR john + doe", {"MAX", "jdoe"}),
        ("john + doe OR max", {"MAX", "jdoe"}),
        # NOT: rows whose columns are NULL stay in
        ("!john", ALL - {"jdoe", "bjohnson"}),
        ("john+!bob", {"jdoe"}),
        ("!a", {"mueller", "muller", "emoji", "nulls", "pct", "pctx"}),
        ("!doe", ALL - {"jdoe"}),
        ("max+!john", {"MAX"}),
        ("max+!x", set()),
        # wildcards only
        ("*", ALL),
        ("**", ALL),
        (" * ", ALL),
        ("!*", set()),
        ("john OR *", ALL),
        # literal characters: %, _, \, the escape character /, and GLOB's [ ] ?
        ("50%", {"pct"}),
        ("%", {"pct"}),
        ("_", {"under"}),
        ("x_y", {"under"}),
        ("ACME_1", {"under"}),
        ("\\", {"back"}),
        ("a\\b", {"back"}),
        ("/", {"slash"}),
        ("a//b", {"slash"}),
        ("[ab]?", {"glob"}),
        ("?", {"glob", "globx"}),
        ("(", set()),
        # umlauts
        ("müller", {"mueller"}),
        ("MÜLLER", {"mueller"}),
        ("jürgen", {"mueller"}),
        ("muller", {"muller"}),
        ("MULLER", {"muller"}),
        ("jurgen", {"muller"}),
        # 4-byte characters and CJK
        ("😀", {"emoji"}),
        ("山田", {"emoji"}),
        ("𠮷野家", {"emoji"}),
        ("😀 smile", {"emoji"}),
    ],
)
async def test_search_case_insensitive(engine: AsyncEngine, term: str, expected: set[str]) -> None:
    assert await search(engine, term) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("john", {"bjohnson"}),
        ("John", {"jdoe", "bjohnson"}),
        ("JOHN", set()),
        ("DOE", set()),
        ("Doe", {"jdoe"}),
        ("MAX", {"MAX"}),
        ("max", set()),
        ("acme", {"bjohnson"}),
        ("ACME", {"jdoe", "under", "underx"}),
        ("Müller", {"mueller"}),
        ("MÜLLER", set()),
        ("müller", set()),
        ("Muller", {"muller"}),
        ("MULLER", set()),
        ("😀 Smile", {"emoji"}),
        ("!john", ALL - {"bjohnson"}),
        ("JOHN OR Max", {"MAX"}),
        ("[ab]?", {"glob"}),
        ("[AB]?", set()),
        ("50%", {"pct"}),
        ("_", {"under"}),
        ("a\\b", {"back"}),
        ("*", ALL),
    ],
)
async def test_search_case_sensitive(engine: AsyncEngine, term: str, expected: set[str]) -> None:
    assert await search(engine, term, case_sensitive=True) == expected


@pytest.mark.parametrize(
    ("term", "case_sensitive", "expected"),
    [
        ("bob", False, {"bjohnson"}),
        ("BOB", False, {"bjohnson"}),
        ("BOB", True, set()),
        ("ohn", False, set()),
        ("john", False, {"jdoe", "bjohnson"}),  # `John` and `Johnson` start with it
        ("*ohn", False, {"jdoe", "bjohnson"}),
        ("!m", False, ALL - {"mueller", "muller", "MAX"}),
        ("[", False, {"glob"}),
    ],
)
async def test_prefix_only_search(
    engine: AsyncEngine, term: str, case_sensitive: bool, expected: set[str]
) -> None:
    found = await search(engine, term, prefix="", suffix="*", case_sensitive=case_sensitive)
    assert found == expected


@pytest.mark.parametrize(
    ("term", "case_sensitive", "expected"),
    [
        ("john", False, {"jdoe"}),
        ("JOHN", False, {"jdoe"}),
        ("john", True, set()),
        ("John", True, {"jdoe"}),
        ("joh", False, set()),
        ("max", False, {"MAX"}),
        ("Max", True, {"MAX"}),
        ("max", True, set()),
        ("müller", False, {"mueller"}),
        ("MÜLLER", False, {"mueller"}),
        ("MÜLLER", True, set()),
        ("muller", False, {"muller"}),
        ("Muller", True, {"muller"}),
        ("50%", False, {"pct"}),
        ("50_", False, set()),
        ("ACME_1", True, {"under"}),
        ("a\\b", False, {"back"}),
        ("a?", True, {"globx"}),
        ("jo*n", False, {"jdoe", "bjohnson"}),  # `John`, `Johnson`
        ("john+doe", False, {"jdoe"}),
        ("!john", False, ALL - {"jdoe"}),
        ("*", True, ALL),
    ],
)
async def test_exact_search(
    engine: AsyncEngine, term: str, case_sensitive: bool, expected: set[str]
) -> None:
    found = await search(engine, term, prefix="", suffix="", case_sensitive=case_sensitive)
    assert found == expected


async def test_search_on_one_column(engine: AsyncEngine) -> None:
    # CustomerUserOnly-like: customer_id is not searched.
    columns = ("login", "first_name", "last_name")
    assert await search(engine, "acme", columns=columns) == set()
    assert await search(engine, "!acme", columns=columns) == ALL
    assert await search(engine, "!x", columns=("last_name",)) == ALL - {"under", "underx"}


async def test_otobo_catalogue_search_cases(engine: AsyncEngine) -> None:
    # T25-T31 with L = the login `jdoe`, whose first name is John.
    assert await search(engine, "jdoe") == {"jdoe"}
    assert await search(engine, "jdoe+john") == {"jdoe"}
    assert await search(engine, "jdoe+!john") == set()
    assert await search(engine, "jdoe+john_with_not_match") == set()
    assert await search(engine, "jdoe+!john_with_not_match") == {"jdoe"}
    for term in ("jdoe*", "*jdoe", "*jdoe*", "JDOE*", "*JDOE", "*JDOE*"):
        assert await search(engine, term) == {"jdoe"}
    # T16/T18: SearchCaseSensitive decides whether a lower-cased customer ID is found.
    assert await search(engine, "acmex1", case_sensitive=True) == set()
    assert await search(engine, "acmex1", case_sensitive=False) == {"underx"}


async def test_cached_statements_take_new_values(engine: AsyncEngine) -> None:
    # Same shape, different words: the compiled-statement cache must not reuse old values.
    for case_sensitive in (False, True):
        assert await search(engine, "Bob", case_sensitive=case_sensitive) == {"bjohnson"}
        assert await search(engine, "Max", case_sensitive=case_sensitive) == {"MAX"}
        for word, login in (("Bob", "bjohnson"), ("Max", "MAX")):
            found = await search(engine, word, prefix="", suffix="", case_sensitive=case_sensitive)
            assert found == {login}


def test_search_needs_columns() -> None:
    with pytest.raises(ValueError, match="at least one column"):
        search_condition(parse_search("john"), [], case_sensitive=False)


# --- explicit patterns (CustomerID / UserLogin modes, §3.5) -----------------------------------


@pytest.mark.parametrize(
    ("value", "case_sensitive", "expected"),
    [
        ("acme", False, {"jdoe"}),  # no automatic wildcards
        ("acme", True, set()),
        ("ACME", True, {"jdoe"}),
        ("acme*", False, {"jdoe", "bjohnson", "under", "underx"}),
        ("acme*", True, {"bjohnson"}),
        ("ACME_*", True, {"under"}),
        ("*1", False, {"bjohnson", "under", "underx"}),
        ("50%", False, {"pct"}),
        ("50*", False, {"pct", "pctx"}),
        ("müller*", False, {"mueller"}),
        ("MÜLLER*", False, {"mueller"}),
        ("MÜLLER*", True, set()),
        ("*", False, ALL),  # T08; NULL customer IDs included (NULL counts as "")
        ("", False, {"MAX", "nulls", "glob", "globx", "muller"}),
        ("müller*", True, set()),
        ("muller*", False, set()),  # `Müller GmbH` is not `Muller…`
        ("𠮷野家", False, {"emoji"}),
    ],
)
async def test_pattern_condition(
    engine: AsyncEngine, value: str, case_sensitive: bool, expected: set[str]
) -> None:
    pattern = parse_pattern(value)
    condition = pattern_condition(pattern, people.c.customer_id, case_sensitive=case_sensitive)
    found = await _select(engine, condition)
    assert found == expected
    assert found == {
        row[0] for row in ROWS if pattern.matches(row[3], case_sensitive=case_sensitive)
    }


# --- rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "like", "glob"),
    [
        (parse_pattern("*john*"), "%john%", "*john*"),
        (parse_pattern("jo*hn"), "jo%hn", "jo*hn"),
        (parse_pattern("*"), "%", "*"),
        (parse_pattern("50%_/\\"), "50/%/_//\\", "50%_/\\"),
        (parse_pattern("*[a]?*"), "%[a]?%", "*[[]a][?]*"),
        (Pattern(("a*b",), True, False), "%a*b", "*a[*]b"),
    ],
)
def test_like_and_glob_rendering(pattern: Pattern, like: str, glob: str) -> None:
    assert like_pattern(pattern) == like
    assert glob_pattern(pattern) == glob


async def test_sqlite_lower_needs_the_registered_function() -> None:
    # Why register_sqlite_functions exists: SQLite's own lower() folds ASCII only.
    plain = create_async_engine("sqlite+aiosqlite:///:memory:", poolclass=StaticPool)
    try:
        await _create_and_fill(plain)
        expr = parse_search("MÜLLER")
        condition = search_condition(expr, SEARCH_COLUMNS, case_sensitive=False)
        assert await _select(plain, condition) == set()
    finally:
        await plain.dispose()
