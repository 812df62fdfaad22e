"""The app built from the environment, for WSGI servers (gunicorn 'casework.web.wsgi:app')."""

from casework.web.app import create_app


def _chunked_input_is_terminated(wsgi_app):
    """gunicorn dechunks a chunked body and ends the stream at its end, but does not say so.

    Without `wsgi.input_terminated`, werkzeug will not read a body of unknown length at all; with
    it, the size limits apply while reading, so a 10 MB chunked body is a 413 like any other.
    """

    def wrapped(environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            environ.setdefault("wsgi.input_terminated", True)
        return wsgi_app(environ, start_response)

    return wrapped


app = create_app()
app.wsgi_app = _chunked_input_is_terminated(app.wsgi_app)
