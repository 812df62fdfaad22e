"""Reading the pages' forms into what the API's schemas load: text as typed (trimmed, empty fields
left out), ids as numbers, and a schema's refusals as a message beside each field."""

from __future__ import annotations

from flask import request
from marshmallow import ValidationError

from casework.validation_messages import localise
from casework.web.pages.case_actions import parse_id
from casework.web.pages.render import language


def field_messages(error: ValidationError) -> dict[str, str]:
    """Each refused field's messages, in the reader's language."""
    localised = localise(error.messages, language())
    return {name: " ".join(str(p) for p in problems) if isinstance(problems, list) else str(problems)
            for name, problems in localised.items()}


def form_values(names: tuple[str, ...]) -> dict:
    """The named fields that were filled in; those ending in `_id` as ids (a wrong one is a 422)."""
    values = {}
    for name in names:
        value = request.form.get(name, "").strip()
        if value:
            values[name] = parse_id(value, name) if name.endswith("_id") else value
    return values


def load(schema, names: tuple[str, ...]) -> dict:
    """The form's fields loaded by an API schema (ValidationError as the schema raises it)."""
    return schema.load(form_values(names))
