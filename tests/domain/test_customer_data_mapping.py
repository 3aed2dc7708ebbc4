"""OTOBO's DynamicFieldFromCustomerUser as a pure plan (reference §1.3, §1.4, §9 item 1):
which ticket field gets which customer data, what is erased, what a checkbox gets, and which
targets are skipped with a reason."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.customer_data_mapping import customer_data, plan
from domain.dynamic_fields import DynamicFieldDefinition, ValueRow
from domain.records import Audit, CustomerRecord, CustomerUserRecord
from domain.validity import Validity

NO_AUDIT = Audit(datetime(2026, 1, 2, 3, 4, 5), 1, None, None)


def user(**values: Any) -> CustomerUserRecord:
    base = {
        "UserLogin": "jdoe",
        "UserFirstname": "Jane",
        "UserLastname": "Doe",
        "UserEmail": "jane@acme.test",
        "UserCustomerID": "ACME",
        "ValidID": 1,
    }
    base.update(values)
    return CustomerUserRecord(
        source="CustomerUser",
        login=str(base["UserLogin"]),
        values=base,
        name_parts=(base.get("UserFirstname"), base.get("UserLastname")),
        name_join=" ",
        list_parts=(),
        audit=NO_AUDIT,
    )


ACME = CustomerRecord(
    customer_id="ACME",
    name="Acme Inc.",
    street="1 Road",
    zip=None,
    city="Springfield",
    country=None,
    url=None,
    comment=None,
    validity=Validity.VALID,
    audit=NO_AUDIT,
    extra={"CustomerCompanyRegion": "North"},
)

_ids = iter(range(1, 1000))


def field(
    name: str,
    field_type: str = "Text",
    *,
    object_type: str = "Ticket",
    validity: Validity = Validity.VALID,
) -> DynamicFieldDefinition:
    return DynamicFieldDefinition(
        id=next(_ids),
        name=name,
        label=name,
        field_order=1,
        field_type=field_type,
        object_type=object_type,
        validity=validity,
    )


def texts(rows: Any) -> list[str | None]:
    return [r.value_text for r in rows]


def test_otobo_unit_test_mapping_sets_login_names_company_id_and_name() -> None:
    """§9 item 1: five Text fields get the login, first and last name, CustomerID and the
    company name."""
    mapping = {
        "UserLogin": "CustomerLogin",
        "UserFirstname": "CustomerFirstname",
        "UserLastname": "CustomerLastname",
        "CustomerCompanyName": "CompanyName",
        "CustomerID": "CompanyID",
    }
    definitions = [field(name) for name in mapping.values()]
    found = plan(mapping, customer_data(user(), ACME), definitions)
    assert [(a.key, a.target, a.action, texts(a.rows)) for a in found] == [
        ("CustomerCompanyName", "CompanyName", "set", ["Acme Inc."]),
        ("CustomerID", "CompanyID", "set", ["ACME"]),
        ("UserFirstname", "CustomerFirstname", "set", ["Jane"]),
        ("UserLastname", "CustomerLastname", "set", ["Doe"]),
        ("UserLogin", "CustomerLogin", "set", ["jdoe"]),
    ]


def test_keys_are_applied_in_sorted_order() -> None:
    mapping = {"UserZip": "A", "UserCity": "A", "UserEmail": "B"}
    found = plan(mapping, customer_data(user(UserZip="1", UserCity="X")), [field("A"), field("B")])
    assert [a.key for a in found] == ["UserCity", "UserEmail", "UserZip"]


def test_derived_keys_user_id_full_name_and_create_time() -> None:
    data = customer_data(user())
    assert data["UserID"] == "jdoe"
    assert data["UserFullname"] == "Jane Doe"
    assert data["CreateTime"] == "2026-01-02 03:04:05"


def test_customer_values_win_over_company_values_and_company_extras_are_keys() -> None:
    data = customer_data(user(CustomerCompanyName="mine"), ACME)
    assert data["CustomerCompanyName"] == "mine"
    assert data["CustomerCompanyRegion"] == "North"
    assert data["CustomerCompanyValidID"] == 1


def test_preferences_and_own_dynamic_fields_are_keys() -> None:
    data = customer_data(user(), None, {"DynamicField_Tier": "gold"}, {"UserLanguage": "de"})
    assert data["DynamicField_Tier"] == "gold"
    assert data["UserLanguage"] == "de"


def test_missing_empty_undefined_and_zero_values_erase_the_field() -> None:
    mapping = {"UserFax": "A", "UserPhone": "B", "UserTitle": "C", "UserComment": "D"}
    data = customer_data(user(UserPhone="", UserTitle=None, UserComment="0"))
    found = plan(mapping, data, [field(n) for n in "ABCD"])
    assert [(a.target, a.action, list(a.rows)) for a in found] == [
        ("D", "erase", []),
        ("A", "erase", []),
        ("B", "erase", []),
        ("C", "erase", []),
    ]


def test_no_customer_user_erases_every_mapped_field() -> None:
    found = plan({"UserFirstname": "A"}, customer_data(None), [field("A")])
    assert [(a.action, list(a.rows)) for a in found] == [("erase", [])]


def test_checkbox_gets_0_for_no_value_and_the_integer_otherwise() -> None:
    mapping = {"UserFax": "Box", "UserPhone": "Box2", "UserMobile": "Box3"}
    data = customer_data(user(UserPhone="1", UserMobile="yes"))
    defs = [field("Box", "Checkbox"), field("Box2", "Checkbox"), field("Box3", "Checkbox")]
    found = {a.target: a for a in plan(mapping, data, defs)}
    assert list(found["Box"].rows) == [ValueRow(value_int=0)]
    assert found["Box"].action == "set"
    assert list(found["Box2"].rows) == [ValueRow(value_int=1)]
    assert found["Box3"].action == "skip"
    assert "not an integer" in str(found["Box3"].reason)


def test_a_missing_target_is_skipped_with_a_reason() -> None:
    (found,) = plan({"UserFirstname": "Nope"}, customer_data(user()), [])
    assert found.action == "skip"
    assert "does not exist" in str(found.reason)


def test_an_invalid_target_is_skipped() -> None:
    defs = [field("Old", validity=Validity.INVALID)]
    (found,) = plan({"UserFirstname": "Old"}, customer_data(user()), defs)
    assert (found.action, "not valid" in str(found.reason)) == ("skip", True)


def test_article_customer_user_and_company_targets_are_skipped() -> None:
    defs = [
        field("Art", object_type="Article"),
        field("Cu", object_type="CustomerUser"),
        field("Co", object_type="CustomerCompany"),
    ]
    mapping = {"UserFirstname": "Art", "UserLastname": "Cu", "UserLogin": "Co"}
    found = plan(mapping, customer_data(user()), defs)
    assert [a.action for a in found] == ["skip", "skip", "skip"]
    assert "Article field, not a Ticket one" in str(found[0].reason)


def test_dropdown_takes_any_string_without_checking_possible_values() -> None:
    definition = DynamicFieldDefinition(
        1, "Dd", "Dd", 1, "Dropdown", "Ticket", Validity.VALID, config={"PossibleValues": {}}
    )
    (found,) = plan({"UserCity": "Dd"}, customer_data(user(UserCity="Paris")), [definition])
    assert texts(found.rows) == ["Paris"]


def test_date_field_takes_a_date_and_appends_midnight() -> None:
    (found,) = plan(
        {"UserZip": "D"}, customer_data(user(UserZip="2026-03-04")), [field("D", "Date")]
    )
    assert list(found.rows) == [ValueRow(value_date=datetime(2026, 3, 4))]


def test_date_field_given_a_non_date_is_skipped_and_the_next_entry_goes_on() -> None:
    mapping = {"UserCity": "D", "UserFirstname": "T"}
    data = customer_data(user(UserCity="tomorrow"))
    found = plan(mapping, data, [field("D", "Date"), field("T")])
    assert [(a.target, a.action) for a in found] == [("D", "skip"), ("T", "set")]
    assert "is not a date" in str(found[0].reason)


def test_date_field_rejects_a_time_of_day_and_an_impossible_date() -> None:
    defs = [field("D", "Date"), field("E", "Date")]
    data = customer_data(user(UserCity="2026-03-04 10:00:00", UserZip="2026-02-30"))
    found = plan({"UserCity": "D", "UserZip": "E"}, data, defs)
    assert [a.action for a in found] == ["skip", "skip"]


def test_date_time_field_takes_a_timestamp_or_a_date_object() -> None:
    data = customer_data(user(UserCity="2026-03-04 10:11:12", UserZip=date(2026, 1, 1)))
    defs = [field("D", "DateTime"), field("E", "Date")]
    found = plan({"UserCity": "D", "UserZip": "E"}, data, defs)
    assert list(found[0].rows) == [ValueRow(value_date=datetime(2026, 3, 4, 10, 11, 12))]
    assert list(found[1].rows) == [ValueRow(value_date=datetime(2026, 1, 1))]


def test_a_multiselect_value_goes_to_a_multiselect_as_several_rows() -> None:
    data = customer_data(user(), None, {"DynamicField_Langs": ["de", "en", "", "fr"]})
    (found,) = plan({"DynamicField_Langs": "M"}, data, [field("M", "Multiselect")])
    assert texts(found.rows) == ["de", "en"]  # OTOBO stops at the first empty entry


def test_a_list_into_a_single_value_field_is_skipped() -> None:
    data = customer_data(user(), None, {"DynamicField_Langs": ["de"]})
    (found,) = plan({"DynamicField_Langs": "T"}, data, [field("T")])
    assert found.action == "skip"


def test_a_scalar_into_a_multiselect_is_one_row() -> None:
    (found,) = plan(
        {"UserCity": "M"}, customer_data(user(UserCity="X")), [field("M", "Multiselect")]
    )
    assert texts(found.rows) == ["X"]


def test_two_keys_to_one_target_both_apply_in_order() -> None:
    data = customer_data(user(UserCity="C", UserZip="Z"))
    found = plan({"UserZip": "T", "UserCity": "T"}, data, [field("T")])
    assert [texts(a.rows) for a in found] == [["C"], ["Z"]]  # the last one (UserZip) wins


def test_a_too_long_value_is_skipped() -> None:
    (found,) = plan({"UserCity": "T"}, customer_data(user(UserCity="x" * 3801)), [field("T")])
    assert found.action == "skip"
