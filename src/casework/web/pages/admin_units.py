"""Administration: the unit tree (/admin/units) — add a unit, rename one, move one (with everything
below it) elsewhere in the tree. The API's checks and admin log, through the same services."""

from __future__ import annotations

from flask import redirect, request, url_for
from marshmallow import ValidationError

from casework.errors import CaseworkError, Forbidden
from casework.units import changes
from casework.units import service as units
from casework.units.schemas import UnitCreate, UnitUpdate
from casework.users.scope import is_admin_over, units_in_scope, visible_unit
from casework.vocabulary import UnitKind
from casework.web.context import commit, current_user, db
from casework.web.pages.blueprint import bp
from casework.web.pages.errors import said_plainly
from casework.web.pages.forms import field_messages, load
from casework.web.pages.render import page, t
from casework.web.request_shape import takes_files
from casework.web.rules import ADMIN, rule
from casework.web.rules import page as on_page


def _tree_page(status: int = 200, **context):
    me = current_user()
    # Siblings in the order they were made (a path sorted as text puts /1/10/ before /1/2/).
    tree = sorted(units_in_scope(session=db(), user=me), key=lambda u: [int(p) for p in u.path.strip("/").split("/")])
    top = min((u.path.count("/") for u in tree), default=0)
    rows = [{"unit": u, "depth": u.path.count("/") - top, "kind": t(f"page_kind_unit_{u.kind}"),
             "mine": is_admin_over(me, u),
             # Where it may go: units the admin holds, not itself or below it.
             "parents": [(p.id, p.name) for p in tree if is_admin_over(me, p) and not p.path.startswith(u.path)]}
            for u in tree]
    return page("admin_units.html", status, rows=rows, active_admin="units",
                kinds=[(k.value, t(f"page_kind_unit_{k.value}")) for k in UnitKind],
                parent_options=[(r["unit"].id, r["unit"].name) for r in rows if r["mine"]], **context)


@bp.route("/admin/units")
@rule(on_page(ADMIN))
def admin_units():
    """The units in the admin's scope, in tree order, with what may be changed."""
    return _tree_page(done=request.args.get("done"))


@bp.route("/admin/units", methods=["POST"])
@rule(on_page(ADMIN))
@takes_files
def admin_unit_create():
    """Add a unit under a parent the admin holds."""
    me = current_user()
    try:
        body = load(UnitCreate(), ("name", "kind", "parent_id", "code"))
        parent = visible_unit(session=db(), user=me, unit_id=body["parent_id"])
        if not is_admin_over(me, parent):
            raise Forbidden("forbidden")
        unit = units.create(session=db(), name=body["name"], kind=body["kind"], parent=parent, code=body.get("code"),
                            actor_id=me.id)
        commit()
    except ValidationError as invalid:
        return _tree_page(422, create_errors=field_messages(invalid), typed=request.form)
    except CaseworkError as refused:
        db().rollback()
        return _tree_page(refused.status, problem=said_plainly(refused), typed=request.form)
    return redirect(url_for(".admin_units", done=unit.id) + f"#unit-{unit.id}", 303)


@bp.route("/admin/units/<id:unit_id>", methods=["POST"])
@rule(on_page(ADMIN))
@takes_files
def admin_unit_update(unit_id):
    """Rename a unit, or move it with everything below it under another."""
    me = current_user()
    try:
        body = load(UnitUpdate(), ("name", "parent_id"))
        unit = visible_unit(session=db(), user=me, unit_id=unit_id)
        if not is_admin_over(me, unit):
            raise Forbidden("forbidden")
        if body.get("parent_id") and body["parent_id"] != unit.parent_id:
            parent = visible_unit(session=db(), user=me, unit_id=body["parent_id"])
            if not is_admin_over(me, parent):
                raise Forbidden("forbidden")
            changes.move(session=db(), unit=unit, parent=parent, actor_id=me.id)
        if body.get("name"):
            changes.rename(session=db(), unit=unit, name=body["name"], actor_id=me.id)
        commit()
    except ValidationError as invalid:
        return _tree_page(422, problem=" ".join(field_messages(invalid).values()), problem_unit=unit_id)
    except CaseworkError as refused:
        db().rollback()
        if refused.status == 404:
            raise
        return _tree_page(refused.status, problem=said_plainly(refused), problem_unit=unit_id)
    return redirect(url_for(".admin_units", done=unit_id) + f"#unit-{unit_id}", 303)
