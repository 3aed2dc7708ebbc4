"""customerUsers search under the backend's search settings: search_prefix/search_suffix (prefix,
exact match) and search_case_sensitive, and a negated word over a NULL search field.

Each test builds a fresh app (``make_api``) with the setting, on SQLite and PostgreSQL, and puts
``small_world`` on it.
"""

from __future__ import annotations

from tests.api.customer_user_search_helpers import backend, connection, found, new_user, small_world
from tests.conftest import MakeApi
from tests.factories import new_customer

# ---- search_prefix / search_suffix and case sensitivity -----------------------------------


async def test_prefix_match_when_search_prefix_is_empty(make_api: MakeApi) -> None:
    # §3.2: prefix '' and suffix '*' (the code fallback, LDAP sample): `john` is `john*`.
    fresh = await make_api(**backend(search_prefix="", search_suffix="*"))
    await small_world(fresh)
    assert await found(fresh, search="jo") == {"john", "johnny"}
    assert await found(fresh, search="JOHN") == {"john", "johnny"}
    assert await found(fresh, search="orn") == set()
    assert await found(fresh, search="smi") == {"john"}
    assert await found(fresh, search="mith") == set()
    # An explicit leading wildcard still works.
    assert await found(fresh, search="*orn") == {"bjorn"}
    assert await found(fresh, search="*mith") == {"john"}
    # The other grammar still applies, each word gets the prefix/suffix.
    assert await found(fresh, search="jo+sm") == {"john", "johnny"}
    assert await found(fresh, search="jo+!smy") == {"john"}
    assert await found(fresh, search="smy OR bj") == {"johnny", "bjorn"}
    # The login mode and the customer ID mode do not use the backend's prefix/suffix.
    assert await found(fresh, login="orn") == {"bjorn"}
    assert await found(fresh, customerId="acme") == set()


async def test_exact_match_when_prefix_and_suffix_are_empty(make_api: MakeApi) -> None:
    # §3.2: prefix and suffix both '': `john` is an equality test.
    fresh = await make_api(**backend(search_prefix="", search_suffix=""))
    await small_world(fresh)
    assert await found(fresh, search="john") == {"john"}
    assert await found(fresh, search="JOHN") == {"john"}  # still case-insensitive
    assert await found(fresh, search="jo") == set()
    assert await found(fresh, search="smith") == {"john"}
    assert await found(fresh, search="müller") == {"mueller"}
    assert await found(fresh, search="acme-x") == {"john", "johnny", "bjorn", "mueller"}
    assert await found(fresh, search="acme") == set()
    # Explicit wildcards make it a pattern again.
    assert await found(fresh, search="jo*") == {"john", "johnny"}
    assert await found(fresh, search="*orn") == {"bjorn"}
    assert await found(fresh, search="john OR bjorn") == {"john", "bjorn"}
    assert await found(fresh, search="*") == {"john", "johnny", "bjorn", "mueller"}


async def test_exact_and_case_sensitive(make_api: MakeApi) -> None:
    fresh = await make_api(
        **backend(search_prefix="", search_suffix="", search_case_sensitive=True)
    )
    await small_world(fresh)
    assert await found(fresh, search="John") == {"john"}
    assert await found(fresh, search="john") == {"john"}  # the login
    assert await found(fresh, search="JOHN") == set()
    assert await found(fresh, search="Smith") == {"john"}
    assert await found(fresh, search="smith") == set()
    assert await found(fresh, search="Müller") == {"mueller"}
    assert await found(fresh, search="müller") == set()
    assert await found(fresh, search="Jo*") == {"john", "johnny"}
    assert await found(fresh, search="jO*") == set()


async def test_case_sensitive_search(make_api: MakeApi) -> None:
    fresh = await make_api(**backend(search_case_sensitive=True))
    await small_world(fresh)
    assert await found(fresh, search="John") == {"john", "johnny"}
    assert await found(fresh, search="Johnn") == {"johnny"}
    assert await found(fresh, search="JOHN") == set()
    # "john" is a login, so both are found through the login field.
    assert await found(fresh, search="john") == {"john", "johnny"}
    assert await found(fresh, search="smith") == set()
    assert await found(fresh, search="Smith") == {"john"}
    assert await found(fresh, search="Müller") == {"mueller"}
    assert await found(fresh, search="müller") == set()
    assert await found(fresh, search="MÜLLER") == set()
    assert await found(fresh, search="!Smith+J*") == {"johnny", "mueller"}
    # OTOBO T16: SearchCaseSensitive=1, the lower-cased customer ID is not found (on a
    # case-sensitive database; SQLite and PostgreSQL both are here).
    assert await found(fresh, search="acme-x") == set()
    assert await found(fresh, search="ACME-X") == {"john", "johnny", "bjorn", "mueller"}
    # The login mode follows the setting too.
    assert await found(fresh, login="JOHN") == set()
    assert await found(fresh, login="john") == {"john", "johnny"}
    # §3.4: the e-mail compare is plain `=` when case-sensitive.
    assert await found(fresh, email="John.Smith@acme.test") == {"john"}
    assert await found(fresh, email="john.smith@acme.test") == set()
    # §3.5: the CustomerID mode stays case-insensitive; CustomerIDRaw follows the setting.
    assert await found(fresh, customerId="acme-x") == {"john", "johnny", "bjorn", "mueller"}
    assert await found(fresh, customerIdExact="ACME-X") == {"john", "johnny", "bjorn", "mueller"}
    assert await found(fresh, customerIdExact="acme-x") == set()


async def test_case_insensitive_search_by_default(make_api: MakeApi) -> None:
    # OTOBO T18 / T31: SearchCaseSensitive=0 (also stated explicitly here).
    fresh = await make_api(**backend(search_case_sensitive=False))
    await small_world(fresh)
    assert await found(fresh, search="acme-x") == {"john", "johnny", "bjorn", "mueller"}
    assert await found(fresh, search="SMITH") == {"john"}
    assert await found(fresh, search="MÜLLER") == {"mueller"}
    assert await found(fresh, login="JOHN") == {"john", "johnny"}
    assert await found(fresh, email="JOHN.SMITH@ACME.TEST") == {"john"}
    assert await found(fresh, customerIdExact="acme-x") == {"john", "johnny", "bjorn", "mueller"}
    # Non-ASCII case folding in every mode, on SQLite too.
    await new_customer(fresh, "BÄR-Ö")
    await new_user(fresh, "BJÖRK", "Björk", "Guðmundsdóttir", "BÄR-Ö", "bjork@acme.test")
    assert await found(fresh, search="björk") == {"BJÖRK"}
    assert await found(fresh, search="GUÐMUNDSDÓTTIR") == {"BJÖRK"}
    assert await found(fresh, search="bär-ö") == {"BJÖRK"}
    assert await found(fresh, login="björk") == {"BJÖRK"}
    assert await found(fresh, customerId="bär*") == {"BJÖRK"}
    assert await found(fresh, customerIdExact="bär-ö") == {"BJÖRK"}


async def test_negated_word_does_not_drop_users_with_an_empty_field(make_api: MakeApi) -> None:
    # §3.2 item 8 / search_sql: a NULL or empty search field never matches a negated word
    # (OTOBO's `col NOT LIKE ?` drops NULL rows). The title is made a search field; one user
    # comes from a legacy import with a NULL title (planted before the app opens), the
    # others are created through the API, with and without a title.
    legacy = (
        "INSERT INTO customer_user (login, email, customer_id, pw, title, first_name,"
        " last_name, valid_id, create_time, create_by, change_time, change_by) VALUES"
        " ('legacy', 'legacy@acme.test', 'acme', NULL, NULL, 'Leg', 'Acy', 1,"
        " '2020-01-01 00:00:00', 1, '2020-01-01 00:00:00', 1)"
    )
    fresh = await make_api(
        before_open=[legacy],
        **backend(search_fields=["login", "first_name", "last_name", "customer_id", "title"]),
    )
    await new_customer(fresh, "acme")
    await new_user(fresh, "doctor", "Doc", "Tor", "acme", title="Dr.")
    await new_user(fresh, "plain", "Pla", "In", "acme")
    everyone = {"legacy", "doctor", "plain"}
    assert await found(fresh, search="dr.") == {"doctor"}
    assert await found(fresh, search="!dr.") == {"legacy", "plain"}
    assert await found(fresh, search="acme+!dr.") == {"legacy", "plain"}
    assert await found(fresh, search="*") == everyone
    assert await found(fresh, search="!zzz") == everyone
    nodes = {n["login"]: n for n in (await connection(fresh, search="acme"))["nodes"]}
    assert nodes["legacy"]["title"] is None
    assert nodes["legacy"]["fullName"] == "Leg Acy"
    assert nodes["legacy"]["displayName"] == '"Leg Acy" <legacy@acme.test>'
