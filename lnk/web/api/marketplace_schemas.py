"""Request and response schemas of the marketplace and files API (see ``schemas`` for the rest).

Prices are exact decimals: a JSON number or a numeric string with at most two decimals, never
handled as a binary float (pydantic reads a float through its shortest decimal form).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from lnk.web.api.schemas import Cursor, FileOut, Instant, Limit, Name, ObjectId, Schema

Price = Annotated[
    Decimal,
    Field(
        ge=0,
        max_digits=12,
        decimal_places=2,
        allow_inf_nan=False,
        description="a decimal ≥ 0 with at most 2 decimals",
    ),
]
Currency = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), Field(description="ISO 4217 code, e.g. USD")
]
Duration = Annotated[int, Field(ge=1, le=7 * 24 * 60, description="minutes")]
Title = Name(200)
Description = Annotated[str, StringConstraints(max_length=4000)]
Note = Annotated[str, StringConstraints(max_length=2000)]


# --- requests -------------------------------------------------------------------------------


class PackageBody(Schema):
    title: Title
    description: Description | None = None
    price: Price
    currency: Currency | None = None
    duration_minutes: Duration


class UpdatePackageBody(Schema):
    title: Title | None = None
    description: Description | None = None
    price: Price | None = None
    currency: Currency | None = None
    duration_minutes: Duration | None = None
    active: bool | None = None


class PackageListQuery(Schema):
    owner_id: ObjectId | None = None
    limit: Limit | None = None
    cursor: Cursor | None = None


class OfferBody(Schema):
    service_package_id: ObjectId
    custom_price: Price | None = None
    custom_duration: Duration | None = None
    note: Note | None = None
    expires_in_hours: Annotated[int, Field(ge=1, le=720)] | None = None


class BookingRequestBody(Schema):
    service_package_id: ObjectId
    requested_start: datetime
    note: Note | None = None


class BookingListQuery(Schema):
    role: Literal["client", "provider"] | None = None
    limit: Limit | None = None
    cursor: Cursor | None = None


UPLOAD_FORM = {
    "type": "object",
    "required": ["files"],
    "properties": {
        "files": {
            "type": "array",
            "minItems": 1,
            "maxItems": 10,
            "items": {"type": "string", "format": "binary"},
        }
    },
}


# --- responses (documentation) --------------------------------------------------------------


class PackageOut(Schema):
    id: str
    owner_id: str
    title: str
    description: str
    price: float
    currency: str
    duration_minutes: int
    active: bool
    created_at: Instant


class BookingOut(Schema):
    id: str
    service_package_id: str
    provider_id: str
    client_id: str
    conversation_id: str
    message_id: str
    start: Instant | None
    duration_minutes: int
    price: float
    currency: str
    status: Literal["confirmed", "cancelled"]
    created_at: Instant


class UploadOut(Schema):
    files: list[FileOut]
