"""E-mail syntax as OTOBO's ``CheckItem::CheckEmail`` judges it, without DNS.

The policy's valid-address pattern wins outright (``root@localhost``), the syntax check
follows, and the invalid-address pattern (``@example.*`` by default, RFC 2606) refuses the
rest; with ``check`` off every address passes. The API tests see these only as
INVALID_EMAIL; here each rule is pinned on its own.
"""

from __future__ import annotations

import pytest

from domain.email import EmailPolicy, email_problem

DEFAULT = EmailPolicy()


@pytest.mark.parametrize(
    "address",
    [
        "ada@acme.test",
        "first.last+tag@mail.acme.test",
        "o'brien@acme.test",
        '"quoted local"@acme.test',
        "ada@[192.168.0.1]",
        "ada@acme.test (Ada Lovelace)",
        "ada@bücher.test",
        "root@localhost",
        "ADMIN@LOCALHOST",
    ],
)
def test_acceptable_addresses(address: str) -> None:
    assert email_problem(address, DEFAULT) is None


@pytest.mark.parametrize(
    "address",
    [
        "",
        "ada",
        "ada@",
        "@acme.test",
        "ada@localhost",
        "ada@acme",
        "ada acme@acme.test",
        "ada@-acme.test",
        "ada@acme-.test",
        "a" * 250 + "@acme.test",
    ],
)
def test_malformed_addresses(address: str) -> None:
    problem = email_problem(address, DEFAULT)
    assert problem is not None
    assert problem.endswith("is not valid.")


@pytest.mark.parametrize("address", ["ada..l@acme.test", "ada.@acme.test", "ada@acme..test"])
def test_consecutive_or_trailing_dots(address: str) -> None:
    assert email_problem(address, DEFAULT) is not None


@pytest.mark.parametrize("address", ["ada@example.com", "ada@EXAMPLE.org", "ada@example.de"])
def test_reserved_example_domains_are_refused_by_the_default_policy(address: str) -> None:
    problem = email_problem(address, DEFAULT)
    assert problem == f"Email address ({address}) is not accepted by the configured policy."


def test_example_as_a_subdomain_or_longer_tld_is_not_refused() -> None:
    assert email_problem("ada@example.acme.test", DEFAULT) is None
    assert email_problem("ada@example.info", DEFAULT) is None


def test_check_off_accepts_anything() -> None:
    assert email_problem("not an address", EmailPolicy(check=False)) is None


def test_empty_patterns_switch_their_rule_off() -> None:
    policy = EmailPolicy(valid_address_pattern="", invalid_address_pattern="")
    assert email_problem("ada@example.com", policy) is None
    assert email_problem("root@localhost", policy) is not None


def test_custom_valid_pattern_wins_over_syntax() -> None:
    policy = EmailPolicy(valid_address_pattern=r"^helpdesk$")
    assert email_problem("helpdesk", policy) is None


def test_the_message_names_the_address_as_given() -> None:
    assert email_problem("x y@acme.test", DEFAULT) == "Email address (x y@acme.test) is not valid."
