"""The RFC 4515 escaper and the filter builder (pure: no server), and the LDAP config checks.

The escaper is checked against the examples of RFC 4515 section 4; the builder against the
search grammar, case by case, and for injection: whatever the input, the filter stays one
well-formed filter whose only unescaped ``*`` are the grammar's wildcards.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from datasources.ldap.filters import (
    MATCH_ALL,
    MATCH_NONE,
    all_of,
    any_of,
    equals_any,
    escape_value,
    negate,
    pattern_filter,
    query_filter,
    search_filter,
)
from domain.config import LdapBackendConfig, filter_syntax_problem
from domain.customer_user_query import CustomerUserQuery, login_pattern
from domain.search_grammar import Pattern, exact_pattern, parse_pattern, parse_search

FIELDS = ["uid", "sn"]


def unescape(value: str) -> bytes:
    """The bytes an RFC 4515 assertion value stands for (the server's reading of it)."""
    out = bytearray()
    position = 0
    while position < len(value):
        if value[position] == "\\":
            out.append(int(value[position + 1 : position + 3], 16))
            position += 3
        else:
            out += value[position].encode("utf-8")
            position += 1
    return bytes(out)


def ldap_config(**overrides: Any) -> LdapBackendConfig:
    data: dict[str, Any] = {"module": "ldap", "url": "ldap://ldap.test", "base_dn": "dc=test"}
    data.update(overrides)
    return LdapBackendConfig.model_validate(data)


# ---- the escaper: RFC 4515 section 4 -------------------------------------------------------


def test_rfc4515_examples() -> None:
    assert (
        f"(o={escape_value('Parens R Us (for all your parenthetical needs)')})"
        == r"(o=Parens R Us \28for all your parenthetical needs\29)"
    )
    assert f"(filename={escape_value('C:' + chr(92) + 'MyFile')})" == r"(filename=C:\5cMyFile)"
    assert f"(bin={escape_value(bytes([0, 0, 0, 4]).decode())})" == r"(bin=\00\00\00\04)"
    # `(cn=*\2A*)`: a value that contains an asterisk (hex digits are case-insensitive).
    assert pattern_filter("cn", Pattern(("*",), True, True)).lower() == r"(cn=*\2a*)".lower()
    # `(sn=Lu\c4\8di\c4\87)`: UTF-8 may also travel unescaped; both are the same bytes.
    assert unescape(escape_value("Lučić")) == unescape(r"Lu\c4\8di\c4\87")
    assert escape_value("Lučić") == "Lučić"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("*", r"\2a"),
        ("(", r"\28"),
        (")", r"\29"),
        ("\\", r"\5c"),
        ("\x00", r"\00"),  # bonsai's helper writes `\0`: one digit, not RFC 4515
        ("a\x00b", r"a\00b"),
        ("*)(uid=*", r"\2a\29\28uid=\2a"),
        ("line\nbreak\t", r"line\0abreak\09"),
        ("\x7f", r"\7f"),
        ("zero\u200bwidth", r"zero\e2\80\8bwidth"),
        ("\ud800", r"\ef\bf\bd"),  # a lone surrogate has no UTF-8: sent as U+FFFD
        ("Müller", "Müller"),
        ("a b=c&|!~<>", "a b=c&|!~<>"),
        ("", ""),
    ],
)
def test_escape_value(value: str, escaped: str) -> None:
    assert escape_value(value) == escaped


def test_escaped_values_never_contain_filter_syntax() -> None:
    every = "".join(chr(c) for c in range(0x300)) + "\u2028\ufeff😀"
    escaped = escape_value(every)
    assert not set(escaped) & {"(", ")", "*", "\x00"}
    # Every backslash starts a two-digit hex escape.
    assert re.fullmatch(r"(?:[^\\]|\\[0-9a-f]{2})*", escaped)
    assert unescape(escaped) == every.encode("utf-8")


# ---- patterns and the search grammar ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (parse_pattern("john"), "(uid=john)"),
        (parse_pattern("jo*"), "(uid=jo*)"),
        (parse_pattern("*jo*hn"), "(uid=*jo*hn)"),
        (parse_pattern("a**b"), "(uid=a*b)"),
        (parse_pattern("*"), MATCH_ALL),
        (exact_pattern(""), "(!(uid=*))"),  # a missing value is the empty string
        (exact_pattern("a*b"), r"(uid=a\2ab)"),
        (parse_pattern("(x)*\\"), r"(uid=\28x\29*\5c)"),
        (login_pattern("jo"), "(uid=*jo*)"),
    ],
)
def test_pattern_filter(pattern: Pattern, expected: str) -> None:
    assert pattern_filter("uid", pattern) == expected


@pytest.mark.parametrize("name", ["uid)(cn=*", "given_name", "1uid", "", "uid;binary", "cn "])
def test_attribute_names_are_checked(name: str) -> None:
    with pytest.raises(ValueError, match="attribute name"):
        pattern_filter(name, parse_pattern("x"))


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Müller", "(|(uid=Müller*)(sn=Müller*))"),
        ("a+b", "(&(|(uid=a*)(sn=a*))(|(uid=b*)(sn=b*)))"),
        ("a AND b", "(&(|(uid=a*)(sn=a*))(|(uid=b*)(sn=b*)))"),
        ("a OR b", "(|(|(uid=a*)(sn=a*))(|(uid=b*)(sn=b*)))"),
        ("!a", "(!(|(uid=a*)(sn=a*)))"),
        ("a+!b OR c", "(|(&(|(uid=a*)(sn=a*))(!(|(uid=b*)(sn=b*))))(|(uid=c*)(sn=c*)))"),
        ("*mü*ller", "(|(uid=*mü*ller*)(sn=*mü*ller*))"),
        ('"jo (x)"', r"(|(uid=jo \28x\29*)(sn=jo \28x\29*))"),
        ("*)(uid=*", r"(|(uid=*\29\28uid=*)(sn=*\29\28uid=*))"),
        ("x)(|(objectClass=*", r"(|(uid=x\29\28|\28objectClass=*)(sn=x\29\28|\28objectClass=*))"),
        ("*", MATCH_ALL),
        ("!*", MATCH_NONE),
    ],
)
def test_search_filter(term: str, expected: str) -> None:
    expr = parse_search(term, prefix="", suffix="*")
    built = search_filter(expr, FIELDS)
    assert built == expected
    assert filter_syntax_problem(built) is None


def test_search_filter_with_one_field_and_substring_affixes() -> None:
    assert search_filter(parse_search("jo", prefix="*", suffix="*"), ["cn"]) == "(cn=*jo*)"
    with pytest.raises(ValueError, match="at least one attribute"):
        search_filter(parse_search("jo"), [])


def test_combinators() -> None:
    assert all_of([]) == MATCH_ALL
    assert all_of([MATCH_ALL, "(a=1)"]) == "(a=1)"
    assert all_of(["(a=1)", MATCH_NONE]) == MATCH_NONE
    assert all_of(["(a=1)", "(a=1)", "(b=2)"]) == "(&(a=1)(b=2))"
    assert any_of([]) == MATCH_NONE
    assert any_of(["(a=1)", MATCH_ALL]) == MATCH_ALL
    assert any_of(["(a=1)", MATCH_NONE]) == "(a=1)"
    assert negate(MATCH_ALL) == MATCH_NONE
    assert negate(MATCH_NONE) == MATCH_ALL
    assert negate("(a=1)") == "(!(a=1))"
    assert equals_any("uid", ["a*", "b\x00"]) == r"(|(uid=a\2a)(uid=b\00))"
    assert equals_any("uid", []) == MATCH_NONE


# ---- the whole filter of a query ---------------------------------------------------------


def test_query_filter_scopes_every_query() -> None:
    config = ldap_config(
        always_filter="(objectClass=inetOrgPerson)", valid_filter="(!(description=locked))"
    )
    scope = "(objectClass=inetOrgPerson)"
    valid = "(!(description=locked))"
    assert query_filter(config, CustomerUserQuery()) == f"(&(uid=*){scope}{valid})"
    assert query_filter(config, CustomerUserQuery(valid_only=False)) == f"(&(uid=*){scope})"
    assert (
        query_filter(config, CustomerUserQuery(search="jo", valid_only=False))
        == f"(&(uid=*)(|(uid=jo*)(cn=jo*)(mail=jo*)){scope})"
    )


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        (CustomerUserQuery(email="Jo@Acme.test"), "(mail=Jo@Acme.test)"),
        (CustomerUserQuery(email="*"), r"(mail=\2a)"),
        (CustomerUserQuery(login=login_pattern("jo")), "(uid=*jo*)"),
        (CustomerUserQuery(customer_id=parse_pattern("acme*")), "(mail=acme*)"),
        (CustomerUserQuery(customer_id_exact="x*(y)"), r"(mail=x\2a\28y\29)"),
        (CustomerUserQuery(customer_id_exact=""), "(!(mail=*))"),
    ],
)
def test_query_filter_clauses(query: CustomerUserQuery, clause: str) -> None:
    built = query_filter(ldap_config(), query)
    assert built == f"(&(uid=*){clause})"
    assert filter_syntax_problem(built) is None


def test_query_filter_combines_criteria_and_searches_the_login_without_search_fields() -> None:
    config = ldap_config(search_fields=[], customer_id="o")
    query = CustomerUserQuery(search="jo", customer_id_exact="acme", email="a@b.test")
    assert query_filter(config, query) == "(&(uid=*)(uid=jo*)(mail=a@b.test)(o=acme))"


# ---- configuration checks --------------------------------------------------------------------


def test_the_default_ldap_config_is_valid() -> None:
    config = ldap_config()
    assert (config.customer_key, config.customer_id) == ("uid", "mail")
    assert (config.search_prefix, config.search_suffix, config.search_list_limit) == ("", "*", 200)
    assert config.search_fields == ["uid", "cn", "mail"]  # cn is not in the Map: fine for LDAP
    assert config.read_only


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"search_fields": ["given_name"]}, "not LDAP attribute names: given_name"),
        ({"customer_id": "o-"}, None),
        ({"always_filter": "objectClass=person"}, "always_filter: must be one filter"),
        ({"valid_filter": "(a=b))(c=d)"}, "valid_filter: parentheses"),
        ({"valid_filter": "(&(a=b)"}, "valid_filter: parentheses"),
        ({"valid_filter": "(a=b)\n"}, "valid_filter: must be one filter"),
        ({"url": "ldaps://ldap.test", "start_tls": True}, "start_tls"),
        ({"ca_file": "/etc/ssl/ca.pem"}, "ca_file"),
        ({"url": "ldap://ldap.test:99999"}, "url"),
        ({"url": "ldap://ldap.test/dc=x"}, "url"),
        ({"read_only": False}, "read_only"),
        ({"unknown_key": 1}, "unknown_key"),
        ({"map": [{"attribute": "UserLogin", "label": "L", "field": "uid"}]}, "UserCustomerID"),
        (
            {
                "map": [
                    {"attribute": "UserLogin", "label": "L", "field": "uid"},
                    {"attribute": "UserCustomerID", "label": "C", "field": "mail"},
                    {"attribute": "ValidID", "label": "V", "field": "x", "type": "int"},
                ]
            },
            "no ValidID row",
        ),
    ],
)
def test_ldap_config_checks(overrides: dict[str, Any], message: str | None) -> None:
    if message is None:
        assert ldap_config(**overrides)
        return
    with pytest.raises(ValidationError, match=re.escape(message)):
        ldap_config(**overrides)


def test_tls_settings_are_accepted() -> None:
    assert ldap_config(url="ldaps://ldap.test:636", ca_file="/ca.pem").uses_tls
    assert ldap_config(start_tls=True, ca_file="/ca.pem").uses_tls
    assert not ldap_config().uses_tls
