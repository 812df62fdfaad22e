from flask_smorest import Blueprint
from sqlalchemy import select

from casework.errors import Forbidden, NotFound
from casework.units.models import Unit
from casework.users import service
from casework.users.models import Membership, User
from casework.users.schemas import UserCreate, UserList, UserOut, UserUpdate
from casework.users.scope import can_see, is_admin_over, unit_filter
from casework.web.context import commit, current_user, db
from casework.web.idempotency import idempotent
from casework.web.routes.units import visible_unit
from casework.web.rules import ADMIN, SIGNED_IN, rule

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users and their roles")


def visible_user(user_id: int) -> User:
    user = db().get(User, user_id)
    me = current_user()
    if user is None or not (user.id == me.id or any(can_see(me, m.unit) for m in user.memberships)):
        raise NotFound("user_not_found", ref=user_id)
    return user


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, UserList)
def list_users():
    """The users holding a role somewhere in your scope."""
    in_scope = (select(Membership.user_id).join(Unit, Unit.id == Membership.unit_id)
                .where(unit_filter(current_user())))
    users = db().scalars(select(User).where(User.id.in_(in_scope)).order_by(User.id)).all()
    return {"items": users, "next_cursor": None}


@blp.route("", methods=["POST"])
@rule(ADMIN)
@idempotent
@blp.arguments(UserCreate)
@blp.response(201, UserOut)
def create_user(body):
    """Add a user with roles in units you administer."""
    memberships = []
    for wanted in body["memberships"]:
        unit = visible_unit(wanted["unit_id"])
        if not is_admin_over(current_user(), unit):
            raise Forbidden("forbidden")
        memberships.append((unit, wanted["role"]))
    user = service.create(session=db(), username=body["username"], password=body["password"],
                          display_name=body.get("display_name"), memberships=memberships,
                          actor_id=current_user().id)
    commit()
    return user


@blp.route("/<id:user_id>", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, UserOut)
def get_user(user_id):
    """One user in your scope (or yourself)."""
    return visible_user(user_id)


@blp.route("/<id:user_id>", methods=["PATCH"])
@rule(ADMIN)
@blp.arguments(UserUpdate)
@blp.response(200, UserOut)
def update_user(body, user_id):
    """Rename, disable or re-enable a user, or set a new password (each voids old tokens)."""
    user = visible_user(user_id)
    me = current_user()
    if not user.memberships or not all(is_admin_over(me, m.unit) for m in user.memberships):
        raise Forbidden("forbidden")
    if "display_name" in body:
        user.display_name = body["display_name"]
    if "password" in body:
        service.set_password(session=db(), user=user, password=body["password"], actor_id=me.id)
    if "is_active" in body and body["is_active"] != user.is_active:
        service.set_active(session=db(), user=user, active=body["is_active"], actor_id=me.id)
    commit()
    return user
