"""The events a person may fire on a case, as buttons and small forms that ask only what the
workflow says each event takes, and reading those forms back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from flask import request

from casework.errors import Unprocessable
from casework.limits import MAX_ID
from casework.users.assignees import fit_for
from casework.users.scope import units_in_scope
from casework.web.pages.render import event_label
from casework.workflows.definition import EVENT_FIELDS, WorkflowDefinition

# The shipped workflows' keys for starting the work and handing in its evidence: a case that
# offers them gets the one-tap buttons in "my work"; any other workflow's events are on its page.
START, SUBMIT = "start", "submit"
# Evidence kinds the camera button can hand in by itself.
CAMERA_KINDS = frozenset({"photo"})
_ID_DIGITS = "0123456789"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text, date or select
    required: bool
    options: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class EventForm:
    key: str
    label: str
    look: str  # primary (moves the case on), danger (sends it back or ends it), secondary
    fields: list[FieldSpec]


def camera_submits(definition: WorkflowDefinition, allowed) -> bool:
    """Whether one photo is all the case's submit needs (the household workflow also needs a form)."""
    event = definition.events.get(SUBMIT)
    return SUBMIT in allowed and event is not None and set(event.evidence) <= CAMERA_KINDS


def _look(definition: WorkflowDefinition, key: str) -> str:
    event = definition.events[key]
    if "reason" in event.requires and event.target is not None:
        return "danger"
    return "primary" if event.target is not None else "secondary"


def event_forms(*, session, definition: WorkflowDefinition, allowed, unit, viewer) -> list[EventForm]:
    """A form for each event the viewer may fire: its required fields, and the ones it accepts
    that say who or where (an assignee, a unit, a new deadline)."""
    forms = []
    for key in allowed:
        event = definition.events[key]
        specs = []
        for name in event.fields():
            required = name in event.requires
            if name == "comment" and not required:
                continue
            if name == "assignee_id":
                people = fit_for(session=session, unit=unit, viewer=viewer)
                specs.append(FieldSpec(name, "select", required, [(u.id, u.display_name) for u in people]))
            elif name == "unit_id":
                units = units_in_scope(session=session, user=viewer)
                specs.append(FieldSpec(name, "select", required, [(u.id, u.name) for u in units if u.id != unit.id]))
            elif name == "deadline":
                specs.append(FieldSpec(name, "date", required))
            else:
                specs.append(FieldSpec(name, "text", required))
        forms.append(EventForm(key, event_label(definition, key), _look(definition, key), specs))
    # Moving the case on first, then what sends it back, then notes and changes.
    order = {"primary": 0, "danger": 1, "secondary": 2}
    return sorted(forms, key=lambda f: order[f.look])


def parse_id(value: str, name: str) -> int:
    """A form's id: ASCII digits without a leading zero, as in paths."""
    if not value or value[0] == "0" or any(ch not in _ID_DIGITS for ch in value) or len(value) > 10 \
            or int(value) > MAX_ID:
        raise Unprocessable("invalid_field", field=name, reason_code="not_an_id")
    return int(value)


def parse_version(value: str | None) -> int:
    if not value or any(ch not in _ID_DIGITS for ch in value) or len(value) > 10:
        raise Unprocessable("invalid_field", field="version", reason_code="version_not_number")
    return int(value)


def event_fields(form) -> dict:
    """The event fields a form filled in (empty ones left out, ids as numbers)."""
    fields = {}
    for name in EVENT_FIELDS:
        value = form.get(name) or ""
        if not value.strip():
            continue
        if name in ("assignee_id", "unit_id"):
            fields[name] = parse_id(value.strip(), name)
        else:
            fields[name] = value.strip() if name == "deadline" else value
    return fields


def form_fingerprint() -> str:
    """For a retried form post, "the same request" is the same fields — not the multipart body,
    whose boundary changes on every try, nor the CSRF token, which a new sign-in renews."""
    items = sorted((k, v) for k, values in request.form.lists() for v in values if k != "csrf_token")
    return hashlib.sha256(repr(items).encode()).hexdigest()
