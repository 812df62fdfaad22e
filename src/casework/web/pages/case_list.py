"""The case list (/cases) with the API's filters, sorts and cursor paging, and bulk assignment:
pick several `found` cases, choose who takes each, and see what happened to every one."""

from __future__ import annotations

from flask import request, url_for
from marshmallow import ValidationError

from casework.campaigns import service as campaigns
from casework.cases import queries, reading, service
from casework.cases.permissions import visible_case
from casework.cases.schemas import CaseListArgs
from casework.errors import CaseworkError, NotFound, Unprocessable
from casework.users.assignees import fit_for
from casework.users.scope import units_in_scope, users_in_scope
from casework.validation_messages import localise
from casework.web import paging
from casework.web.context import commit, current_user, db
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import parse_id, parse_version
from casework.web.pages.errors import said_plainly
from casework.web.pages.render import language, page, state_label, t
from casework.web.request_shape import takes_files
from casework.web.rules import ASSIGNS, SIGNED_IN, rule
from casework.web.rules import page as on_page
from casework.workflows import registry

ASSIGN = "assign"
PAGE_SIZE = 30  # a phone's screenful or three; the API's `limit` still chooses
BULK_MAX = 50
FILTERS = ("state", "unit_id", "campaign_id", "assignee_id", "overdue", "q", "item_id", "household_id")
# Filters another page links with that the form has no field for: kept as hidden fields.
HIDDEN_FILTERS = ("item_id", "household_id")
SORT_CODES = {"-created_at": "page_sort_newest", "created_at": "page_sort_oldest", "deadline": "page_sort_deadline",
              "-updated_at": "page_sort_updated", "number": "page_sort_number"}


def flow_order(definition) -> list[str]:
    """The states in the order a case meets them: by their distance from the first, ends last."""
    order, queue = [definition.initial], [definition.initial]
    while queue:
        for event in definition.events_from(queue.pop(0)):
            if event.target and event.target not in order:
                order.append(event.target)
                queue.append(event.target)
    ends = [k for k in order if definition.states[k].final or definition.states[k].closed]
    return [k for k in order if k not in ends] + ends + [k for k in definition.states if k not in order]


def state_labels(session) -> dict[str, str]:
    """Every state of the workflows in use, each once, with its label, in the order a case meets them."""
    seen: dict[str, str] = {}
    for pinned in registry.current(session=session).values():
        for key in flow_order(pinned.definition):
            seen.setdefault(key, state_label(pinned.definition, key))
    return seen


def _assignable(session, case, me) -> bool:
    definition = service.definition_of(session=session, case=case)
    return ASSIGNS.check(me) and any(e.key == ASSIGN for e in definition.events_from(case.state))


@bp.route("/cases")
@rule(on_page(SIGNED_IN))
def case_list():
    """Cases in the reader's scope, filtered and sorted as asked, a page at a time."""
    me, session = current_user(), db()
    given = {k: v for k, v in request.args.items() if v.strip()}
    given.setdefault("limit", str(PAGE_SIZE))
    units = units_in_scope(session=session, user=me)
    people = users_in_scope(session=session, viewer=me)
    options = {"states": list(state_labels(session).items()), "unit_options": [(u.id, u.name) for u in units],
               "people_options": [(u.id, u.display_name) for u in people],
               "campaign_options": [(c.id, c.name) for c in campaigns.visible_list(session=session, user=me)],
               "sort_options": [(key, t(code)) for key, code in SORT_CODES.items()], "hidden_filters": HIDDEN_FILTERS}
    try:
        args = CaseListArgs().load(given)
    except ValidationError as invalid:
        fields = {k: " ".join(v) if isinstance(v, list) else str(v)
                  for k, v in localise(invalid.messages, language()).items()}
        return page("case_list.html", 422, rows=[], given=given, fields=fields, next_url=None, **options)
    filters = queries.CaseFilters(**{k: args.get(k) for k in FILTERS})
    bound_to = {"sort": args["sort"], "filters": filters.__dict__, "user": me.id}
    after = paging.decode(args.get("cursor"), bound_to)
    cases, last = queries.list_cases(session=session, user=me, filters=filters, sort=args["sort"],
                                     limit=args["limit"], after=after)
    calendar = queries.Calendar(session)
    unit_names = {u.id: u.name for u in units}
    names = {u.id: u.display_name for u in people}
    rows = []
    for case in cases:
        described = queries.describe(session=session, case=case, calendar=calendar)
        described["state_label"] = state_label(service.definition_of(session=session, case=case), case.state)
        rows.append({**described, "unit_name": unit_names.get(case.unit_id, ""),
                     "assignee_name": names.get(case.assignee_id), "assignable": _assignable(session, case, me),
                     "today": calendar.today_for(case.campaign_id)})
    next_url = None
    if last:
        kept = {k: v for k, v in given.items() if k != "cursor"}
        next_url = url_for(".case_list", **kept, cursor=paging.encode(last, bound_to))
    return page("case_list.html", rows=rows, given=given, fields={}, next_url=next_url,
                can_assign=any(r["assignable"] for r in rows), **options)


def _chosen_ids(values: list[str]) -> list[int]:
    ids = []
    for value in values[:BULK_MAX]:
        try:
            ids.append(parse_id(value, "case"))
        except Unprocessable:
            continue
    return list(dict.fromkeys(ids))


@bp.route("/cases/assign")
@rule(on_page(ASSIGNS))
def bulk_assign_form():
    """For each chosen case, who may take it (its unit's staff, and leaders over it)."""
    me, session = current_user(), db()
    rows, missing = [], []
    for case_id in _chosen_ids(request.args.getlist("case")):
        try:
            case, unit = visible_case(session=session, case_id=case_id, user=me)
        except NotFound:
            missing.append(case_id)
            continue
        definition = service.definition_of(session=session, case=case)
        rows.append({"case": case, "unit": unit, "state_label": state_label(definition, case.state),
                     "people": [(u.id, u.display_name) for u in fit_for(session=session, unit=unit, viewer=me)],
                     "assignable": any(e.key == ASSIGN for e in definition.events_from(case.state))})
    return page("assign.html", rows=rows, missing=missing)


@bp.route("/cases/assign", methods=["POST"])
@rule(on_page(ASSIGNS))
@takes_files
def bulk_assign():
    """Fire `assign` on each chosen case, each in its own transaction; say what happened to each."""
    me, session = current_user(), db()
    results = []
    for case_id in _chosen_ids(request.form.getlist("case")):
        fields = {}
        try:
            chosen = request.form.get(f"assignee_{case_id}", "")
            if chosen:
                fields["assignee_id"] = parse_id(chosen, "assignee_id")
            case = service.fire(session=session, case_id=case_id, event=ASSIGN, actor=me,
                                version=parse_version(request.form.get(f"version_{case_id}")), fields=fields)
            commit()
            assignee = reading.display_names(session=session, user_ids={case.assignee_id}).get(case.assignee_id)
            results.append({"id": case_id, "ok": True, "number": case.number, "title": case.title,
                            "assignee": assignee})
        except CaseworkError as refused:
            session.rollback()
            try:
                found, _unit = visible_case(session=session, case_id=case_id, user=me)
                number, title = found.number, found.title
            except NotFound:
                number, title = None, None
            results.append({"id": case_id, "ok": False, "number": number, "title": title,
                            "message": said_plainly(refused)})
    return page("assign_done.html", results=results)
