"""Every failure as `{"error": {"code", "message", "details"}}`, in Chinese unless asked for English."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from casework.errors import CaseworkError
from casework.i18n import pick_language, translate
from casework.validation_messages import localise

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request", 401: "auth_required", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_failed", 429: "too_many_requests",
}


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "for people; Chinese unless Accept-Language asks for English"})
    details = fields.Dict(metadata={"description": "what exactly was wrong (fields, allowed events, …)"})


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)


def language() -> str:
    """The request's language: Accept-Language picks English; Chinese otherwise."""
    return pick_language(request.accept_languages.best_match(["zh", "en"]) if request else None)


def error_response(status: int, code: str, details: dict[str, Any] | None = None, headers=None):
    details = details or {}
    body = {"error": {"code": code, "message": translate(code, language(), details), "details": details}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _domain_error(exc: CaseworkError):
    return error_response(exc.status, exc.code, _jsonable(exc.public_details(language())),
                          headers={"Retry-After": str(exc.details["retry_after"])} if "retry_after" in exc.details else None)


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else str(v))
            for k, v in details.items()}


def _http_error(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if status == 400 and messages and "json" in messages and messages["json"] == ["Invalid JSON body."]:
        return error_response(400, "malformed_json", {"reason": translate("json_unparsable", language())})
    if messages is not None:
        # webargs/marshmallow validation: {location: {field: [problems]}} → {"fields": {field: [...]}}
        flat: dict[str, Any] = {}
        for location, problems in messages.items():
            if isinstance(problems, dict):
                flat.update(problems)
            else:
                flat[location] = problems
        return error_response(422 if status in (400, 422) else status, "validation_failed",
                              {"fields": localise(flat, language())})
    if status >= 500:
        log.error("unhandled server error: %s", exc)
        return error_response(500, "internal_error")
    return error_response(status, _HTTP_CODES.get(status, "bad_request"))


def _unexpected(exc: Exception):
    log.exception("unhandled error")
    return error_response(500, "internal_error")


def register(app: Flask) -> None:
    """Install the handlers (after flask-smorest's, which they replace)."""
    app.register_error_handler(CaseworkError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
