"""Domain errors. Each has a stable code, an HTTP status and a message in Chinese and English.

Services raise these; the web layer turns them into `{"error": {code, message, details}}` and the
CLI prints the message. Messages live in the catalogue (`casework.i18n`), keyed by code.
"""

from __future__ import annotations

from typing import Any

from casework.i18n import translate


class CaseworkError(Exception):
    status = 400

    def __init__(self, code: str, **details: Any) -> None:
        self.code = code
        self.details = details
        super().__init__(self.message("en"))

    def message(self, language: str = "zh") -> str:
        return translate(self.code, language, self.details)

    def public_details(self, language: str = "zh") -> dict[str, Any]:
        """The details as a client reads them: a nested reason code is spelled out too."""
        details = dict(self.details)
        if "reason_code" in details:
            rest = {k: v for k, v in details.items() if k != "reason_code"}
            details["reason"] = translate(details["reason_code"], language, rest)
        return details


class BadRequest(CaseworkError):
    status = 400


class Unauthorized(CaseworkError):
    status = 401


class Forbidden(CaseworkError):
    status = 403


class NotFound(CaseworkError):
    status = 404


class Conflict(CaseworkError):
    status = 409


class Unprocessable(CaseworkError):
    status = 422


class TooLarge(CaseworkError):
    status = 413


class UnsupportedMedia(CaseworkError):
    status = 415


class TooManyRequests(CaseworkError):
    status = 429
