"""The admins' audit log: every moderation decision and account change an admin makes is
recorded here, once, and never changed (the store offers no way to)."""

from __future__ import annotations

from lnk.domain.models import User
from lnk.domain.safety import AuditEntry
from lnk.errors import Forbidden
from lnk.services.context import ServiceContext
from lnk.services.pagination import clamp_limit, decode_cursor, encode_cursor


def record(
    ctx: ServiceContext,
    actor: User,
    action: str,
    target_type: str,
    target_id: str,
    detail: dict | None = None,
) -> AuditEntry:
    return ctx.store.audit.append(actor.id, action, target_type, target_id, ctx.clock.now(), detail)


def entries(
    ctx: ServiceContext, actor: User, limit: int | None, cursor: str | None
) -> tuple[list[AuditEntry], str | None]:
    """Newest first, a page at a time; admins only."""
    if not actor.is_admin:
        raise Forbidden("admins only")
    limit = clamp_limit(limit, 50)
    before = decode_cursor(cursor, a=str)["a"] if cursor else None
    found = ctx.store.audit.page(limit + 1, before_id=before)
    page = found[:limit]
    return page, encode_cursor({"a": page[-1].id}) if len(found) > limit else None
