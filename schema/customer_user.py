"""The CustomerUser type and its inputs, built from the Map of the configured backends.

A Map row (OTOBO's ``UserRoom``/``room`` example) becomes a typed field of ``CustomerUser`` and
of the create/update inputs without a code change, so these classes are made at schema-build
time. A field is non-null only when every backend maps it as required and OTOBO's schema
declares its column NOT NULL (a required custom column may be empty in rows older than it).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry import UNSET

from datasources.unit_of_work import Outcome
from domain import changes
from domain.config import BackendConfigBase
from domain.config.backend_base import union_dynamic_field_rows
from domain.customer_user_rules import CustomerUserChanges, NewCustomerUser
from domain.field_map import (
    FIXED_ATTRIBUTE_NAMES,
    LOGIN,
    NOT_NULL_ATTRIBUTES,
    PASSWORD,
    VALID_ID,
    DynamicFieldMapRow,
    MapField,
)
from domain.records import CustomerUserRecord
from resolvers.context import RequestContext
from schema import dynamic_field
from schema.audit import AuditFields, Info
from schema.audit_events import HistoryFields
from schema.common import Node, UserError, ValidityEnum, global_id, outcome_payload
from schema.dynamic import CustomerRef
from schema.fast_fields import batch_reader
from schema.pagination import USER_ERRORS_DESCRIPTION


@dataclass(frozen=True)
class FieldSpec:
    """One Map attribute across all backends, as the schema exposes it."""

    attribute: str
    graphql_name: str
    type: str
    label: str
    non_null: bool

    @property
    def python_type(self) -> Any:
        base: Any = int if self.type == "int" else str
        return base if self.non_null else base | None


def field_specs(backends: Sequence[BackendConfigBase]) -> list[FieldSpec]:
    """The union of the backends' Maps, in first-seen order, without login/password/validity
    (those are fixed fields of every customer user)."""
    maps = [b.map_fields() for b in backends]
    order: dict[str, MapField] = {}
    for fields in maps:
        for field in fields:
            order.setdefault(field.attribute, field)
    specs = []
    for attribute, field in order.items():
        if attribute in (LOGIN, PASSWORD, VALID_ID):
            continue
        everywhere_required = attribute in NOT_NULL_ATTRIBUTES and all(
            any(f.attribute == attribute and f.required for f in fields) for fields in maps
        )
        specs.append(
            FieldSpec(attribute, field.graphql_name, field.type, field.label, everywhere_required)
        )
    return specs


async def primary_customers(users: Sequence[Any], context: RequestContext) -> list[Any]:
    """The users' primary customers, through the request's customer loader (one batch)."""
    ids = [user.record.customer_id for user in users]
    records = iter(await context.loaders.customer.load_many([i for i in ids if i is not None]))
    wrap = context.customer_object
    return [
        None if customer_id is None or (record := next(records)) is None else wrap(record)
        for customer_id in ids
    ]


@strawberry.type
class CustomerUserFields(HistoryFields, AuditFields, Node):
    """The fixed part of CustomerUser; the Map adds the rest (see ``build_customer_user_type``)."""

    record: strawberry.Private[CustomerUserRecord]

    @strawberry.field(
        description="The customer user's global ID (for node and nodes), built from the login."
    )
    def id(self) -> strawberry.ID:
        return global_id("CustomerUser", self.record.login)

    @strawberry.field(description="The login (OTOBO's UserLogin), unique across all backends.")
    def login(self) -> str:
        return self.record.login

    @strawberry.field(description="The backend that holds this user, e.g. CustomerUser.")
    def source(self) -> str:
        return self.record.source

    @strawberry.field(description="The name fields joined (OTOBO's UserFullname).")
    def full_name(self) -> str:
        return self.record.full_name

    @strawberry.field(
        description='The list fields as OTOBO shows them in search results, e.g. "Jane Doe" '
        "<jane@acme.test>: what autocomplete widgets display."
    )
    def display_name(self) -> str:
        return self.record.display_name

    @strawberry.field(
        description="Whether the user is in use (OTOBO's valid_id; for an LDAP backend, its "
        "valid_filter). Only VALID users can sign in and hold permissions."
    )
    def validity(self) -> ValidityEnum:  # type: ignore[valid-type]
        return self.record.validity

    @strawberry.field(
        description="The primary customer (company), when it exists.",
        metadata=batch_reader(primary_customers),
    )
    async def customer(self, info: Info) -> CustomerRef | None:
        return (await primary_customers([self], info.context))[0]


def value_reader(spec: FieldSpec) -> Callable[[Any], Any]:
    """Read one Map value off a CustomerUser object (``None`` when this backend has none)."""
    attribute, convert = spec.attribute, int if spec.type == "int" else str

    def read(root: Any) -> Any:
        value = root.record.values.get(attribute)
        return None if value is None else convert(value)

    return read


def _value_resolver(spec: FieldSpec) -> Any:
    """A Map value's field; its resolver reads only ``root``, so it is also the field's fast
    reader (``schema.fast_fields.install_declared``)."""
    return strawberry.field(
        resolver=value_reader(spec),
        graphql_type=spec.python_type,
        name=spec.graphql_name,
        description=f"{spec.label} (Map attribute {spec.attribute}).",
    )


@dataclass(frozen=True)
class CustomerUserTypes:
    """The classes built for one configuration."""

    specs: list[FieldSpec]
    object: Any
    create_input: Any
    update_input: Any
    problem_names: Mapping[str, str]
    """Map attribute → input field name: how a problem's Map attribute is shown
    (``schema.problem_paths``; the use cases name Map values by attribute)."""
    dynamic_fields: Sequence[DynamicFieldMapRow] = ()
    """The Map's ``dynamic_field`` rows (``schema.dynamic_field``)."""

    def wrap(self, record: CustomerUserRecord) -> Any:
        return self.object(record=record, audit=record.audit)


def build_customer_user_types(
    backends: Sequence[BackendConfigBase], *, extra_bases: tuple[type, ...] = ()
) -> CustomerUserTypes:
    """The CustomerUser classes: the fixed fields, the areas' fields (``extra_bases``: the
    groups, services … a customer user has) and one field per Map attribute."""
    specs = field_specs(backends)
    df_rows = union_dynamic_field_rows(list(backends))
    namespace: dict[str, Any] = {"__annotations__": {}}
    for spec in specs:
        namespace[spec.attribute] = _value_resolver(spec)
    namespace.update(dynamic_field.value_fields(df_rows))
    object_type = strawberry.type(
        type("CustomerUser", (CustomerUserFields, *extra_bases), namespace),
        name="CustomerUser",
        description="A customer user. Fields past the fixed ones come from the backends' Map.",
    )
    return CustomerUserTypes(
        specs=specs,
        object=object_type,
        create_input=_create_input(specs, df_rows),
        update_input=_update_input(specs, df_rows),
        problem_names={
            **{name_of: name for name, name_of in FIXED_ATTRIBUTE_NAMES.items()},
            **{spec.attribute: spec.graphql_name for spec in specs},
            **{row.attribute: row.graphql_name for row in df_rows},
        },
        dynamic_fields=df_rows,
    )


def _input_field(spec: FieldSpec, default: Any) -> Any:
    required = " Required." if spec.non_null else ""
    return strawberry.field(
        default=default,
        graphql_type=int | None if spec.type == "int" else str | None,
        name=spec.graphql_name,
        description=f"{spec.label} (Map attribute {spec.attribute}).{required}",
    )


def _create_input(specs: Sequence[FieldSpec], df_rows: Sequence[DynamicFieldMapRow]) -> Any:
    namespace: dict[str, Any] = {
        "__annotations__": {},
        "login": strawberry.field(
            default=None,
            graphql_type=str | None,
            description="Required; unique across all backends, case-insensitively.",
        ),
        "password": strawberry.field(
            default=None,
            graphql_type=str | None,
            description="Empty or omitted: a strong password is generated and returned once "
            "as generatedPassword. Must pass the [passwords] policy (one user error per "
            "broken rule). Stored only as a hash in [passwords] scheme (default: OTOBO's "
            "bcrypt form).",
        ),
        "validity": strawberry.field(
            default=ValidityEnum.VALID, graphql_type=ValidityEnum, description="VALID unless given."
        ),
        "source": strawberry.field(
            default=None,
            graphql_type=str | None,
            description="The backend to create in; default: the first writable one.",
        ),
    }
    for spec in specs:
        namespace[spec.attribute] = _input_field(spec, None)
    namespace.update(dynamic_field.input_fields(df_rows, patch=False))
    return strawberry.input(
        type("CustomerUserCreateInput", (), namespace),
        name="CustomerUserCreateInput",
        description="A new customer user. Required fields follow the Map (customerUserFields); "
        "every missing one is reported in userErrors.",
    )


def _update_input(specs: Sequence[FieldSpec], df_rows: Sequence[DynamicFieldMapRow]) -> Any:
    namespace: dict[str, Any] = {
        "__annotations__": {},
        "login": strawberry.field(graphql_type=str, description="The user to change."),
        "new_login": strawberry.field(
            default=UNSET,
            graphql_type=str | None,
            name="newLogin",
            description="Renames the login; every relation row follows.",
        ),
        "validity": strawberry.field(
            default=UNSET,
            graphql_type=ValidityEnum | None,
            description="A new validity; INVALID ends the user's sign-ins and sessions.",
        ),
        "refresh_tickets_on_change": strawberry.field(
            default=False,
            graphql_type=bool,
            name="refreshTicketsOnChange",
            description="After the update, re-apply [dynamic_field_from_customer_user]'s "
            "mapping to the user's open tickets (ticketsRefreshCustomerData with onlyOpen), so "
            "they follow the changed data. INVALID when the mapping is not enabled (nothing "
            "written); TOO_LONG beside the written user when it has more than 10,000 open "
            "tickets.",
        ),
    }
    for spec in specs:
        namespace[spec.attribute] = _input_field(spec, UNSET)
    namespace.update(dynamic_field.input_fields(df_rows, patch=True))
    return strawberry.input(
        type("CustomerUserUpdateInput", (), namespace),
        name="CustomerUserUpdateInput",
        description="A patch: omitted fields keep their value, null clears an optional field.",
    )


def create_change(types: CustomerUserTypes, data: Any) -> NewCustomerUser:
    """The create input as the use case's typed change: every Map value, by attribute."""
    values: dict[str, Any] = {spec.attribute: getattr(data, spec.attribute) for spec in types.specs}
    values[LOGIN] = data.login
    values[VALID_ID] = data.validity.value
    dynamic_fields = {
        row.attribute: getattr(data, row.attribute)
        for row in types.dynamic_fields
        if getattr(data, row.attribute) is not None
    }
    return NewCustomerUser(
        values=values, password=data.password, source=data.source, dynamic_fields=dynamic_fields
    )


def update_change(types: CustomerUserTypes, data: Any) -> CustomerUserChanges:
    """The update input as the use case's typed patch: the Map values the client sent, and
    ``newLogin`` as the rename (``input.login`` names the user, apart from the change)."""
    values = {
        spec.attribute: getattr(data, spec.attribute)
        for spec in types.specs
        if getattr(data, spec.attribute) is not UNSET
    }
    if data.validity is not UNSET:
        values[VALID_ID] = data.validity.value if data.validity is not None else None
    new_login = changes.UNSET if data.new_login is UNSET else data.new_login
    dynamic_fields = {
        row.attribute: getattr(data, row.attribute)
        for row in types.dynamic_fields
        if getattr(data, row.attribute) is not UNSET
    }
    return CustomerUserChanges(values=values, new_login=new_login, dynamic_fields=dynamic_fields)


WRITTEN_USER = "The customer user as written; null when the input was refused."


def build_payloads(types: CustomerUserTypes) -> tuple[Any, Any]:
    """CustomerUserPayload (create/update) and CustomerUserPasswordPayload."""
    cu = types.object

    payload = strawberry.type(
        type(
            "CustomerUserPayload",
            (),
            {
                "__annotations__": {"customer_user": cu | None, "user_errors": list[UserError]},
                "customer_user": strawberry.field(description=WRITTEN_USER),
                "user_errors": strawberry.field(description=USER_ERRORS_DESCRIPTION),
            },
        ),
        name="CustomerUserPayload",
        description="The result of customerUserCreate and customerUserUpdate.",
    )
    password_payload = strawberry.type(
        type(
            "CustomerUserPasswordPayload",
            (),
            {
                "__annotations__": {
                    "customer_user": cu | None,
                    "generated_password": str | None,
                    "user_errors": list[UserError],
                },
                "customer_user": strawberry.field(description=WRITTEN_USER),
                "generated_password": strawberry.field(
                    description="The generated password when none was given; shown only "
                    "in this response, never again."
                ),
                "user_errors": strawberry.field(description=USER_ERRORS_DESCRIPTION),
            },
        ),
        name="CustomerUserPasswordPayload",
        description="The result of customerUserCreate and customerUserSetPassword: the user, "
        "and the password when Roster generated it.",
    )
    return payload, password_payload


def payload_of(
    payload_type: Any,
    types: CustomerUserTypes,
    outcome: Outcome[CustomerUserRecord],
    *,
    with_password: bool,
) -> Any:
    fields: dict[str, Any] = {
        "customer_user": types.wrap(outcome.record) if outcome.record else None,
    }
    if with_password:
        fields["generated_password"] = outcome.generated_password
    return outcome_payload(payload_type, outcome, types.problem_names, **fields)
