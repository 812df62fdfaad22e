"""The pages' own files (CSS, scripts) and compression, for phones on weak mobile networks.

Every file is served by the app itself, gzip-compressed once at start-up, under a URL that names
its content hash, so browsers keep it for a year and fetch it again only when it changes. Text
answers (pages, JSON, SVG) are compressed on the way out when the client accepts gzip.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, current_app, request, url_for

from casework.web.pages.blueprint import bp
from casework.web.rules import PUBLIC, page, rule

EXTENSION = "casework.assets"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
YEAR = 365 * 24 * 3600
COMPRESSIBLE = frozenset({"text/html", "text/css", "text/javascript", "application/javascript",
                          "application/json", "image/svg+xml", "text/plain"})
# Below this the gzip header and the work cost more than they save.
MIN_COMPRESS = 512


@dataclass(frozen=True)
class Asset:
    raw: bytes
    gzipped: bytes
    mimetype: str
    version: str


def _load(folder: Path) -> dict[str, Asset]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if mimetype == "application/javascript":
            mimetype = "text/javascript"
        found[path.relative_to(folder).as_posix()] = Asset(
            data, gzip.compress(data, compresslevel=9, mtime=0), mimetype, hashlib.sha256(data).hexdigest()[:12])
    return found


class Assets:
    """The files under web/static, read once."""

    def __init__(self, folder: Path = STATIC_DIR) -> None:
        self.files = _load(folder)

    def url(self, name: str) -> str:
        """The file's URL, which changes whenever its content does."""
        return url_for("pages.static_file", version=self.files[name].version, filename=name)

    def serve(self, version: str, filename: str) -> Response:
        asset = self.files.get(filename)
        if asset is None:
            abort(404)
        use_gzip = request.accept_encodings["gzip"] > 0 and asset.mimetype in COMPRESSIBLE
        response = Response(asset.gzipped if use_gzip else asset.raw, mimetype=asset.mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        response.set_etag(asset.version + ("-gz" if use_gzip else ""))
        if version == asset.version:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        else:
            # An old page asking for a file that has changed since: give today's, but do not keep it.
            response.cache_control.no_cache = True
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response.make_conditional(request)


@bp.route("/static/<version>/<path:filename>")
@rule(page(PUBLIC))
def static_file(version, filename):
    """One of the pages' files (any version answers; only the current one is kept for a year)."""
    return current_app.extensions[EXTENSION].serve(version, filename)


def compress(response: Response) -> Response:
    """after_request: gzip a text answer when the client accepts it.

    Pages hold a CSRF token beside text a request can echo (a search), the shape compression-length
    attacks (BREACH) look for; they need the victim's browser to send many cross-site requests
    with the session, and a SameSite=Lax cookie goes with none of them.
    """
    if (response.direct_passthrough or response.is_streamed or response.status_code in (204, 206, 304)
            or response.status_code < 200 or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE or request.accept_encodings["gzip"] <= 0):
        return response
    data = response.get_data()
    if len(data) < MIN_COMPRESS:
        return response
    response.set_data(gzip.compress(data, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
