"""Creating and finding units (which of them a user may see is `users.scope`)."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import Conflict, NotFound, Unprocessable
from casework.limits import MAX_UNIT_DEPTH, UNIT_CODE
from casework.trail import admin_log
from casework.units.models import Unit
from casework.vocabulary import UNIT_KINDS


def by_code(*, session: Session, code: str) -> Unit:
    """The unit with this code; not found otherwise."""
    unit = session.scalars(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise NotFound("unit_not_found", ref=code)
    return unit


def root(*, session: Session) -> Unit | None:
    """The top of the tree (there is one), or None in an empty install."""
    return session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)).first()


def every_unit(*, session: Session) -> list[Unit]:
    """The whole tree in tree order (for operators on the command line)."""
    return list(session.scalars(select(Unit).order_by(Unit.path)))


def create(*, session: Session, name: str, kind: str, parent: Unit | None = None,
           code: str | None = None, actor_id: int | None = None) -> Unit:
    """Add a unit under `parent` (None: the root, of which there is one); the code defaults to a generated one."""
    if kind not in UNIT_KINDS:
        raise Unprocessable("invalid_field", field="kind", reason_code="unit_kind_unknown",
                            kinds=", ".join(sorted(UNIT_KINDS)))
    if code is not None and not UNIT_CODE.match(code):
        raise Unprocessable("invalid_field", field="code", reason_code="unit_code_invalid")
    if parent is None:
        # A second root would be outside everyone's scope, the admin's included.
        existing = root(session=session)
        if existing is not None:
            raise Conflict("root_exists", root=existing.name, root_code=existing.code)
    elif parent.path.count("/") - 1 >= MAX_UNIT_DEPTH:
        raise Unprocessable("unit_tree_too_deep", max=MAX_UNIT_DEPTH)
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
