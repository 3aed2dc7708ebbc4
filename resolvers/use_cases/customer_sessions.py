"""Customer sessions: a token for the self-service ``me`` (issue 14).

A session starts with a successful sign-in that asks for it (``customerUserAuthenticate``
with ``startSession``); its token, shown once, then acts as that user for ``me``,
``meSetPassword`` and ``customerSessionRevoke`` only (``schema.permissions``,
``app.scope_gate``). A session ends when it expires (``[customer_auth.sessions]``), when it is
revoked (``revoke`` below), and with all the user's other sessions when the password changes,
the user is set not valid or renamed (``resolvers.use_cases.customer_users``, in the same
transaction as the change).
"""

from __future__ import annotations

from datetime import UTC

from datasources.backend import BackendUnavailable
from datasources.customer_user_directory import unresolvable
from datasources.storage import Storage
from datasources.unit_of_work import Outcome, transaction
from domain.audit import Action, AuditEvent, FieldChange
from domain.errors import ErrorCode, Problem
from domain.origins import OriginKey
from domain.records import CustomerUserRecord
from domain.sign_in import CustomerSessionGrant
from resolvers.context import Actor
from resolvers.use_cases import audit_trail

LOGIN = ("login",)


async def start(storage: Storage, actor: Actor, record: CustomerUserRecord) -> CustomerSessionGrant:
    """A new session for ``record`` (its token shown once), started by ``actor``'s key."""
    async with transaction(storage.engine) as conn:
        token, session = await storage.customer_sessions.start(record.login, actor.id, conn)
        audit_trail.record(conn, actor, [_event(record.login, Action.SESSION_STARTED)])
    return CustomerSessionGrant(token=token, expires_at=session.expires_at.replace(tzinfo=UTC))


async def revoke(storage: Storage, actor: Actor, login: str | None) -> Outcome[int]:
    """End sessions; the outcome is how many ended.

    With a customer session: that session (log out); ``login`` must be left out. With an admin
    key: every session of the customer user ``login`` (by token is not offered: only the
    portal that holds a token can present it, and it logs out with that token)."""
    if actor.customer_login is not None and actor.session_id is not None:
        if login is not None:
            message = "A customer session ends only itself: leave login out."
            return Outcome.failed([Problem(LOGIN, ErrorCode.INVALID, message)])
        async with transaction(storage.engine) as conn:
            ended = int(await storage.customer_sessions.revoke(conn, actor.session_id))
            if ended:
                audit_trail.record(conn, actor, [_event(actor.customer_login, ended=ended)])
        return Outcome(record=ended)
    if not login:
        message = "Name the customer user whose sessions end."
        return Outcome.failed([Problem(LOGIN, ErrorCode.REQUIRED, message)])
    try:
        record = await storage.customer_users.get(login, strict=True)
    except BackendUnavailable as exc:
        return Outcome.failed([unresolvable(LOGIN, exc)])
    if record is None:
        return Outcome.failed([Problem(LOGIN, ErrorCode.NOT_FOUND, f"No such user {login!r}.")])
    async with transaction(storage.engine) as conn:
        ended = await storage.customer_sessions.revoke_login(conn, record.login)
        if ended:
            audit_trail.record(conn, actor, [_event(record.login, ended=ended)])
    return Outcome(record=ended)


def _event(
    login: str, action: Action = Action.SESSIONS_REVOKED, *, ended: int | None = None
) -> AuditEvent:
    """A session started for ``login``, or ``ended`` of its sessions were revoked."""
    fields = {"sessions_ended": FieldChange(None, ended)} if ended is not None else {}
    return AuditEvent(OriginKey.customer_user(login), login, action, fields)
