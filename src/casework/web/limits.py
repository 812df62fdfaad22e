"""How large a request body may be: small for JSON, larger for the routes that take files."""

from __future__ import annotations

from flask import Flask

# JSON bodies: the largest the API's calls need (a description of 20,000 characters and change).
MAX_JSON_BODY = 2 * 1024 * 1024
# A multipart upload carries the file plus its boundaries and a few small fields.
MULTIPART_OVERHEAD = 64 * 1024


def largest_body(app: Flask) -> int:
    """The largest request body any route of the app accepts."""
    settings = app.extensions["casework"].settings
    return max(MAX_JSON_BODY, settings.max_upload_bytes + MULTIPART_OVERHEAD)
