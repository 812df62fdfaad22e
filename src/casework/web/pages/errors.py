"""How pages fail: a person who is not signed in is sent to sign in, one who must change their
password to that page, anything else is a page saying what happened in their language (404 for
what lies outside their scope, as in the API). The pages' scripts get the API's JSON error shape."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import jsonify, redirect, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from casework.errors import CaseworkError
from casework.i18n import translate
from casework.web.errors import error_response
from casework.web.pages.blueprint import bp
from casework.web.pages.render import came_from, is_htmx, language, page, t, wants_json

log = logging.getLogger(__name__)

_HTTP_CODES = {400: "page_bad_request", 403: "forbidden", 404: "page_not_found", 405: "method_not_allowed",
               413: "payload_too_large", 415: "unsupported_media_type", 429: "too_many_requests"}


@dataclass(frozen=True)
class Problem:
    """A refusal as a form shows it: a summary, and a message beside each field it names."""

    message: str
    code: str
    fields: dict[str, str] = field(default_factory=dict)


def problem_of(exc: CaseworkError) -> Problem:
    lang = language()
    details = exc.public_details(lang)
    if exc.code == "invalid_field" and isinstance(details.get("field"), str):
        reason = details.get("reason") or exc.message(lang)
        return Problem(t("page_fix_fields"), exc.code, {details["field"]: reason})
    if exc.code == "missing_fields" and isinstance(details.get("fields"), str):
        missing = [name.strip() for name in details["fields"].split(",") if name.strip()]
        return Problem(t("page_fix_fields"), exc.code, {name: t("page_required") for name in missing})
    return Problem(exc.message(lang), exc.code)


def said_plainly(exc: CaseworkError) -> str:
    """A refusal in one sentence, without the field's code name when it is about one field."""
    problem = problem_of(exc)
    if problem.fields and exc.code == "invalid_field":
        return next(iter(problem.fields.values()))
    return exc.message(language())


def json_error(status: int, code: str, details: dict[str, Any] | None = None):
    details = {k: (v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else str(v))
               for k, v in (details or {}).items()}
    response = jsonify({"error": {"code": code, "message": translate(code, language(), details),
                                  "details": details}})
    response.status_code = status
    return response


def _go(url: str):
    """A redirect that htmx follows with a full page load rather than swapping part of a page."""
    if is_htmx():
        response = jsonify({})
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303 if request.method != "GET" else 302)


def to_sign_in(expired: bool = False):
    target = request.full_path.rstrip("?") if request.method == "GET" else came_from()
    query = {"next": target}
    if expired:
        query["expired"] = "1"
    return _go(url_for("pages.sign_in") + "?" + urlencode(query))


def error_page(status: int, message: str):
    response = page("error.html", status=status, status_code=status, message=message)
    if is_htmx():
        # Whatever part of the page asked, the error takes the main area.
        response.headers.update({"HX-Retarget": "#main", "HX-Reselect": "#main", "HX-Reswap": "outerHTML"})
    return response


@bp.errorhandler(CaseworkError)
def domain_error(exc: CaseworkError):
    if exc.status == 401 and not wants_json():
        return to_sign_in(expired=exc.code == "page_session_ended")
    if exc.code == "password_change_required" and not wants_json():
        target = request.full_path.rstrip("?") if request.method == "GET" else "/"
        return _go(url_for("pages.change_password") + "?" + urlencode({"next": target}))
    if wants_json():
        return json_error(exc.status, exc.code, exc.public_details(language()))
    return error_page(exc.status, exc.message(language()))


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    status = exc.code or 500
    code = "page_csrf_failed" if isinstance(exc, CSRFError) else _HTTP_CODES.get(status, "page_bad_request")
    if status >= 500:
        code = "internal_error"
    if wants_json():
        return json_error(status, code)
    return error_page(status, t(code))


@bp.errorhandler(Exception)
def unexpected(exc: Exception):
    log.exception("unhandled error on a page")
    if wants_json():
        return json_error(500, "internal_error")
    return error_page(500, t("internal_error"))


def not_found_anywhere(exc: HTTPException):
    """An address nobody serves: the API's JSON shape, unless a browser asked for a page."""
    browsing = request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]
    if browsing and not request.path.startswith("/api/"):
        return error_page(404, t("page_not_found"))
    return error_response(404, "not_found")
