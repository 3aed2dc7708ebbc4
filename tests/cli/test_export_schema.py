"""``roster export-schema``: the SDL on stdout or in a file, without a database, with the
nullability a custom Map row gets."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import roster, write_config
from tests.toml_helpers import map_with_room

# ---- export-schema -------------------------------------------------------------------------


def sdl_block(sdl: str, header: str) -> list[str]:
    start = sdl.index(header + " {")
    body = sdl[start : sdl.index("\n}", start)]
    return [line.strip() for line in body.splitlines()[1:]]


def test_export_schema_prints_sdl(config: Path) -> None:
    result = roster("export-schema", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "type CustomerUser implements Node {" in result.stdout
    assert "type Query {" in result.stdout
    assert "type Mutation {" in result.stdout
    assert "room" not in result.stdout


def test_export_schema_needs_no_database(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", tmp_path / "never-created.db")
    result = roster("export-schema", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "type CustomerUser" in result.stdout
    assert not (tmp_path / "never-created.db").exists()


def test_export_schema_to_file_matches_stdout(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    to_file = roster("export-schema", "--config", str(config), "-o", str(out))
    assert to_file.returncode == 0, to_file.stderr
    assert to_file.stdout == ""
    printed = roster("export-schema", "--config", str(config))
    assert out.read_text(encoding="utf-8") == printed.stdout


def test_export_schema_with_custom_map_row(tmp_path: Path, db_path: Path) -> None:
    config = write_config(tmp_path / "room.toml", db_path, backend={"map": map_with_room()})
    result = roster("export-schema", "--config", str(config))
    assert result.returncode == 0, result.stderr
    sdl = result.stdout
    customer_user = sdl_block(sdl, "type CustomerUser implements Node")
    # Only OTOBO's NOT NULL base attributes are non-null in output. A required custom field is
    # nullable there (rows from before its column was added have no value); it is still
    # required on writes, where an empty value is a REQUIRED user error.
    assert "room: String" in customer_user
    assert "room: String!" not in customer_user
    for base in ("firstName", "lastName", "email", "customerId"):
        assert f"{base}: String!" in customer_user
    assert "room: String = null" in sdl_block(sdl, "input CustomerUserCreateInput")
    assert "room: String" in sdl_block(sdl, "input CustomerUserUpdateInput")


def test_export_schema_optional_custom_row_is_nullable(tmp_path: Path, db_path: Path) -> None:
    config = write_config(
        tmp_path / "room.toml", db_path, backend={"map": map_with_room(required=False)}
    )
    result = roster("export-schema", "--config", str(config))
    assert result.returncode == 0, result.stderr
    customer_user = sdl_block(result.stdout, "type CustomerUser implements Node")
    assert "room: String" in customer_user
    assert "room: String!" not in customer_user
