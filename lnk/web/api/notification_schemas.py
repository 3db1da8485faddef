"""Request and response models of the notification endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from lnk.web.api.schemas import EmailAddress, Schema

Base64Url = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+={0,2}$", max_length=256)]


class NotificationSettingsBody(Schema):
    email: Literal["all", "deals", "off"] | None = Field(
        None, description="which notifications are mailed: all, only deals, or none"
    )
    push: bool | None = Field(None, description="whether Web Push notifications are sent")


class NotificationSettingsOut(Schema):
    email: Literal["all", "deals", "off"]
    push: bool


class UpdateMeBody(Schema):
    email: EmailAddress | None = Field(
        None, description="the address for notifications; an empty string removes it"
    )


class VapidKeyOut(Schema):
    public_key: str = Field(description="the applicationServerKey for pushManager.subscribe")


class PushKeys(Schema):
    p256dh: Base64Url
    auth: Base64Url


class PushSubscriptionBody(Schema):
    """A browser's ``PushSubscription.toJSON()``."""

    endpoint: Annotated[str, StringConstraints(min_length=8, max_length=2048)] = Field(
        description="an https URL on a browser push service (Google FCM, Mozilla, Microsoft"
        " WNS, Apple) or on a host listed in LNK_PUSH_HOSTS; any other is a 422"
    )
    expiration_time: int | float | None = None
    keys: PushKeys


class PushEndpointBody(Schema):
    endpoint: Annotated[str, StringConstraints(min_length=8, max_length=2048)]


class PushSubscriptionOut(Schema):
    endpoint: str
    created_at: str | None
