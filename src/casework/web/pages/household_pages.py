"""Households (/households): the register in the reader's scope, ID numbers and phones masked; one
household with its cases, shown in full to leaders and auditors over its village on request — a
read the access log records, as GET /api/v1/households/{id}?full=1 does."""

from __future__ import annotations

from flask import request, url_for
from marshmallow import ValidationError

from casework import household_cases, personal_data
from casework.errors import NotFound
from casework.households import service
from casework.households.categories import LABELS
from casework.households.schemas import HouseholdListArgs
from casework.users.scope import units_in_scope, visible_unit
from casework.web import paging
from casework.web.context import client_address, commit, current_user, db, runtime
from casework.web.pages.blueprint import bp
from casework.web.pages.forms import field_messages
from casework.web.pages.render import page
from casework.web.rules import LEADS, SIGNED_IN, rule
from casework.web.rules import page as on_page

PAGE_SIZE = 30
FILTERS = ("unit_id", "category", "q")


def _key() -> personal_data.DataKey:
    return personal_data.load(runtime().settings.data_key_path)


@bp.route("/households")
@rule(on_page(SIGNED_IN))
def households():
    """Households by number, in the reader's scope, found by name or number, village or category."""
    me = current_user()
    given = {k: v for k, v in request.args.items() if v.strip() and k in (*FILTERS, "cursor")}
    options = {"village_options": [(u.id, u.name) for u in units_in_scope(session=db(), user=me, kind="village")],
               "category_options": list(LABELS.items()), "can_import": LEADS.check(me)}
    try:
        args = HouseholdListArgs().load({**given, "limit": PAGE_SIZE})
    except ValidationError as invalid:
        return page("households.html", 422, active="households", rows=[], given=given,
                    fields=field_messages(invalid), next_url=None, **options)
    filters = service.HouseholdFilters(**{name: args.get(name) for name in FILTERS})
    bound_to = {"filters": filters.__dict__, "user": me.id}
    found, last = service.list_households(session=db(), user=me, key=_key(), filters=filters, limit=PAGE_SIZE,
                                          after=paging.decode(args.get("cursor"), bound_to))
    next_url = url_for(".households", **{k: v for k, v in given.items() if k != "cursor"},
                       cursor=paging.encode(last, bound_to)) if last else None
    return page("households.html", active="households", given=given, fields={}, next_url=next_url,
                rows=service.describe_page(session=db(), key=_key(), households=found), **options)


@bp.route("/households/<id:household_id>")
@rule(on_page(SIGNED_IN))
def household(household_id):
    """One household and its cases; `?full=1` shows the ID number and phone to leaders and auditors
    over its village (403 for others), and the access log records that they were read."""
    me = current_user()
    full = request.args.get("full") == "1"
    shown = service.read(session=db(), user=me, key=_key(), household_id=household_id, full=full,
                         address=client_address())
    if full:
        commit()
    try:
        village = visible_unit(session=db(), user=me, unit_id=shown["village"]["id"])
        may_read_full = not full and service.may_read_full(me, village)
    except NotFound:  # seen through its assistance officer, not its village
        may_read_full = False
    return page("household.html", active="households", household=shown, full=full, offer_full=may_read_full,
                cases=household_cases.of_household(session=db(), user=me, household_id=household_id),
                cases_url=url_for(".case_list", household_id=household_id))
