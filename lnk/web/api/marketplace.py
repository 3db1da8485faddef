"""Marketplace API: service packages, offers and booking requests in conversations, bookings."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify, make_response, request

from lnk.domain.models import Message, User
from lnk.errors import Conflict
from lnk.presenters import booking_json, message_json, package_json
from lnk.services import booking_requests, bookings, offers, packages
from lnk.services.context import ServiceContext
from lnk.web.api import marketplace_schemas as ms
from lnk.web.api import schemas as s
from lnk.web.api.messages import SEND_LIMIT, sent_response
from lnk.web.api.routing import endpoint
from lnk.web.booking_details import details_for
from lnk.web.calendar import booking_calendar
from lnk.web.context import ctx

bp = Blueprint("api_marketplace", __name__, url_prefix="/api")
TAG = "marketplace"
RESPOND_ERRORS = (403, 404, 409, 422)


@endpoint(
    bp,
    "/service-packages",
    "POST",
    summary="Create a service package",
    tag=TAG,
    operation_id="createServicePackage",
    status=201,
    body=ms.PackageBody,
    response=ms.PackageOut,
    errors=(422,),
)
def create_package(user: User, body: ms.PackageBody):
    """``price`` has at most two decimals; ``currency`` is an ISO 4217 code (default USD)."""
    package = packages.create_package(
        ctx(),
        user,
        title=body.title,
        description=body.description,
        price=body.price,
        currency=body.currency,
        duration_minutes=body.duration_minutes,
    )
    return jsonify(package_json(package)), 201


@endpoint(
    bp,
    "/service-packages",
    "GET",
    summary="List service packages",
    tag=TAG,
    operation_id="listServicePackages",
    query=ms.PackageListQuery,
    response=s.ListOut[ms.PackageOut],
    errors=(422,),
)
def list_packages(user: User, query: ms.PackageListQuery):
    """The caller's own packages (inactive ones too) or, with ``ownerId``, that owner's active
    packages; newest first."""
    items, cursor = packages.list_packages(
        ctx(), user, owner_id=query.owner_id, limit=query.limit, cursor=query.cursor
    )
    return jsonify({"items": [package_json(p) for p in items], "nextCursor": cursor})


@endpoint(
    bp,
    "/service-packages/<id>",
    "GET",
    summary="A service package",
    tag=TAG,
    operation_id="getServicePackage",
    response=ms.PackageOut,
    errors=(404,),
)
def get_package(user: User, id: str):
    return jsonify(package_json(packages.get_package(ctx(), user, id)))


@endpoint(
    bp,
    "/service-packages/<id>",
    "PUT",
    summary="Update a service package",
    tag=TAG,
    operation_id="updateServicePackage",
    body=ms.UpdatePackageBody,
    response=ms.PackageOut,
    errors=(403, 404, 422),
)
def update_package(user: User, id: str, body: ms.UpdatePackageBody):
    """Owner only. Offers already sent keep the snapshot they were made with."""
    package = packages.update_package(
        ctx(),
        user,
        id,
        title=body.title,
        description=body.description,
        price=body.price,
        currency=body.currency,
        duration_minutes=body.duration_minutes,
        active=body.active,
    )
    return jsonify(package_json(package))


@endpoint(
    bp,
    "/service-packages/<id>",
    "DELETE",
    summary="Deactivate a service package",
    tag=TAG,
    operation_id="deleteServicePackage",
    status=204,
    errors=(403, 404),
)
def delete_package(user: User, id: str):
    """Owner only. The package is deactivated, not erased: offers and bookings refer to it."""
    packages.deactivate_package(ctx(), user, id)
    return "", 204


@endpoint(
    bp,
    "/conversations/<id>/messages/service-offer",
    "POST",
    summary="Send a service offer",
    tag=TAG,
    operation_id="sendServiceOffer",
    status=201,
    body=ms.OfferBody,
    response=s.SentMessageOut,
    limit=SEND_LIMIT,
    errors=(404, 422),
)
def send_offer(user: User, id: str, body: ms.OfferBody):
    """Direct conversations only; the package must be the sender's and active. The offer
    snapshots the package with ``customPrice``/``customDuration`` applied and expires after
    ``expiresInHours`` (default 48, at most 720)."""
    return sent_response(
        offers.send_offer(
            ctx(),
            user,
            id,
            service_package_id=body.service_package_id,
            custom_price=body.custom_price,
            custom_duration=body.custom_duration,
            note=body.note,
            expires_in_hours=body.expires_in_hours,
        )
    )


@endpoint(
    bp,
    "/conversations/<id>/messages/booking-request",
    "POST",
    summary="Request a booking",
    tag=TAG,
    operation_id="sendBookingRequest",
    status=201,
    body=ms.BookingRequestBody,
    response=s.SentMessageOut,
    limit=SEND_LIMIT,
    errors=(404, 422),
)
def send_booking_request(user: User, id: str, body: ms.BookingRequestBody):
    """Direct conversations only; the package must be the other participant's and active;
    ``requestedStart`` must be in the future. Expires 24 hours after it is sent."""
    return sent_response(
        booking_requests.send_booking_request(
            ctx(),
            user,
            id,
            service_package_id=body.service_package_id,
            requested_start=body.requested_start,
            note=body.note,
        )
    )


def _respond(
    rule: str,
    operation_id: str,
    summary: str,
    action: Callable[[ServiceContext, User, str], Message],
    doc: str,
) -> None:
    """Registers one answer to an offer or request: ``POST`` with no body, 200 ``message``."""

    def view(user: User, id: str):
        return jsonify(message_json(action(ctx(), user, id)))

    view.__name__ = action.__name__
    view.__doc__ = doc
    endpoint(
        bp,
        rule,
        "POST",
        summary=summary,
        tag=TAG,
        operation_id=operation_id,
        response=s.MessageOut,
        errors=RESPOND_ERRORS,
    )(view)


_respond(
    "/messages/<id>/offer/accept",
    "acceptServiceOffer",
    "Accept a service offer",
    offers.accept_offer,
    "The recipient, on a pending unexpired offer; creates a confirmed booking with no "
    "start. A second or concurrent response is a 409.",
)
_respond(
    "/messages/<id>/offer/decline",
    "declineServiceOffer",
    "Decline a service offer",
    offers.decline_offer,
    "The recipient, on a pending offer; otherwise 409.",
)
_respond(
    "/messages/<id>/offer/withdraw",
    "withdrawServiceOffer",
    "Withdraw a service offer",
    offers.withdraw_offer,
    "The sender, on a pending offer; otherwise 409.",
)
_respond(
    "/messages/<id>/booking/confirm",
    "confirmBookingRequest",
    "Confirm a booking request",
    booking_requests.confirm_request,
    "The package owner, on a pending unexpired request; creates a confirmed booking at "
    "``requestedStart``. 409 if it overlaps one of the provider's confirmed bookings; the "
    "provider's other pending requests for overlapping times are then declined.",
)
_respond(
    "/messages/<id>/booking/decline",
    "declineBookingRequest",
    "Decline a booking request",
    booking_requests.decline_request,
    "The package owner, on a pending request.",
)
_respond(
    "/messages/<id>/booking/cancel",
    "cancelBookingRequest",
    "Cancel a booking request",
    booking_requests.cancel_request,
    "The requester, while the request is pending.",
)


@endpoint(
    bp,
    "/bookings",
    "GET",
    summary="The caller's bookings",
    tag=TAG,
    operation_id="listBookings",
    query=ms.BookingListQuery,
    response=s.ListOut[ms.BookingOut],
    errors=(422,),
)
def list_bookings(user: User, query: ms.BookingListQuery):
    """As ``client``, as ``provider``, or (no ``role``) both; newest first."""
    items, cursor = bookings.list_bookings(
        ctx(), user, role=query.role, limit=query.limit, cursor=query.cursor
    )
    return jsonify({"items": [booking_json(b) for b in items], "nextCursor": cursor})


@endpoint(
    bp,
    "/bookings/<id>/calendar.ics",
    "GET",
    summary="A booking as a calendar file",
    tag=TAG,
    operation_id="downloadBookingCalendar",
    binary=("text/calendar",),
    errors=(404, 409),
)
def booking_calendar_file(user: User, id: str):
    """An iCalendar (RFC 5545) event for one of the caller's bookings, in UTC, with a link back to
    the conversation. 409 for a booking with no agreed time."""
    booking = bookings.get_booking(ctx(), user, id)
    if booking.start is None:
        raise Conflict("this booking has no agreed time yet")
    [details] = details_for(user, [booking])
    body = booking_calendar(
        booking,
        title=details.title,
        other_name=details.other_name,
        price=details.price,
        link=f"{request.host_url}chat/{booking.conversation_id}",
        now=ctx().clock.now(),
    )
    response = make_response(body)
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f'attachment; filename="booking-{booking.id}.ics"'
    return response
