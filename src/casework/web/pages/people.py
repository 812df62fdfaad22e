"""People (/people): who works in the reader's scope, their roles and open cases; one person's page,
where a leader hands their open cases over and an admin changes their account and roles; adding
someone (admins)."""

from __future__ import annotations

from flask import redirect, request, url_for
from marshmallow import ValidationError

from casework.cases import handover, service
from casework.cases.permissions import may_work
from casework.errors import CaseworkError, Forbidden
from casework.users import service as users
from casework.users.schemas import UserCreate
from casework.users.scope import (
    is_admin_over,
    units_in_scope,
    users_in_scope,
    visible_unit,
    visible_user,
)
from casework.vocabulary import Role
from casework.web.context import commit, current_user, db, runtime
from casework.web.pages.blueprint import bp
from casework.web.pages.errors import said_plainly
from casework.web.pages.forms import field_messages, form_values
from casework.web.pages.render import page, state_label, t
from casework.web.request_shape import takes_files
from casework.web.rules import ADMIN, ASSIGNS, LEADS, rule
from casework.web.rules import page as on_page


def role_options() -> list[tuple[str, str]]:
    return [(r.value, t(f"page_role_{r.value}")) for r in Role]


def may_administer(me, person) -> bool:
    """An admin over every unit where the person holds a role (as PATCH /users/{id} asks)."""
    return ADMIN.check(me) and bool(person.memberships) and all(is_admin_over(me, m.unit) for m in person.memberships)


@bp.route("/people")
@rule(on_page(LEADS))
def people():
    """Everyone holding a role in the reader's scope, with their roles and open cases."""
    me = current_user()
    wanted = request.args.get("q", "").strip().lower()
    found = [u for u in users_in_scope(session=db(), viewer=me)
             if not wanted or wanted in u.display_name.lower() or wanted in u.username.lower()]
    counts = handover.open_counts(session=db(), viewer=me)
    return page("people.html", active="people", people=found, counts=counts, q=request.args.get("q", ""),
                can_add=ADMIN.check(me))


def person_view(user_id: int, status: int = 200, **context):
    """One person's page as it stands, with a refusal or notice if any."""
    me, session = current_user(), db()
    person = visible_user(session=session, viewer=me, user_id=user_id)
    open_cases = []
    for case, unit in handover.open_cases_of(session=session, person=person, viewer=me):
        definition = service.definition_of(session=session, case=case)
        open_cases.append({"case": case, "unit": unit, "state_label": state_label(definition, case.state),
                           "stranded": not may_work(person, unit)})
    case_units = {row["unit"].id: row["unit"] for row in open_cases}
    receivers = [u for u in users_in_scope(session=session, viewer=me) if u.is_active and u.id != person.id]
    # Those who may work every one of the cases first: choosing them, nothing is refused.
    receivers.sort(key=lambda u: (not all(may_work(u, unit) for unit in case_units.values()), u.display_name))
    administers = may_administer(me, person) and person.id != me.id
    return page("person.html", status, active="people", person=person, open_cases=open_cases,
                can_hand_over=ASSIGNS.check(me) and bool(open_cases),
                receivers=[(u.id, u.display_name) for u in receivers],
                can_administer=administers, roles=role_options(),
                unit_options=[(u.id, u.name) for u in units_in_scope(session=session, user=me)
                              if administers and is_admin_over(me, u)],
                policy=runtime().settings.password_policy, **context)


@bp.route("/people/<id:user_id>")
@rule(on_page(LEADS))
def person(user_id):
    """One person in the reader's scope (404 outside it)."""
    return person_view(user_id, notice=request.args.get("done"), count=request.args.get("count"))


def _new_person_page(status: int = 200, **context):
    me = current_user()
    return page("person_new.html", status, active="people", roles=role_options(),
                unit_options=[(u.id, u.name) for u in units_in_scope(session=db(), user=me) if is_admin_over(me, u)],
                policy=runtime().settings.password_policy, **context)


@bp.route("/people/new", methods=["GET", "POST"])
@rule(on_page(ADMIN))
@takes_files
def person_new():
    """Add someone with a role at a unit the admin holds (more roles on their page)."""
    if request.method == "GET":
        return _new_person_page(typed={})
    me = current_user()
    typed = {k: v for k, v in request.form.items() if k not in ("csrf_token", "password")}
    try:
        values = form_values(("username", "display_name", "password", "unit_id", "role"))
        body = UserCreate().load({**{k: v for k, v in values.items() if k not in ("unit_id", "role")},
                                  "memberships": [{"unit_id": values.get("unit_id"), "role": values.get("role")}]})
        unit = visible_unit(session=db(), user=me, unit_id=body["memberships"][0]["unit_id"])
        if not is_admin_over(me, unit):
            raise Forbidden("forbidden")
        made = users.create(session=db(), username=body["username"], password=body["password"],
                            display_name=body.get("display_name"), memberships=[(unit, body["memberships"][0]["role"])],
                            actor_id=me.id, policy=runtime().settings.password_policy)
        commit()
    except ValidationError as invalid:
        fields = field_messages(invalid)
        memberships = fields.pop("memberships", None)
        if memberships:
            fields["unit_id"] = t("page_required")
        return _new_person_page(422, fields=fields, typed=typed)
    except CaseworkError as refused:
        db().rollback()
        details = refused.public_details()
        if refused.code == "invalid_field" and details.get("field") in ("username", "password", "role"):
            return _new_person_page(422, fields={details["field"]: said_plainly(refused)}, typed=typed)
        return _new_person_page(refused.status, problem=said_plainly(refused), typed=typed)
    return redirect(url_for(".person", user_id=made.id, done="created"), 303)
