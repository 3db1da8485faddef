"""What a booking shows its two parties: the package's title, the other person, the price as the
viewer reads it. Shared by the bookings page and the calendar file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lnk.domain.models import Booking, User
from lnk.errors import NotFound
from lnk.services import accounts, bookings, packages
from lnk.web.context import ctx
from lnk.web.money import price_text


@dataclass
class BookingDetails:
    booking: Booking
    title: str
    role: str  # the viewer's side: client or provider
    other_id: str
    other_name: str
    price: str

    @property
    def start(self) -> datetime | None:
        return self.booking.start


def details_for(user: User, items: list[Booking]) -> list[BookingDetails]:
    others = {bookings.other_party(b, user) for b in items}
    users = accounts.users_by_id(ctx(), others)
    titles: dict[str, str] = {}
    for b in items:
        if b.service_package_id not in titles:
            try:
                titles[b.service_package_id] = packages.get_package(
                    ctx(), user, b.service_package_id
                ).title
            except NotFound:
                titles[b.service_package_id] = "Service"
    result = []
    for b in items:
        other_id = bookings.other_party(b, user)
        other = users.get(other_id)
        result.append(
            BookingDetails(
                booking=b,
                title=titles[b.service_package_id],
                role="client" if b.client_id == user.id else "provider",
                other_id=other_id,
                other_name=other.display_name if other else "Former member",
                price=price_text(b.price, b.currency),
            )
        )
    return result
