"""``roster serve`` warns at start when an admin chose one of OTOBO's unsalted legacy schemes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import free_port, roster, write_config
from tests.cli.servers import running_server, wait_healthy


@pytest.mark.parametrize(
    ("scheme", "warned"), [("sha2", True), ("sha512", True), ("bcrypt", False)]
)
def test_serve_warns_about_a_legacy_password_scheme(
    tmp_path: Path, scheme: str, warned: bool
) -> None:
    port = free_port()
    config = write_config(
        tmp_path / "roster.toml",
        tmp_path / "roster.db",
        server={"host": "127.0.0.1", "port": port},
        extra=f'[passwords]\nscheme = "{scheme}"\n',
    )
    upgraded = roster("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0, upgraded.stderr
    log = tmp_path / "serve.log"
    with running_server(config, log) as process:
        wait_healthy(process, f"http://127.0.0.1:{port}", log)
    text = log.read_text()
    warning = f"passwords.scheme = '{scheme}': new passwords are stored as UNSALTED"
    assert (warning in text) is warned
    assert ("WARNING" in text and "UNSALTED" in text) is warned
