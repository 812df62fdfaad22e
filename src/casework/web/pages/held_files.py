"""An uploaded file held between its preview and its commit, so that the person sees the report
before anything is written and does not have to choose the file again to go ahead.

It is kept beside the evidence, under its SHA-256 and the uploader's id — the commit form carries
only the hash, and nobody else's hash opens it — and dropped once committed, or after a day.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from casework.errors import Unprocessable
from casework.web.context import runtime

KEPT_SECONDS = 24 * 3600
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _folder() -> Path:
    folder = runtime().settings.storage_dir / ".imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(user_id: int, sha: str) -> Path:
    if not _SHA.match(sha or ""):
        raise Unprocessable("invalid_field", field="file", reason_code="page_upload_expired")
    return _folder() / f"{user_id}-{sha}"


def keep(user_id: int, data: bytes) -> str:
    """Hold `data` for this user; its SHA-256, which names it."""
    sha = hashlib.sha256(data).hexdigest()
    now = time.time()
    for old in _folder().iterdir():
        if now - old.stat().st_mtime > KEPT_SECONDS:
            old.unlink(missing_ok=True)
    path = _path(user_id, sha)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return sha


def take(user_id: int, sha: str) -> bytes:
    """The file this user uploaded under `sha`; a 422 saying to upload it again once it is gone."""
    path = _path(user_id, sha)
    if not path.exists():
        raise Unprocessable("invalid_field", field="file", reason_code="page_upload_expired")
    return path.read_bytes()


def drop(user_id: int, sha: str) -> None:
    _path(user_id, sha).unlink(missing_ok=True)
