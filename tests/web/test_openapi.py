"""The HTTP contract: the served OpenAPI document, the committed api/openapi.json, and offline docs."""

from __future__ import annotations

import json
import re

from casework.paths import repository_file
from casework.web import spec

from tests.web.helpers import route_table_app, routes

APP = route_table_app()  # the spec and the docs need no database


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_the_committed_api_openapi_json_matches_the_code():
    committed = repository_file("api/openapi.json").read_text(encoding="utf-8")
    assert committed == spec.render(APP), (
        "api/openapi.json differs from the code's spec: run `casework openapi` and commit api/openapi.json")


def test_the_served_spec_is_the_committed_one():
    response = APP.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == json.loads(repository_file("api/openapi.json").read_text(encoding="utf-8"))


def test_the_spec_documents_every_api_route_and_the_error_shape():
    document = APP.test_client().get("/api/v1/openapi.json").get_json()
    assert document["info"]["title"] == "Casework API" and document["info"]["version"] == "1"
    documented = {(path, method.upper()) for path, operations in document["paths"].items() for method in operations
                  if method != "parameters"}
    served = {(_openapi_path(rule), method) for endpoint, method, rule in routes(APP)
              if rule.startswith("/api/v1/") and not endpoint.startswith("api-docs.")}
    assert served == documented
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    error = document["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]
    assert set(document["components"]["schemas"]["ErrorBody"]["properties"]) == {"code", "message", "details"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}, (path, method)
    assert document["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"}


def test_the_docs_page_loads_its_assets_from_this_server():
    client = APP.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    assert not re.search(r"https?://", html), "the docs must work offline, without a CDN"
    for asset in assets:
        assert asset.startswith("/api/docs/static/"), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.get_data()) > 1000, asset
    assert '"/api/v1/openapi.json"' in html
    assert client.get("/api/docs/static/no-such-file.js").status_code == 404
    assert client.get("/api/docs/static/../../../etc/passwd").status_code == 404
