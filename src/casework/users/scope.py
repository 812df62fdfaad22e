"""Where a user may look and act: the subtrees of the units they are members of.

Anything outside a user's scope is reported as not found, never forbidden, so scope leaks nothing.
The web, the CLI and the jobs all ask here, so there is one definition of "who may see what".
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from casework.errors import NotFound
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.vocabulary import REACHES_DOWN, Role, RoleSpec


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
    """Whether the user holds the role for `unit`: at it, or above it for the roles that reach
    down (not `unit`, which works its own unit's cases only), in the right kind of unit."""
    spec = RoleSpec.parse(spec) if isinstance(spec, str) else spec
    reaches_down = spec.role in REACHES_DOWN
    return any(
        m.role == spec.role
        and (unit.path.startswith(m.unit.path) if reaches_down else m.unit_id == unit.id)
        and (spec.unit_kind is None or m.unit.kind == spec.unit_kind)
        for m in user.memberships
    )


def scope_names(user: User) -> list[str]:
    """The names of the units at the top of the user's scope (what an export says it covers)."""
    tops = set(_paths(user))
    return sorted({m.unit.name for m in user.memberships if m.unit.path in tops})


def can_see_everything(session: Session, user: User) -> bool:
    """Whether the user's scope covers the whole tree (a role at the root)."""
    root = session.scalars(select(Unit).where(Unit.parent_id.is_(None)).limit(1)).first()
    return root is not None and can_see(user, root)


def is_admin_over(user: User, unit: Unit) -> bool:
    return has_role(user, unit, Role.ADMIN.value)


def visible_unit(*, session: Session, user: User, unit_id: int) -> Unit:
    """The unit if it lies in the user's scope; not found otherwise."""
    unit = session.get(Unit, unit_id)
    if unit is None or not can_see(user, unit):
        raise NotFound("unit_not_found", ref=unit_id)
    return unit


def units_in_scope(*, session: Session, user: User, parent_id: int | None = None,
                   kind: str | None = None) -> list[Unit]:
    """The units in the user's scope in tree order, optionally the children of one, or of one kind."""
    query = select(Unit).where(unit_filter(user)).order_by(Unit.path)
    if parent_id is not None:
        query = query.where(Unit.parent_id == parent_id)
    if kind is not None:
        query = query.where(Unit.kind == kind)
    return list(session.scalars(query))


def visible_user(*, session: Session, viewer: User, user_id: int) -> User:
    """A user who holds a role in the viewer's scope (or the viewer); not found otherwise."""
    user = session.get(User, user_id)
    if user is None or not (user.id == viewer.id or any(can_see(viewer, m.unit) for m in user.memberships)):
        raise NotFound("user_not_found", ref=user_id)
    return user


def users_in_scope(*, session: Session, viewer: User) -> list[User]:
    """The users holding a role somewhere in the viewer's scope, oldest first."""
    holders = (select(Membership.user_id).join(Unit, Unit.id == Membership.unit_id)
               .where(unit_filter(viewer)))
    return list(session.scalars(select(User).where(User.id.in_(holders)).order_by(User.id)))
