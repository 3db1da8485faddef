"""Service packages: what a provider sells, at an exact decimal price in an ISO 4217 currency.

Currencies are checked against ``pycountry`` (the ISO 4217 list it ships, kept up to date by its
maintainers), leaving out the codes that are not money (``XTS`` testing, ``XXX`` no currency).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pycountry

from lnk.domain.models import ServicePackage, User
from lnk.domain.names import clean_name
from lnk.domain.rules import MAX_DURATION_MINUTES
from lnk.errors import Forbidden, NotFound, ValidationFailed
from lnk.services.context import ServiceContext
from lnk.services.pagination import clamp_limit, decode_cursor, encode_cursor

NOT_MONEY = frozenset({"XTS", "XXX"})
CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_MONEY
CENT = Decimal("0.01")
MAX_PRICE = Decimal("9999999999.99")
MAX_TITLE = 100
MAX_DESCRIPTION = 2000


def parse_price(value: object, field: str = "price") -> Decimal:
    """An exact amount ≥ 0 with at most two decimals, from a number, numeric string or Decimal.

    Floats go through their shortest repr (``19.99`` stays ``19.99``), never binary arithmetic."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValidationFailed.field(field, "must be a number")
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise ValidationFailed.field(field, "must be a number") from None
    if not amount.is_finite():
        raise ValidationFailed.field(field, "must be a finite number")
    if amount < 0 or amount > MAX_PRICE:
        raise ValidationFailed.field(field, f"must be between 0 and {MAX_PRICE}")
    if amount != amount.quantize(CENT):
        raise ValidationFailed.field(field, "must have at most 2 decimals")
    return amount.quantize(CENT)


def parse_currency(value: str | None, field: str = "currency") -> str:
    code = (value or "USD").strip().upper()
    if code not in CURRENCIES:
        raise ValidationFailed.field(field, "must be an ISO 4217 currency code")
    return code


def parse_duration(value: object, field: str = "durationMinutes") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed.field(field, "must be a whole number of minutes")
    if not 1 <= value <= MAX_DURATION_MINUTES:
        raise ValidationFailed.field(field, f"must be between 1 and {MAX_DURATION_MINUTES}")
    return value


def _title(value: str | None) -> str:
    title = clean_name(value, "title")
    if not 1 <= len(title) <= MAX_TITLE:
        raise ValidationFailed.field("title", f"must be 1-{MAX_TITLE} characters")
    return title


def _description(value: str | None) -> str:
    description = (value or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed.field("description", f"must be at most {MAX_DESCRIPTION} characters")
    return description


def create_package(
    ctx: ServiceContext,
    actor: User,
    *,
    title: str,
    price: object,
    duration_minutes: object,
    description: str | None = None,
    currency: str | None = None,
) -> ServicePackage:
    return ctx.store.packages.create(
        actor.id,
        _title(title),
        _description(description),
        parse_price(price),
        parse_currency(currency),
        parse_duration(duration_minutes),
        ctx.clock.now(),
    )


def get_package(ctx: ServiceContext, actor: User, package_id: str) -> ServicePackage:
    """Any signed-in user may read a package (offers and requests refer to them)."""
    package = ctx.store.packages.get(package_id)
    if package is None:
        raise NotFound("service package not found")
    return package


def list_packages(
    ctx: ServiceContext,
    actor: User,
    *,
    owner_id: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[ServicePackage], str | None]:
    """The caller's packages (inactive ones too), or another owner's active ones; newest first."""
    owner = owner_id or actor.id
    limit = clamp_limit(limit, 20)
    before_id = decode_cursor(cursor, id=str)["id"] if cursor else None
    items = ctx.store.packages.list_by_owner(
        owner, include_inactive=owner == actor.id, limit=limit + 1, before_id=before_id
    )
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor({"id": items[-1].id})
    return items, next_cursor


def update_package(
    ctx: ServiceContext,
    actor: User,
    package_id: str,
    *,
    title: str | None = None,
    description: str | None = None,
    price: object = None,
    currency: str | None = None,
    duration_minutes: object = None,
    active: bool | None = None,
) -> ServicePackage:
    """Owner only. Offers already sent keep their snapshot; only new ones see the change."""
    _owned(ctx, actor, package_id)
    fields: dict[str, object] = {}
    if title is not None:
        fields["title"] = _title(title)
    if description is not None:
        fields["description"] = _description(description)
    if price is not None:
        fields["price"] = parse_price(price)
    if currency is not None:
        fields["currency"] = parse_currency(currency)
    if duration_minutes is not None:
        fields["duration_minutes"] = parse_duration(duration_minutes)
    if active is not None:
        fields["active"] = bool(active)
    updated = ctx.store.packages.update(package_id, ctx.clock.now(), **fields)
    if updated is None:
        raise NotFound("service package not found")
    return updated


def deactivate_package(ctx: ServiceContext, actor: User, package_id: str) -> None:
    """Owner only; idempotent. The package stays readable, but takes no new offers or requests."""
    package = _owned(ctx, actor, package_id)
    if package.active:
        ctx.store.packages.update(package_id, ctx.clock.now(), active=False)


def _owned(ctx: ServiceContext, actor: User, package_id: str) -> ServicePackage:
    package = ctx.store.packages.get(package_id)
    if package is None:
        raise NotFound("service package not found")
    if package.owner_id != actor.id:
        raise Forbidden("only the owner may change a service package")
    return package
