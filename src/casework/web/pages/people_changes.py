"""Staff changes from a person's page: an admin renames, disables or re-enables someone, sets a new
password, or changes their roles (a move to another unit is the same role at the new unit); a
leader hands their open cases over to someone else in one step. The API's services, each change
in one transaction; a refusal shows on the page and changes nothing."""

from __future__ import annotations

from flask import redirect, request, url_for

from casework.cases import handover
from casework.errors import CaseworkError, Forbidden, Unprocessable
from casework.limits import DISPLAY_NAME_MAX
from casework.text import clean_text
from casework.users import memberships
from casework.users import service as users
from casework.users.scope import visible_unit, visible_user
from casework.vocabulary import ROLES
from casework.web.context import commit, current_user, db, runtime
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import parse_id
from casework.web.pages.errors import said_plainly
from casework.web.pages.people import may_administer, person_view
from casework.web.pages.render import language
from casework.web.request_shape import takes_files
from casework.web.rules import ADMIN, ASSIGNS, rule
from casework.web.rules import page as on_page

ACCOUNT_ACTIONS = ("rename", "disable", "enable", "password")


def _administered(user_id: int):
    me = current_user()
    person = visible_user(session=db(), viewer=me, user_id=user_id)
    if not may_administer(me, person):
        raise Forbidden("forbidden")
    return me, person


@bp.route("/people/<id:user_id>", methods=["POST"])
@rule(on_page(ADMIN))
@takes_files
def person_update(user_id):
    """Rename, disable, re-enable, or set a new password (each of the last three ends their sessions)."""
    me, person = _administered(user_id)
    action = request.form.get("action", "")
    try:
        if action == "rename":
            name = clean_text(request.form.get("display_name"), field="display_name", max_length=DISPLAY_NAME_MAX,
                              names=True)
            users.rename(session=db(), user=person, display_name=name, actor_id=me.id)
        elif action in ("disable", "enable"):
            users.set_active(session=db(), user=person, active=action == "enable", actor_id=me.id)
        elif action == "password":
            users.set_password(session=db(), user=person, password=request.form.get("password", ""), actor_id=me.id,
                               policy=runtime().settings.password_policy)
        else:
            raise Unprocessable("invalid_field", field="action", reason_code="page_bad_value")
        commit()
    except CaseworkError as refused:
        db().rollback()
        if refused.status == 404:
            raise
        return person_view(user_id, refused.status, problem=said_plainly(refused), problem_form=action)
    return redirect(url_for(".person", user_id=user_id, done=action), 303)


def _wanted_roles() -> list[tuple]:
    """The roles the form asks for: each row's unit and role, rows marked to go left out."""
    me = current_user()
    units, roles = request.form.getlist("unit_id"), request.form.getlist("role")
    dropped = set(request.form.getlist("drop"))
    wanted = []
    for index, (unit_id, role) in enumerate(zip(units, roles)):
        if str(index) in dropped or not unit_id.strip():
            continue
        if role not in ROLES:
            raise Unprocessable("invalid_field", field="role", reason_code="page_bad_value")
        wanted.append((visible_unit(session=db(), user=me, unit_id=parse_id(unit_id.strip(), "unit_id")), role))
    return wanted


@bp.route("/people/<id:user_id>/roles", methods=["POST"])
@rule(on_page(ADMIN))
@takes_files
def person_roles(user_id):
    """Set the person's roles as the form lists them: new ones granted, removed ones revoked."""
    me = current_user()
    person = visible_user(session=db(), viewer=me, user_id=user_id)
    try:
        memberships.set_roles(session=db(), user=person, memberships=_wanted_roles(), actor=me)
        commit()
    except CaseworkError as refused:
        db().rollback()
        if refused.status == 404:
            raise
        return person_view(user_id, refused.status, problem=said_plainly(refused), problem_form="roles")
    return redirect(url_for(".person", user_id=user_id, done="roles"), 303)


@bp.route("/people/<id:user_id>/hand-over", methods=["POST"])
@rule(on_page(ASSIGNS))
@takes_files
def hand_over(user_id):
    """Hand every open case of the person (that the leader sees) to someone else, with a reason."""
    me = current_user()
    person = visible_user(session=db(), viewer=me, user_id=user_id)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        receiver_id = parse_id(request.form.get("to_user_id", "").strip(), "to_user_id")
        receiver = visible_user(session=db(), viewer=me, user_id=receiver_id)
        unit_id = request.form.get("unit_id", "").strip()
        unit = visible_unit(session=db(), user=me, unit_id=parse_id(unit_id, "unit_id")) if unit_id else None
        handed = handover.hand_over(session=db(), actor=me, person=person, receiver=receiver,
                                    reason=request.form.get("reason", ""), unit=unit)
        commit()
    except handover.HandOverRefused as refused:
        db().rollback()
        return person_view(user_id, refused.status, problem=refused.message(language()), problem_form="hand_over",
                           problems=refused.public_details(language())["problems"], typed=typed)
    except CaseworkError as refused:
        db().rollback()
        if refused.status == 404 and refused.code != "user_not_found":
            raise
        return person_view(user_id, refused.status, problem=said_plainly(refused), problem_form="hand_over",
                           typed=typed)
    return redirect(url_for(".person", user_id=user_id, done="hand_over", count=len(handed)), 303)
