"""Service offers and booking requests in the chat (forms, and the card buttons), and the page
where providers manage their service packages."""

from __future__ import annotations

from datetime import datetime

from flask import Response, make_response, render_template, request

from lnk.domain.models import User
from lnk.errors import ValidationFailed
from lnk.services import booking_requests, bookings, conversations, offers, packages
from lnk.services.deals import other_participant
from lnk.web import limits
from lnk.web.booking_details import details_for
from lnk.web.chat import threads
from lnk.web.chat.blueprint import bp, refuse_plain_form, signed_in
from lnk.web.chat.fragments import message_response
from lnk.web.context import ctx
from lnk.web.times import viewer_tz

OFFER_ACTIONS = {
    "accept": offers.accept_offer,
    "decline": offers.decline_offer,
    "withdraw": offers.withdraw_offer,
}
BOOKING_ACTIONS = {
    "confirm": booking_requests.confirm_request,
    "decline": booking_requests.decline_request,
    "cancel": booking_requests.cancel_request,
}
PACKAGE_LIMIT = 100


def _form_errors(template: str, error: ValidationFailed, **context: object) -> Response:
    """Re-renders a dialog form with the service's field errors next to the fields."""
    refuse_plain_form(error)
    response = make_response(
        render_template(
            template,
            errors=error.errors or {},
            message=error.message,
            values=request.form,
            **context,
        ),
        422,
    )
    response.headers["HX-Retarget"] = "#dialog-body"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def _optional(name: str) -> str | None:
    return (request.form.get(name) or "").strip() or None


def _whole(name: str) -> int | str | None:
    """A whole-number form field as an int; anything else goes to the service as typed (it
    answers with the field's error)."""
    raw = _optional(name)
    if raw is not None and raw.lstrip("-").isdigit():
        return int(raw)
    return raw


def _offer_context(user: User, conversation_id: str) -> dict:
    conversation = conversations.get_conversation(ctx(), user, conversation_id)
    other_participant(conversation, user)
    mine, _ = packages.list_packages(ctx(), user, limit=PACKAGE_LIMIT)
    return {"conversation_id": conversation_id, "packages": [p for p in mine if p.active]}


@bp.get("/chat/<conversation_id>/offer")
@signed_in
def offer_form(user: User, conversation_id: str) -> Response:
    return make_response(
        render_template(
            "_offer_form.html", errors={}, values={}, **_offer_context(user, conversation_id)
        )
    )


@bp.post("/chat/<conversation_id>/offer")
@signed_in
@limits.SEND
def send_offer(user: User, conversation_id: str) -> Response:
    try:
        hours = _optional("expiresInHours")
        try:
            expires = int(hours) if hours else None
        except ValueError:
            raise ValidationFailed.field("expiresInHours", "must be a whole number") from None
        result = offers.send_offer(
            ctx(),
            user,
            conversation_id,
            service_package_id=request.form.get("servicePackageId", ""),
            custom_price=_optional("customPrice"),
            custom_duration=_whole("customDuration"),
            note=_optional("note"),
            expires_in_hours=expires,
        )
    except ValidationFailed as error:
        return _form_errors("_offer_form.html", error, **_offer_context(user, conversation_id))
    toast = "; ".join(w["message"] for w in result.warnings) or None
    return message_response(threads.page_of(user, result.message), 201, toast=toast)


def _booking_context(user: User, conversation_id: str) -> dict:
    conversation = conversations.get_conversation(ctx(), user, conversation_id)
    provider_id = other_participant(conversation, user)
    theirs, _ = packages.list_packages(ctx(), user, owner_id=provider_id, limit=PACKAGE_LIMIT)
    return {"conversation_id": conversation_id, "packages": [p for p in theirs if p.active]}


@bp.get("/chat/<conversation_id>/booking")
@signed_in
def booking_form(user: User, conversation_id: str) -> Response:
    return make_response(
        render_template(
            "_booking_form.html", errors={}, values={}, **_booking_context(user, conversation_id)
        )
    )


def _local_datetime(name: str) -> datetime:
    raw = (request.form.get(name) or "").strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed.field(name, "pick a date and time") from None
    return value.replace(tzinfo=viewer_tz()) if value.tzinfo is None else value


@bp.post("/chat/<conversation_id>/booking")
@signed_in
@limits.SEND
def send_booking(user: User, conversation_id: str) -> Response:
    try:
        result = booking_requests.send_booking_request(
            ctx(),
            user,
            conversation_id,
            service_package_id=request.form.get("servicePackageId", ""),
            requested_start=_local_datetime("requestedStart"),
            note=_optional("note"),
        )
    except ValidationFailed as error:
        return _form_errors("_booking_form.html", error, **_booking_context(user, conversation_id))
    toast = "; ".join(w["message"] for w in result.warnings) or None
    return message_response(threads.page_of(user, result.message), 201, toast=toast)


@bp.post("/chat/messages/<message_id>/offer/<action>")
@signed_in
@limits.ACTIONS
def offer_action(user: User, message_id: str, action: str) -> Response:
    if action not in OFFER_ACTIONS:
        raise ValidationFailed.field("action", "must be accept, decline or withdraw")
    return message_response(threads.page_of(user, OFFER_ACTIONS[action](ctx(), user, message_id)))


@bp.post("/chat/messages/<message_id>/booking/<action>")
@signed_in
@limits.ACTIONS
def booking_action(user: User, message_id: str, action: str) -> Response:
    if action not in BOOKING_ACTIONS:
        raise ValidationFailed.field("action", "must be confirm, decline or cancel")
    changed = BOOKING_ACTIONS[action](ctx(), user, message_id)
    return message_response(threads.page_of(user, changed))


# --- the packages page -------------------------------------------------------------------------


def _packages_page(user: User, errors: dict | None = None, status: int = 200) -> Response:
    mine, _ = packages.list_packages(ctx(), user, limit=PACKAGE_LIMIT)
    return make_response(
        render_template(
            "packages.html", user=user, packages=mine, errors=errors or {}, values=request.form
        ),
        status,
    )


BOOKINGS_SHOWN = 100


@bp.get("/bookings")
@signed_in
def bookings_page(user: User) -> Response:
    """The viewer's bookings as client and as provider: upcoming ones soonest first (those with no
    agreed time among them), then past ones, most recent first."""
    found, _ = bookings.list_bookings(ctx(), user, limit=BOOKINGS_SHOWN)
    now = ctx().clock.now()
    shown = details_for(user, found)
    upcoming = sorted(
        (d for d in shown if d.start is None or d.start >= now),
        key=lambda d: (d.start is None, d.start or now),
    )
    past = sorted(
        (d for d in shown if d.start is not None and d.start < now),
        key=lambda d: d.start,
        reverse=True,
    )
    return make_response(render_template("bookings.html", user=user, upcoming=upcoming, past=past))


@bp.get("/packages")
@signed_in
def packages_page(user: User) -> Response:
    return _packages_page(user)


def _package_fields() -> dict:
    return {
        "title": request.form.get("title", ""),
        "description": request.form.get("description"),
        "price": (request.form.get("price") or "").strip(),
        "currency": (request.form.get("currency") or "").strip().upper() or None,
        "duration_minutes": _whole("durationMinutes"),
    }


@bp.post("/packages")
@signed_in
@limits.ACTIONS
def create_package(user: User) -> Response:
    try:
        created = packages.create_package(ctx(), user, **_package_fields())
    except ValidationFailed as error:
        refuse_plain_form(error)
        response = make_response(
            render_template("_package_form.html", errors=error.errors or {}, values=request.form),
            422,
        )
        response.headers["HX-Retarget"] = "#package-form"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return make_response(
        render_template("_package_form.html", errors={}, values={})
        + render_template("_package_row.html", package=created, oob=True)
    )


@bp.get("/packages/<package_id>/edit")
@signed_in
def edit_package_form(user: User, package_id: str) -> Response:
    package = packages.get_package(ctx(), user, package_id)
    return make_response(render_template("_package_edit.html", package=package, errors={}))


@bp.get("/packages/<package_id>")
@signed_in
def package_row(user: User, package_id: str) -> Response:
    package = packages.get_package(ctx(), user, package_id)
    return make_response(render_template("_package_row.html", package=package))


@bp.post("/packages/<package_id>")
@signed_in
@limits.ACTIONS
def update_package(user: User, package_id: str) -> Response:
    try:
        updated = packages.update_package(ctx(), user, package_id, **_package_fields())
    except ValidationFailed as error:
        refuse_plain_form(error)
        package = packages.get_package(ctx(), user, package_id)
        return make_response(
            render_template("_package_edit.html", package=package, errors=error.errors or {}), 422
        )
    return make_response(render_template("_package_row.html", package=updated))


@bp.post("/packages/<package_id>/active")
@signed_in
@limits.ACTIONS
def set_package_active(user: User, package_id: str) -> Response:
    active = request.form.get("active") == "1"
    if active:
        changed = packages.update_package(ctx(), user, package_id, active=True)
    else:
        packages.deactivate_package(ctx(), user, package_id)
        changed = packages.get_package(ctx(), user, package_id)
    return make_response(render_template("_package_row.html", package=changed))
