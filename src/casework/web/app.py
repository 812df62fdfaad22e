"""The app factory."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Flask, send_from_directory
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, IntegerConverter

from casework.config import Settings
from casework.jobs.dispatch import attach as attach_jobs
from casework.limits import KEY_PATTERN, MAX_ID
from casework.runtime import Runtime
from casework.web import errors, request_shape, rules
from casework.web.context import close_session
from casework.web.json_provider import Utf8JSONProvider
from casework.web.limits import largest_body
from casework.web.pages import setup as pages
from casework.web.routes import BLUEPRINTS

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"


class IdConverter(IntegerConverter):
    """Path ids: 1 to 2^31-1 in ASCII digits without leading zeros; anything else is a 404.

    (`\\d` would also take ３ or ٣, and Python's int() reads them as 3.)
    """

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


class KeyConverter(BaseConverter):
    """Path keys (workflows): the same pattern as in the files; anything else (a NUL …) is a 404."""

    regex = KEY_PATTERN.removeprefix("^").removesuffix("$")


class CaseworkApi(Api):
    ERROR_SCHEMA = errors.ErrorOut


def _configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        API_TITLE="Casework API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="v1/openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Served from the installed flask-swagger-ui package: the docs work without internet.
        OPENAPI_SWAGGER_UI_URL="/api/docs/static/",
        API_SPEC_OPTIONS={
            "info": {"description": "Rectification cases (排查整改) over JSON. Errors are "
                                    "{\"error\": {\"code\", \"message\", \"details\"}}."},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Flask:
    """A Flask app over `runtime` (or one opened from `settings` / the environment)."""
    runtime = runtime or Runtime.open(settings)
    runtime.sync_workflows()
    # No static folder: the docs' assets and the pages' files have routes of their own.
    app = Flask("casework", static_folder=None)
    app.json = Utf8JSONProvider(app)
    _configure(app, runtime.settings)
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["key"] = KeyConverter
    app.extensions["casework"] = runtime
    attach_jobs(runtime)
    if runtime.settings.trusted_proxies:
        # Only then is X-Forwarded-For the client's address rather than anyone's claim.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=runtime.settings.trusted_proxies,
                                x_proto=runtime.settings.trusted_proxies)
    # The ceiling for any route; JSON routes lower it for themselves (request_shape.py).
    app.config["MAX_CONTENT_LENGTH"] = largest_body(app)
    # One Api per app (not module-level): it keeps a reference to its app and its spec, and tests
    # build many apps.
    api = CaseworkApi(app, spec_kwargs={"servers": [{"url": "/"}]})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.extensions["casework.api"] = api

    @app.route("/api/docs/static/<path:filename>")
    def swagger_static(filename):
        return send_from_directory(SWAGGER_DIST, filename)

    swagger_static.casework_rule = rules.PUBLIC
    app.before_request(request_shape.refuse_malformed)
    app.before_request(rules.enforce)
    # After the rules (so a signed-out form post goes to sign-in before its CSRF token is checked).
    pages.install(app, api_blueprints=BLUEPRINTS)
    app.teardown_appcontext(close_session)
    errors.register(app)
    rules.check_every_route_has_a_rule(app)
    return app
