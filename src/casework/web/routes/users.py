from flask_smorest import Blueprint

from casework.cases import handover, queries
from casework.cases.schemas import HandOverIn, HandOverOut
from casework.errors import Forbidden
from casework.users import memberships, service
from casework.users.schemas import MembershipsIn, UserAfterChange, UserCreate, UserList, UserOut, UserUpdate
from casework.users.scope import is_admin_over, users_in_scope, visible_unit, visible_user
from casework.web.context import commit, current_user, db, runtime
from casework.web.idempotency import idempotent
from casework.web.rules import ADMIN, ASSIGNS, SIGNED_IN, rule

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
    if body.get("mobile"):
        service.set_mobile(session=db(), user=user, mobile=body["mobile"], actor_id=current_user().id)
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
    """Rename, disable or re-enable a user, set a new password (each voids old tokens), or set their mobile."""
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
    if "mobile" in body:
        service.set_mobile(session=db(), user=user, mobile=body["mobile"], actor_id=me.id)
    commit()
    return user


@blp.route("/<id:user_id>/memberships", methods=["PUT"])
@rule(ADMIN)
@blp.arguments(MembershipsIn)
@blp.response(200, UserAfterChange)
def set_memberships(body, user_id):
    """Set the roles a user holds, and where: what is new is granted, what is left out revoked (a
    move to another unit is the same role at the new unit). Lists their open cases at units they
    can no longer work, for a leader to hand over."""
    me = current_user()
    user = visible_user(session=db(), viewer=me, user_id=user_id)
    wanted = [(visible_unit(session=db(), user=me, unit_id=m["unit_id"]), m["role"]) for m in body["memberships"]]
    memberships.set_roles(session=db(), user=user, memberships=wanted, actor=me)
    commit()
    user.stranded_cases = handover.stranded(session=db(), person=user, viewer=me)
    return user


@blp.route("/<id:user_id>/hand-over", methods=["POST"])
@rule(ASSIGNS)
@idempotent
@blp.arguments(HandOverIn)
@blp.response(200, HandOverOut)
def hand_over(body, user_id):
    """Hand over every open case of this user in your scope to another person in one step, each
    with a `reassign` event naming the reason. All or nothing: a 422 names the cases that would be
    left with nobody who may work them (the receiver cannot work their unit) and writes nothing."""
    me = current_user()
    person = visible_user(session=db(), viewer=me, user_id=user_id)
    receiver = visible_user(session=db(), viewer=me, user_id=body["to_user_id"])
    unit = visible_unit(session=db(), user=me, unit_id=body["unit_id"]) if "unit_id" in body else None
    handed = handover.hand_over(session=db(), actor=me, person=person, receiver=receiver, reason=body["reason"],
                                unit=unit)
    commit()
    calendar = queries.Calendar(db())
    return {"count": len(handed), "items": [queries.describe(session=db(), case=c, calendar=calendar) for c in handed]}
