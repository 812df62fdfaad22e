from flask_smorest import Blueprint

from casework.errors import Forbidden
from casework.users import service
from casework.users.schemas import UserCreate, UserList, UserOut, UserUpdate
from casework.users.scope import is_admin_over, users_in_scope, visible_unit, visible_user
from casework.web.context import commit, current_user, db, runtime
from casework.web.idempotency import idempotent
from casework.web.rules import ADMIN, SIGNED_IN, rule

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users and their roles")


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, UserList)
def list_users():
    """The users holding a role somewhere in your scope."""
    return {"items": users_in_scope(session=db(), viewer=current_user()), "next_cursor": None}


@blp.route("", methods=["POST"])
@rule(ADMIN)
@idempotent
@blp.arguments(UserCreate)
@blp.response(201, UserOut)
def create_user(body):
    """Add a user with roles in units you administer."""
    memberships = []
    for wanted in body["memberships"]:
        unit = visible_unit(session=db(), user=current_user(), unit_id=wanted["unit_id"])
        if not is_admin_over(current_user(), unit):
            raise Forbidden("forbidden")
        memberships.append((unit, wanted["role"]))
    user = service.create(session=db(), username=body["username"], password=body["password"],
                          display_name=body.get("display_name"), memberships=memberships,
                          actor_id=current_user().id, policy=runtime().settings.password_policy)
    commit()
    return user


@blp.route("/<id:user_id>", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, UserOut)
def get_user(user_id):
    """One user in your scope (or yourself)."""
    return visible_user(session=db(), viewer=current_user(), user_id=user_id)


@blp.route("/<id:user_id>", methods=["PATCH"])
@rule(ADMIN)
@blp.arguments(UserUpdate)
@blp.response(200, UserOut)
def update_user(body, user_id):
    """Rename, disable or re-enable a user, or set a new password (each voids old tokens)."""
    me = current_user()
    user = visible_user(session=db(), viewer=me, user_id=user_id)
    if not user.memberships or not all(is_admin_over(me, m.unit) for m in user.memberships):
        raise Forbidden("forbidden")
    if "display_name" in body:
        service.rename(session=db(), user=user, display_name=body["display_name"], actor_id=me.id)
    if "password" in body:
        service.set_password(session=db(), user=user, password=body["password"], actor_id=me.id,
                             policy=runtime().settings.password_policy)
    if "is_active" in body and body["is_active"] != user.is_active:
        service.set_active(session=db(), user=user, active=body["is_active"], actor_id=me.id)
    commit()
    return user
