"""Serving the app with waitress: the embedded default's real server (pure Python, any OS).

The server's own limits sit just above the app's, so every refusal a person can provoke comes from
the app, in its JSON error shape; waitress only answers for itself past those (its 1 GiB default
body limit would otherwise let one request fill the disk buffer).
"""

from __future__ import annotations

from flask import Flask

from casework.web.limits import largest_body

# Headers larger than this are no request a browser or the API's clients make.
MAX_HEADER_BYTES = 64 * 1024


def waitress_options(app: Flask, *, threads: int) -> dict:
    """The waitress settings for this app (also what the tests start it with)."""
    return {
        "threads": threads,
        "max_request_body_size": largest_body(app) + 64 * 1024,
        "max_request_header_size": MAX_HEADER_BYTES,
        "ident": "casework",
        "clear_untrusted_proxy_headers": True,
    }


def serve_with_waitress(app: Flask, *, host: str, port: int, threads: int) -> None:
    """Serve until interrupted."""
    from waitress import serve

    print(f"Casework on http://{host}:{port} ({threads} threads)")
    serve(app, host=host, port=port, **waitress_options(app, threads=threads))
