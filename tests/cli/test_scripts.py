"""The README's two commands and what it promises about them: ``scripts/demo.sh --port``
serves the demo, ``scripts/services.sh`` (run by ``scripts/test.sh``) leaves PostgreSQL,
MariaDB and Redis answering, and the README points at nothing that is missing from a clone."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import httpx

from tests.cli.helpers import PROJECT, clean_env, free_port
from tests.cli.servers import wait_healthy

README = (PROJECT / "README.md").read_text(encoding="utf-8")


def test_readme_links_and_paths_exist_in_the_repository() -> None:
    """Every relative Markdown link, and every path in backquotes that names a project
    folder, exists in the checkout (the design document, outside it, is not linked)."""
    links = re.findall(r"\]\(([^)#]+)\)", README)
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert [link for link in local if not (PROJECT / link).exists()] == []
    assert "../" not in " ".join(local)
    named = re.findall(
        r"`((?:app|scripts|tests|config|bench|domain|datasources)/[^`*… ]+)`", README
    )
    files = [path for path in named if "<" not in path]  # not ``schema/<area>.py``
    # ``datasources/storage.open_backend``: a module's function
    missing = [
        path
        for path in files
        if not (PROJECT / path).exists() and not (PROJECT / f"{path.rsplit('.', 1)[0]}.py").exists()
    ]
    assert missing == []
    assert "../shared/ARCHITECTURE.md" not in README


def test_readme_says_what_the_commands_need() -> None:
    assert "bash scripts/demo.sh --port 8001" in README
    assert "scripts/services.sh" in README
    for package in ("chromium-driver", "PostgreSQL", "MariaDB", "Redis"):
        assert package in README


def test_test_command_installs_and_starts_the_services() -> None:
    """scripts/test.sh runs services.sh before anything needs a database; services.sh lists
    the Debian packages of every command it then uses."""
    test_sh = (PROJECT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert test_sh.index("bash scripts/services.sh") < test_sh.index(".venv/bin/pytest")
    services = (PROJECT / "scripts" / "services.sh").read_text(encoding="utf-8")
    for package in (
        "postgresql",
        "mariadb-server",
        "mariadb-client",
        "redis-server",
        "redis-tools",
        "chromium",
        "chromium-driver",
    ):
        assert re.search(rf"(?<![\w-]){package}(?![\w-])", services), package


def test_services_script_leaves_the_databases_answering() -> None:
    """On this machine they run already: the script changes nothing and says so."""
    result = subprocess.run(
        ["bash", "scripts/services.sh"],  # noqa: S607
        cwd=PROJECT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "== PostgreSQL, MariaDB and Redis answer on 127.0.0.1\n"
    for check in (
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"],
        ["mariadb-admin", "-h", "127.0.0.1", "-P", "3306", "ping"],
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"],
    ):
        assert subprocess.run(check, capture_output=True, check=False).returncode == 0, check  # noqa: S603


def test_demo_script_takes_a_port(tmp_path: Path) -> None:
    """``bash scripts/demo.sh --port P``: installed, migrated, demo data loaded, served on P
    with GraphiQL, the README's query answered without a key."""
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - our own script
            ["bash", "scripts/demo.sh", "--port", str(port)],  # noqa: S607
            cwd=PROJECT,
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # the script and the server it execs: one group to stop
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(process, base, log, timeout=240)
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=10)
        assert "Roster GraphiQL" in page.text
        query = re.search(r"```graphql\n(.*?)```", README, re.DOTALL)
        assert query
        answer = httpx.post(f"{base}/graphql", json={"query": query.group(1)}, timeout=10)
        assert answer.json()["data"]["customerUsers"]["totalCount"] >= 4
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
