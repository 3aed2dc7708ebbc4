"""The shipped configs load, and the example documents exactly the defaults."""

from pathlib import Path

from app.settings import load_config, sqlite_url_relative_to
from domain.config import RosterConfig

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def test_example_config_spells_out_every_default() -> None:
    example = load_config(CONFIG_DIR / "roster.example.toml", environ={})
    defaults = RosterConfig()
    # The default SQLite path, like the example's, is relative to the config file's folder.
    url = sqlite_url_relative_to(defaults.database.url, CONFIG_DIR)
    defaults = defaults.model_copy(
        update={"database": defaults.database.model_copy(update={"url": url})}
    )
    example_backend = example.customer_user.backends[0]
    default_backend = defaults.customer_user.backends[0]
    # The example writes OTOBO's default Map out row by row; the default config leaves it implicit.
    assert example_backend.map_fields() == default_backend.map_fields()
    assert example_backend.model_copy(update={"map": None}) == default_backend
    # The same for OTOBO's company Map.
    example_company = example.customer_company
    assert example_company.map_fields() == defaults.customer_company.map_fields()
    assert example_company.model_copy(update={"map": None}) == defaults.customer_company
    mapped = {"customer_user": None, "customer_company": None}
    assert example.model_copy(update=mapped) == defaults.model_copy(update=mapped)


def test_demo_config_allows_anonymous_only_on_loopback() -> None:
    demo = load_config(CONFIG_DIR / "demo.toml", environ={})
    assert demo.auth.allow_anonymous
    assert demo.server.is_loopback
    assert demo.database.url.startswith("sqlite+aiosqlite://")
