from flask_smorest import Blueprint
from sqlalchemy import select

from casework.errors import Forbidden, NotFound
from casework.units import service
from casework.units.models import Unit
from casework.units.schemas import UnitCreate, UnitList, UnitListArgs, UnitOut
from casework.users.scope import can_see, is_admin_over, unit_filter
from casework.web.context import commit, current_user, db
from casework.web.idempotency import idempotent
from casework.web.rules import ADMIN, SIGNED_IN, rule

blp = Blueprint("units", __name__, url_prefix="/api/v1/units", description="Responsible units (责任单位)")


def visible_unit(unit_id: int) -> Unit:
    unit = db().get(Unit, unit_id)
    if unit is None or not can_see(current_user(), unit):
        raise NotFound("unit_not_found", ref=unit_id)
    return unit


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(UnitListArgs, location="query")
@blp.response(200, UnitList)
def list_units(args):
    """The units in your scope, as a flat list in tree order."""
    query = select(Unit).where(unit_filter(current_user())).order_by(Unit.path)
    if "parent_id" in args:
        query = query.where(Unit.parent_id == args["parent_id"])
    if "kind" in args:
        query = query.where(Unit.kind == args["kind"])
    return {"items": db().scalars(query).all(), "next_cursor": None}


@blp.route("", methods=["POST"])
@rule(ADMIN)
@idempotent
@blp.arguments(UnitCreate)
@blp.response(201, UnitOut)
def create_unit(body):
    """Add a unit under a parent in your scope (admins only)."""
    parent = visible_unit(body["parent_id"])
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
    return visible_unit(unit_id)
