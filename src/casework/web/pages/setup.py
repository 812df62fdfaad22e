"""Putting the pages into the app: session cookie, CSRF, templates in the reader's language, the
pages' own files and compression."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_wtf.csrf import CSRFProtect

# Each module registers its routes on the blueprint.
from casework.web.pages import (  # noqa: F401
    account, admin_channels, admin_units, admin_workflows, assets, audit_desk, audit_records, case_list, case_page,
    dashboard, errors, home, household_pages, imports_findings, imports_hub, imports_plan, imports_register, people,
    people_changes, takeaways,
)
from casework.web.pages.blueprint import bp
from casework.web.pages import sections
from casework.web.pages.render import day, language, moment, t
from casework.web.pages.signed_in import PageSessionInterface

# What a page may load and where it may post: only this site (the pages inline no script and no
# style attribute; thumbnails and photos waiting to be sent are blob: or data: images).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'")


@bp.after_request
def _secure_headers(response):
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Pages show personal work: never from a shared cache, never from the back-forward cache
        # of someone else's session.
        response.cache_control.no_store = True
    return response


def install(app: Flask, *, api_blueprints) -> None:
    """Register the pages on `app`; the API's blueprints (bearer tokens, no cookies) skip CSRF."""
    settings = app.extensions["casework"].settings
    app.config.update(
        SESSION_COOKIE_NAME="casework_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.token_ttl),
        # The token is bound to the session, which has its own lifetime; a form left open over
        # lunch still posts.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = PageSessionInterface()
    csrf = CSRFProtect(app)
    for blueprint in api_blueprints:
        csrf.exempt(blueprint)

    files = assets.Assets()
    app.extensions[assets.EXTENSION] = files
    app.register_blueprint(bp)
    app.register_error_handler(404, errors.not_found_anywhere)
    app.after_request(assets.compress)
    app.jinja_env.globals.update(_=t, asset=files.url, lang=language, day=day, moment=moment,
                                  nav_sections=sections.for_user,
                                  admin_sections=lambda me: sections.for_user(me, sections.ADMIN_SECTIONS))
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
