"""LNK messaging: the realtime chat of a service marketplace."""

from __future__ import annotations

import logging

import argon2.profiles
from argon2 import PasswordHasher
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lnk.clock import Clock
from lnk.config import Settings
from lnk.events import EventBus
from lnk.services.context import Rules, ServiceContext
from lnk.store.base import Store
from lnk.workers import WorkerPool


def create_app(
    settings: Settings | None = None,
    *,
    events: EventBus | None = None,
    clock: Clock | None = None,
    store: Store | None = None,
) -> Flask:
    """Builds the app: settings, store, services context, extensions, blueprints, realtime.

    ``events``, ``clock`` and ``store`` let tests watch events, move time and pick an engine."""
    from lnk import cli, extensions
    from lnk.jobs import start_jobs
    from lnk.notify import init_notifications
    from lnk.realtime import init_realtime
    from lnk.redis_link import limits_storage_uri
    from lnk.services.transcripts import derive_key
    from lnk.store import open_store
    from lnk.web import errors as web_errors
    from lnk.web import headers
    from lnk.web.admin import register_admin
    from lnk.web.api import register_api
    from lnk.web.assets import init_assets
    from lnk.web.chat import register_pages
    from lnk.web.cors import configure_cors
    from lnk.web.limits import init_limits
    from lnk.web.security import configure_jwt
    from lnk.web.uploads import UploadRequest

    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.request_class = UploadRequest  # streams file parts with a per-file size cap
    app.config.update(
        SECRET_KEY=settings.signing_key(),
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_SAMESITE="Lax",
        LNK_SETTINGS=settings,
        LNK_MAX_JSON_BYTES=settings.max_json_bytes,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 10 + 1024 * 1024,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_STORAGE_URI=limits_storage_uri(settings.redis_url),
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,  # Redis unreachable: count per process
        RATELIMIT_HEADERS_ENABLED=True,
        TESTING=settings.env == "testing",
    )
    app.json.sort_keys = False  # contract order, and cheaper
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    if store is None:
        store = open_store(
            sqlite_path=settings.sqlite_path,
            upload_dir=settings.upload_dir,
            mongodb_uri=settings.mongodb_uri,
        )
    service_context = ServiceContext(
        store=store,
        events=events or EventBus(),
        clock=clock or Clock(),
        rules=Rules(
            upload_quota_bytes=settings.upload_quota_bytes,
            login_ttl=settings.refresh_token_ttl,
            report_hide_threshold=settings.report_hide_threshold,
        ),
        workers=WorkerPool(settings.worker_threads, settings.worker_queue),
        transcript_key=derive_key(settings.signing_key(), settings.transcript_key),
    )
    store.use_workers(service_context.workers)
    if settings.env == "testing":  # hashing cost is not what the tests are about
        service_context.hasher = PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
    app.extensions["lnk"] = service_context

    configure_jwt(app, settings)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    init_limits(app, enabled=settings.ratelimit_enabled, storage_uri=settings.redis_url)
    web_errors.register(app)
    headers.install(app, cookie_secure=settings.cookie_secure)
    configure_cors(app, settings.cors_origins)
    register_api(app)
    register_pages(app)
    init_assets(app)
    register_admin(app)
    init_realtime(app, settings)
    init_notifications(app, settings)
    start_jobs(app)
    cli.register(app)
    if settings.trusted_proxies:
        # Behind N proxies: the client address and scheme come from their X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )
    return app
