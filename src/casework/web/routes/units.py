from flask_smorest import Blueprint

from casework.errors import Forbidden
from casework.units import changes, service
from casework.units.schemas import UnitCreate, UnitList, UnitListArgs, UnitOut, UnitUpdate
from casework.users.scope import is_admin_over, units_in_scope, visible_unit
from casework.web.context import commit, current_user, db
from casework.web.idempotency import idempotent
from casework.web.rules import ADMIN, SIGNED_IN, rule

blp = Blueprint("units", __name__, url_prefix="/api/v1/units", description="Responsible units (责任单位)")


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(UnitListArgs, location="query")
@blp.response(200, UnitList)
def list_units(args):
    """The units in your scope, as a flat list in tree order."""
    units = units_in_scope(session=db(), user=current_user(), parent_id=args.get("parent_id"), kind=args.get("kind"))
    return {"items": units, "next_cursor": None}


@blp.route("", methods=["POST"])
@rule(ADMIN)
@idempotent
@blp.arguments(UnitCreate)
@blp.response(201, UnitOut)
def create_unit(body):
    """Add a unit under a parent in your scope (admins only)."""
    parent = visible_unit(session=db(), user=current_user(), unit_id=body["parent_id"])
    if not is_admin_over(current_user(), parent):
        raise Forbidden("forbidden")
    unit = service.create(session=db(), name=body["name"], kind=body["kind"], parent=parent,
                          code=body.get("code"), actor_id=current_user().id)
    commit()
    return unit


@blp.route("/<id:unit_id>", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, UnitOut)
def get_unit(unit_id):
    """One unit in your scope."""
    return visible_unit(session=db(), user=current_user(), unit_id=unit_id)


@blp.route("/<id:unit_id>", methods=["PATCH"])
@rule(ADMIN)
@blp.arguments(UnitUpdate)
@blp.response(200, UnitOut)
def update_unit(body, unit_id):
    """Rename a unit, or move it with everything below it under another unit (admins over both)."""
    me = current_user()
    unit = visible_unit(session=db(), user=me, unit_id=unit_id)
    if not is_admin_over(me, unit):
        raise Forbidden("forbidden")
    if "parent_id" in body:
        parent = visible_unit(session=db(), user=me, unit_id=body["parent_id"])
        if not is_admin_over(me, parent):
            raise Forbidden("forbidden")
        changes.move(session=db(), unit=unit, parent=parent, actor_id=me.id)
    if "name" in body:
        changes.rename(session=db(), unit=unit, name=body["name"], actor_id=me.id)
    commit()
    return unit
