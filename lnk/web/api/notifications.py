"""Notification settings, the notification address, and Web Push subscriptions."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from lnk.domain.models import User
from lnk.presenters import iso, user_json
from lnk.services import notifications
from lnk.web.api import notification_schemas as ns
from lnk.web.api.routing import endpoint
from lnk.web.api.schemas import MeOut
from lnk.web.context import ctx

bp = Blueprint("api_notifications", __name__, url_prefix="/api")

SETTINGS_LIMIT = "30/minute"


def own_user_json(user: User) -> dict:
    """``user`` as its owner sees it: with the notification address and whether it is verified."""
    settings = notifications.get_settings(ctx(), user)
    return {**user_json(user), "email": settings.email, "emailVerified": settings.email_verified}


def _settings_json(settings) -> dict:
    return {"email": settings.email_mode, "push": settings.push}


@endpoint(
    bp,
    "/users/me",
    "PUT",
    summary="Change the signed-in user's notification address",
    tag="users",
    operation_id="updateCurrentUser",
    body=ns.UpdateMeBody,
    response=MeOut,
    limit=SETTINGS_LIMIT,
    errors=(422,),
)
def update_me(user: User, body: ns.UpdateMeBody):
    """A new address is unverified until the link mailed to it is opened; only verified
    addresses get notifications. An empty string removes the address."""
    if "email" in body.model_fields_set:
        notifications.set_email(ctx(), user, body.email)
    return jsonify(own_user_json(user))


@endpoint(
    bp,
    "/users/me/notification-settings",
    "GET",
    summary="The signed-in user's notification settings",
    tag="notifications",
    operation_id="getNotificationSettings",
    response=ns.NotificationSettingsOut,
)
def get_notification_settings(user: User):
    return jsonify(_settings_json(notifications.get_settings(ctx(), user)))


@endpoint(
    bp,
    "/users/me/notification-settings",
    "PUT",
    summary="Change the signed-in user's notification settings",
    tag="notifications",
    operation_id="updateNotificationSettings",
    body=ns.NotificationSettingsBody,
    response=ns.NotificationSettingsOut,
    limit=SETTINGS_LIMIT,
    errors=(422,),
)
def update_notification_settings(user: User, body: ns.NotificationSettingsBody):
    """``email``: mail about everything (``all``), only offers and booking requests (``deals``),
    or nothing (``off``). ``push``: Web Push to the subscribed browsers. Omitted fields stay."""
    settings = notifications.update_settings(ctx(), user, email_mode=body.email, push=body.push)
    return jsonify(_settings_json(settings))


@endpoint(
    bp,
    "/push/vapid-public-key",
    "GET",
    summary="The server's VAPID public key",
    tag="notifications",
    operation_id="getVapidPublicKey",
    response=ns.VapidKeyOut,
)
def get_vapid_public_key(user: User):
    """Pass it as ``applicationServerKey`` to ``pushManager.subscribe``."""
    return jsonify({"publicKey": current_app.extensions["lnk_notify"].application_server_key})


@endpoint(
    bp,
    "/push/subscriptions",
    "POST",
    summary="Register a browser's push subscription",
    tag="notifications",
    operation_id="createPushSubscription",
    status=201,
    body=ns.PushSubscriptionBody,
    response=ns.PushSubscriptionOut,
    limit=SETTINGS_LIMIT,
    errors=(422,),
)
def add_push_subscription(user: User, body: ns.PushSubscriptionBody):
    """Takes the browser's ``PushSubscription`` JSON. Subscribing the same endpoint again
    replaces its keys."""
    sub = notifications.add_push_subscription(
        ctx(),
        user,
        body.endpoint,
        body.keys.p256dh,
        body.keys.auth,
        current_app.config["LNK_SETTINGS"].push_hosts,
    )
    return jsonify({"endpoint": sub.endpoint, "createdAt": iso(sub.created_at)}), 201


@endpoint(
    bp,
    "/push/subscriptions",
    "DELETE",
    summary="Remove a browser's push subscription",
    tag="notifications",
    operation_id="deletePushSubscription",
    status=204,
    body=ns.PushEndpointBody,
    limit=SETTINGS_LIMIT,
    errors=(422,),
)
def remove_push_subscription(user: User, body: ns.PushEndpointBody):
    """Idempotent: removing an endpoint the user does not have also answers 204."""
    notifications.remove_push_subscription(ctx(), user, body.endpoint)
    return "", 204
