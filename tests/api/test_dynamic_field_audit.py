"""Dynamic-field values written through the single writes are in their audit events, as a bulk
import records them: ``customerUserCreate``/``Update`` (CustomerUser fields) and
``customerCreate``/``Update`` (CustomerCompany fields) put each value they set or change in
their ``CREATED``/``UPDATED`` event's ``fields``, under the Map attribute, a multiselect's keys
as a JSON array in text; an import of the same change leaves the same entry. On every
database kind."""

from __future__ import annotations

from typing import Any

from tests.api.audit_helpers import events_of, fields, mutate
from tests.api.test_customer_users_import import imported, user_row
from tests.api.test_dynamic_fields import add_definition
from tests.config.test_company_map_rules import rows_with
from tests.conftest import Api, MakeApi, unique
from tests.factories import dynamic_field_row
from tests.toml_helpers import default_map_rows

LANGUAGES = "---\nPossibleValues:\n  de: German\n  en: English\n  fr: French\n"
NICKNAME, LANGS = "DynamicField_Nickname", "DynamicField_Languages"
SEGMENT, MARKETS = "DynamicField_Segment", "DynamicField_Markets"


async def _api(make_api: MakeApi) -> Api:
    """Both Maps with a Text and a Multiselect field: the users' Nickname and Languages, the
    customers' Segment and Markets (GraphQL ``nickname``, ``languages``, ``segment``,
    ``markets``)."""
    api = await make_api(
        customer_company={
            "map": rows_with(
                dynamic_field_row(SEGMENT, "Segment", "Text"),
                dynamic_field_row(MARKETS, "Markets", "Multiselect"),
            )
        },
        customer_user={
            "backends": [
                {
                    "map": [
                        *default_map_rows(),
                        dynamic_field_row(NICKNAME, "Nickname", "Text"),
                        dynamic_field_row(LANGS, "Languages", "Multiselect"),
                    ]
                }
            ]
        },
    )
    await add_definition(api, "Nickname", "Text", None)
    await add_definition(api, "Languages", "Multiselect", LANGUAGES)
    await add_definition(api, "Segment", "Text", None, object_type="CustomerCompany")
    await add_definition(api, "Markets", "Multiselect", LANGUAGES, object_type="CustomerCompany")
    return api


async def _customer(api: Api, **values: Any) -> str:
    customer_id = unique("C")
    await mutate(
        api,
        "customerCreate",
        "CustomerCreateInput",
        {"customerId": customer_id, "name": customer_id, **values},
    )
    return customer_id


async def _user(api: Api, customer_id: str, **values: Any) -> str:
    login = unique("u")
    value = {
        "login": login,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": f"{login}@example.test",
        "customerId": customer_id,
        **values,
    }
    await mutate(api, "customerUserCreate", "CustomerUserCreateInput", value)
    return login


async def _update_user(api: Api, login: str, **values: Any) -> None:
    await mutate(api, "customerUserUpdate", "CustomerUserUpdateInput", {"login": login, **values})


async def _update_customer(api: Api, customer_id: str, **values: Any) -> None:
    value = {"customerId": customer_id, **values}
    await mutate(api, "customerUpdate", "CustomerUpdateInput", value)


def _dynamic(event: Any) -> dict[str, tuple[Any, Any]]:
    return {f: change for f, change in fields(event).items() if f.startswith("DynamicField_")}


async def test_a_customer_users_values_are_recorded_when_set_changed_and_erased(
    make_api: MakeApi,
) -> None:
    api = await _api(make_api)
    login = await _user(api, await _customer(api), nickname="JJ", languages=["en", "de"])
    await _update_user(api, login, nickname="Jo", languages=["fr"])
    await _update_user(api, login, nickname=None, languages=[])

    created, changed, erased = await events_of(api, "CustomerUser", login)
    assert created["action"] == "CREATED"
    assert _dynamic(created) == {NICKNAME: (None, "JJ"), LANGS: (None, '["en", "de"]')}
    # Only dynamic fields changed: still an UPDATED event, naming just them.
    assert changed["action"] == erased["action"] == "UPDATED"
    assert fields(changed) == {NICKNAME: ("JJ", "Jo"), LANGS: ('["en", "de"]', '["fr"]')}
    assert fields(erased) == {NICKNAME: ("Jo", None), LANGS: ('["fr"]', None)}


async def test_a_customers_values_are_recorded_when_set_changed_and_erased(
    make_api: MakeApi,
) -> None:
    api = await _api(make_api)
    customer_id = await _customer(api, segment="SMB", markets=["de"])
    await _update_customer(api, customer_id, segment="Enterprise", markets=["de", "fr"])
    await _update_customer(api, customer_id, segment=None, markets=None)

    created, changed, erased = await events_of(api, "Customer", customer_id)
    assert created["action"] == "CREATED"
    assert _dynamic(created) == {SEGMENT: (None, "SMB"), MARKETS: (None, '["de"]')}
    assert changed["action"] == erased["action"] == "UPDATED"
    assert fields(changed) == {SEGMENT: ("SMB", "Enterprise"), MARKETS: ('["de"]', '["de", "fr"]')}
    assert fields(erased) == {SEGMENT: ("Enterprise", None), MARKETS: ('["de", "fr"]', None)}


async def test_values_given_again_add_nothing_and_a_refused_write_records_nothing(
    make_api: MakeApi,
) -> None:
    api = await _api(make_api)
    customer_id = await _customer(api, segment="SMB", markets=["de"])
    login = await _user(api, customer_id, nickname="JJ", languages=["en"])
    other = await _user(api, customer_id)

    # The stored values again: no change, so no event (as an unchanged import row).
    user_events = await events_of(api, "CustomerUser", login)
    customer_events = await events_of(api, "Customer", customer_id)
    await _update_user(api, login)
    await _update_user(api, login, nickname="JJ", languages=["en"])
    await _update_customer(api, customer_id)
    await _update_customer(api, customer_id, segment="SMB", markets=["de"])
    assert await events_of(api, "CustomerUser", login) == user_events
    assert await events_of(api, "Customer", customer_id) == customer_events

    # Refused in the write's transaction (another user's e-mail address): no event, no value.
    before = await events_of(api, "CustomerUser", login)
    refused = await api.gql(
        "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
        " userErrors { code } } }",
        {"i": {"login": login, "email": f"{other}@example.test", "nickname": "Jo"}},
    )
    assert refused.data["customerUserUpdate"]["userErrors"] == [{"code": "EMAIL_TAKEN"}]
    assert await events_of(api, "CustomerUser", login) == before
    read = await api.gql(
        "query($l: String!) { customerUser(login: $l) { nickname } }", {"l": login}
    )
    assert read.data["customerUser"] == {"nickname": "JJ"}


async def test_an_import_and_an_api_write_of_one_change_record_the_same_fields(
    make_api: MakeApi,
) -> None:
    api = await _api(make_api)
    by_api = await _customer(api, segment="SMB", markets=["de"])
    by_import = unique("C")
    row = {"type": "customer", "CustomerID": by_import, "CustomerCompanyName": by_import}
    assert (await imported(api, [{**row, SEGMENT: "SMB", MARKETS: ["de"]}]))["created"] == 1
    users = {by_api: await _user(api, by_api, nickname="JJ", languages=["en", "de"])}
    users[by_import] = unique("u")
    user = user_row(users[by_import], by_import, **{NICKNAME: "JJ", LANGS: ["en", "de"]})
    assert (await imported(api, [user]))["created"] == 1

    await _update_customer(api, by_api, segment="Enterprise", markets=["fr", "de"])
    await _update_user(api, users[by_api], nickname="Jo", languages=["fr"])
    company_change = {"type": "customer", "CustomerID": by_import, SEGMENT: "Enterprise"}
    user_change = {"UserLogin": users[by_import], NICKNAME: "Jo", LANGS: ["fr"]}
    result = await imported(api, [{**company_change, MARKETS: ["fr", "de"]}, user_change])
    assert (result["updated"], result["refused"]) == (2, 0), result

    for type_name, keys in (("Customer", list(users)), ("CustomerUser", list(users.values()))):
        api_events, import_events = [await events_of(api, type_name, key) for key in keys]
        assert [e["action"] for e in api_events] == [e["action"] for e in import_events]
        assert _dynamic(api_events[0]) == _dynamic(import_events[0]) != {}  # CREATED
        assert api_events[-1]["fields"] == import_events[-1]["fields"]  # UPDATED
    customer_event = (await events_of(api, "Customer", by_api))[-1]
    assert fields(customer_event) == {
        SEGMENT: ("SMB", "Enterprise"),
        MARKETS: ('["de"]', '["fr", "de"]'),
    }


async def test_recording_the_values_costs_no_statement(make_api: MakeApi) -> None:
    """An update's values cost the statements that write them, and no more: the definitions'
    read, the object's id, the DELETE (which hands back the rows it replaced, for the event)
    and the INSERT; the event is the one statement it is without them."""
    api = await _api(make_api)
    login = await _user(api, await _customer(api), nickname="JJ", languages=["en"])
    update = (
        "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
        " userErrors { code } } }"
    )
    without = await api.gql(update, {"i": {"login": login, "firstName": "Ava"}})
    with_values = await api.gql(
        update, {"i": {"login": login, "firstName": "Eve", "nickname": "Jo", "languages": ["de"]}}
    )
    assert fields((await events_of(api, "CustomerUser", login))[-1])[LANGS] == ('["en"]', '["de"]')
    assert with_values.statements == without.statements + 4

    # A database without DELETE … RETURNING (MySQL) reads the rows first: one statement more.
    dialect = api.storage.engine.dialect
    dialect.delete_returning, returning = False, dialect.delete_returning
    try:
        reading = await api.gql(
            update, {"i": {"login": login, "firstName": "Ida", "nickname": "J"}}
        )
    finally:
        dialect.delete_returning = returning
    assert fields((await events_of(api, "CustomerUser", login))[-1]) == {
        "UserFirstname": ("Eve", "Ida"),
        NICKNAME: ("Jo", "J"),
    }
    assert reading.statements == without.statements + 5
