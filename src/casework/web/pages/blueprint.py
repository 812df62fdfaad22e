"""The one blueprint every page registers on (endpoints `pages.*`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="../templates")
