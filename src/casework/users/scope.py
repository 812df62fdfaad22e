"""Where a user may look and act: the subtrees of the units they are members of.

Anything outside a user's scope is reported as not found, never forbidden, so scope leaks nothing.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_

from casework.units.models import Unit
from casework.users.models import User
from casework.vocabulary import Role
from casework.vocabulary import RoleSpec


def _paths(user: User, roles: set[str] | None = None) -> list[str]:
    paths = {m.unit.path for m in user.memberships if roles is None or m.role in roles}
    # A path inside another adds nothing; keeping only the tops keeps the SQL short.
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def ancestor_paths(user: User) -> set[str]:
    """The paths of every unit above (or at) one of the user's units."""
    found: set[str] = set()
    for membership in user.memberships:
        parts = membership.unit.path.strip("/").split("/")
        found |= {"/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)}
    return found


def can_see(user: User, unit: Unit) -> bool:
    """Whether `unit` lies in one of the user's subtrees."""
    return any(unit.path.startswith(p) for p in _paths(user))


def unit_filter(user: User, path_column=Unit.path) -> ColumnElement[bool]:
    """A SQL condition on a unit path column: true for units in the user's scope."""
    paths = _paths(user)
    if not paths:
        return false()
    return or_(*(path_column.startswith(p, autoescape=True) for p in paths))


def has_role(user: User, unit: Unit, spec: RoleSpec | str) -> bool:
    """Whether the user holds the role at `unit` or above it (and in the right kind of unit)."""
    spec = RoleSpec.parse(spec) if isinstance(spec, str) else spec
    return any(
        m.role == spec.role
        and unit.path.startswith(m.unit.path)
        and (spec.unit_kind is None or m.unit.kind == spec.unit_kind)
        for m in user.memberships
    )


def is_admin_over(user: User, unit: Unit) -> bool:
    return has_role(user, unit, Role.ADMIN.value)


def is_admin(user: User) -> bool:
    return any(m.role == Role.ADMIN for m in user.memberships)
