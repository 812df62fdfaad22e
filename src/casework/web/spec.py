"""The OpenAPI document as committed in api/openapi.json: sorted keys, so diffs stay readable."""

from __future__ import annotations

import json

from flask import Flask


def render(app: Flask) -> str:
    spec = app.extensions["casework.api"].spec.to_dict()
    return json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
