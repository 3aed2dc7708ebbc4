"""Demo services: a small hierarchy, a few assignments and default services.

Added only where missing, through the same use cases as the API (acting as ``ANONYMOUS``,
so ``createdBy`` shows ``anonymous``). The set shows each rule
once: ``Legacy`` is invalid, so its valid child ``Legacy::Fax`` counts as invalid (with the
default ``keep_children = false``); ``rroe``'s only service is that child, so ``rroe`` gets the
default services, as ``hsimpson``, who has none, does.
"""

from __future__ import annotations

import logging

from app.auth import ANONYMOUS
from datasources.storage import Storage
from domain.errors import Problem
from domain.services import DEFAULT_LOGIN, ServiceChanges, parent_name, short_name
from domain.validity import Validity
from resolvers.use_cases import service_assignments, services

logger = logging.getLogger("roster.demo")

SERVICES = [
    ("IT", Validity.VALID, "Everything with a plug."),
    ("IT::Hardware", Validity.VALID, "Laptops, phones, printers."),
    ("IT::Network", Validity.VALID, None),
    ("IT::Network::VPN", Validity.VALID, "Remote access."),
    ("IT::Network::Wi-Fi", Validity.VALID, None),
    ("Facilities", Validity.VALID, None),
    ("Facilities::Parking", Validity.VALID, None),
    ("Legacy", Validity.INVALID, "Retired services."),
    ("Legacy::Fax", Validity.VALID, "Valid itself, but below an invalid service."),
]  # parents before children

ASSIGNMENTS = {
    "jdoe": ["IT::Network::VPN", "IT::Network::Wi-Fi"],
    "kmueller": ["Facilities::Parking", "IT::Hardware"],
    "rroe": ["Legacy::Fax"],
}
DEFAULT_SERVICES = ["IT::Hardware", "Facilities::Parking"]


async def load_demo_services(storage: Storage) -> None:
    ids = await _add_services(storage)
    assigned = await storage.services.assigned_to([*ASSIGNMENTS, DEFAULT_LOGIN])
    for login, wanted in ASSIGNMENTS.items():
        if not assigned.get(login.lower()):  # else someone chose them already: leave them
            service_ids = [ids[name] for name in wanted if name in ids]
            outcome = await service_assignments.set_services_of(
                storage, ANONYMOUS, login, service_ids, dry_run=False
            )
            _warn_unless_done(login, outcome.problems)
    if not assigned.get(DEFAULT_LOGIN.lower()):
        service_ids = [ids[name] for name in DEFAULT_SERVICES if name in ids]
        defaults = await service_assignments.set_default_services(
            storage, ANONYMOUS, service_ids, dry_run=False
        )
        _warn_unless_done(DEFAULT_LOGIN, defaults.problems)
    logger.info("demo services present: %d services", len(ids))


async def _add_services(storage: Storage) -> dict[str, int]:
    """Full name → id of every demo service, creating the missing ones."""
    ids: dict[str, int] = {}
    for name, validity, comment in SERVICES:
        found = await storage.services.find_by_name(name)
        if found is None:
            parent = parent_name(name)
            change = ServiceChanges(
                name=short_name(name),
                parent_id=ids.get(parent) if parent else None,
                comment=comment,
                validity=validity,
            )
            outcome = await services.create(storage, ANONYMOUS, change)
            found = outcome.record
            _warn_unless_done(name, outcome.problems)
        if found is not None:
            ids[name] = found.id
    return ids


def _warn_unless_done(what: str, problems: list[Problem]) -> None:
    if problems:
        logger.warning("demo services: %s not set up: %s", what, problems)
