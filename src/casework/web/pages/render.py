"""What every page shares: the reader's language and messages, dates as people write them, and
how a page answers (HTML for a browser, JSON for the page's own scripts)."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Response, current_app, g, render_template, request, session

from casework.i18n import LANGUAGES, has, translate
from casework.web.errors import language as browser_language
from casework.web.pages.signed_in import LANGUAGE


def language() -> str:
    """The language chosen on the page (kept in the session), else the browser's, else Chinese."""
    chosen = session.get(LANGUAGE)
    return chosen if chosen in LANGUAGES else browser_language()


def t(code: str, **params) -> str:
    """The catalogue's text for `code` in the reader's language."""
    return translate(code, language(), params)


def state_label(definition, key: str) -> str:
    """A state as people read it: the workflow's own label; in English, the catalogue's name for
    the states the shipped workflows share, when it has one."""
    state = definition.states.get(key)
    label = state.label if state else key
    if language() == "en" and has(f"page_state_{key}"):
        return t(f"page_state_{key}")
    return label


def event_label(definition, key: str) -> str:
    event = definition.events.get(key)
    label = event.label if event else key
    if language() == "en" and has(f"page_event_{key}"):
        return t(f"page_event_{key}")
    return label


def day(value: date | None, today: date | None = None) -> str:
    """A date as people write it: 11月30日 (with the year when it is not this year's)."""
    if value is None:
        return ""
    this_year = (today or date.today()).year
    if language() == "en":
        return f"{value.day} {value:%b}" + ("" if value.year == this_year else f" {value.year}")
    text = f"{value.month}月{value.day}日"
    return text if value.year == this_year else f"{value.year}年{text}"


def moment(value: datetime | None, zone: ZoneInfo | None = None) -> str:
    """A point in time in the campaign's zone, else the install's (a naive camera time as it is):
    11月29日 14:05."""
    if value is None:
        return ""
    zone = zone or current_app.extensions["casework"].settings.tz
    local = value.astimezone(zone) if value.tzinfo is not None else value
    return f"{day(local.date())} {local:%H:%M}"


def wants_json() -> bool:
    """The page's own scripts ask for JSON (and send an Idempotency-Key); browsers get HTML."""
    if request.headers.get("Idempotency-Key"):
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(target: str | None, default: str = "/") -> str:
    """A place on this site to go back to; anything else (another host, a scheme) goes home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def came_from(default: str = "/") -> str:
    """The page a form was posted from, when it was this site's."""
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host:
            return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), default)
    return default


def page(template: str, status: int = 200, **context) -> Response:
    """Render a page for the signed-in user (if any) in their language."""
    return Response(render_template(template, me=g.get("user"), **context), status=status, mimetype="text/html")
