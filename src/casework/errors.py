"""Domain errors. Each has a stable code, an HTTP status and a message in Chinese and English.

Services raise these; the web layer turns them into `{"error": {code, message, details}}` and the
CLI prints the message. Messages live in `casework.messages`, keyed by code.
"""

from __future__ import annotations

from typing import Any

from casework.messages import render


class CaseworkError(Exception):
    status = 400

    def __init__(self, code: str, **details: Any) -> None:
        self.code = code
        self.details = details
        super().__init__(self.message("en"))

    def message(self, language: str = "zh") -> str:
        return render(self.code, language, self.details)


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


class TooManyRequests(CaseworkError):
    status = 429
