"""Changing the unit tree: renaming a unit, moving it (with everything below it) under another.

A move rewrites the materialised paths of the whole subtree in one UPDATE, so scope follows at
once: whoever sees the new parent sees the moved units and their cases. Case rows name their unit
by id, which a move leaves alone, so no case's record changes. Both go to the admin log.
"""

from __future__ import annotations

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from casework.errors import Conflict, Unprocessable
from casework.limits import MAX_UNIT_DEPTH
from casework.trail import admin_log
from casework.units.models import Unit


def depth(unit: Unit) -> int:
    """Levels from the root (the root is 1)."""
    return unit.path.count("/") - 1


def rename(*, session: Session, unit: Unit, name: str, actor_id: int | None = None) -> Unit:
    """Give the unit a new name; codes (what files refer to) stay."""
    if name != unit.name:
        admin_log.record(session=session, actor_id=actor_id, action="unit.rename", target_type="unit",
                         target_id=unit.id, payload={"from": unit.name, "to": name})
        unit.name = name
    return unit


def _subtree_depth(session: Session, unit: Unit) -> int:
    """How many levels the unit and everything below it span (1 for a leaf)."""
    deepest = session.scalar(select(func.max(func.length(Unit.path) - func.length(func.replace(Unit.path, "/", ""))))
                             .where(Unit.path.startswith(unit.path, autoescape=True)))
    return (deepest or unit.path.count("/")) - unit.path.count("/") + 1


def move(*, session: Session, unit: Unit, parent: Unit, actor_id: int | None = None) -> Unit:
    """Put the unit, with its whole subtree, under `parent`.

    Refused: moving the root (the tree has one top), moving a unit under itself or below it (the
    tree would become a loop), and a move that would make the tree deeper than MAX_UNIT_DEPTH.
    """
    if unit.parent_id is None:
        raise Conflict("unit_root_fixed")
    if parent.path.startswith(unit.path):
        raise Unprocessable("invalid_field", field="parent_id", reason_code="unit_move_into_itself")
    if unit.parent_id == parent.id:
        return unit
    if depth(parent) + _subtree_depth(session, unit) > MAX_UNIT_DEPTH:
        raise Unprocessable("unit_tree_too_deep", max=MAX_UNIT_DEPTH)
    old_path, new_path = unit.path, f"{parent.path}{unit.id}/"
    admin_log.record(session=session, actor_id=actor_id, action="unit.move", target_type="unit", target_id=unit.id,
                     payload={"from_parent_id": unit.parent_id, "to_parent_id": parent.id, "code": unit.code})
    unit.parent_id = parent.id
    session.flush()
    session.execute(update(Unit).where(Unit.path.startswith(old_path, autoescape=True))
                    .values(path=literal(new_path).concat(func.substr(Unit.path, len(old_path) + 1)))
                    .execution_options(synchronize_session="fetch"))
    return unit
