"""Creating and finding units."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import admin_log
from casework.errors import Conflict, NotFound, Unprocessable
from casework.units.models import Unit
from casework.vocabulary import UnitKind

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def get(*, session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit_not_found", ref=unit_id)
    return unit


def by_code(*, session: Session, code: str) -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise NotFound("unit_not_found", ref=code)
    return unit


def create(*, session: Session, name: str, kind: str, parent: Unit | None = None,
           code: str | None = None, actor_id: int | None = None) -> Unit:
    """Add a unit under `parent` (None: a root); the code defaults to a generated one."""
    if kind not in {k.value for k in UnitKind}:
        raise Unprocessable("invalid_field", field="kind", reason=f"one of {', '.join(k.value for k in UnitKind)}")
    if code is not None and not _CODE.match(code):
        raise Unprocessable("invalid_field", field="code", reason="letters, digits, '_', '.', '-' (at most 64)")
    if code is not None and session.scalars(select(Unit.id).where(Unit.code == code)).first():
        raise Conflict("duplicate", what="unit code", value=code)
    # Codes are what files and imports refer to (ids differ between installs); make one if none.
    unit = Unit(name=name, kind=kind, parent_id=parent.id if parent else None,
                code=code or f"U{secrets.token_hex(5).upper()}", path="/")
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    admin_log.record(session=session, actor_id=actor_id, action="unit.create", target_type="unit",
                     target_id=unit.id, payload={"code": unit.code, "name": name, "kind": kind,
                                                 "parent_id": unit.parent_id})
    return unit
