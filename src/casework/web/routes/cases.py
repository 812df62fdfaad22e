from flask_smorest import Blueprint

from casework.audit.findings import as_dict
from casework.audit.schemas import VerifyOut
from casework.audit.verify import verify_case
from casework.cases import queries, service
from casework.cases.permissions import visible_case
from casework.cases.schemas import CaseCreate, CaseList, CaseListArgs, CaseOut, EventRequest, HistoryOut
from casework.web import paging
from casework.web.context import commit, current_user, db
from casework.web.errors import language
from casework.web.idempotency import idempotent
from casework.web.rules import SIGNED_IN, WORKS_CASES, rule

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="Cases (整改事项) and their events")


def _show(case, unit=None) -> dict:
    session = db()
    return queries.describe(session=session, case=case, calendar=queries.Calendar(session), actor=current_user(),
                            unit=unit)


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, CaseList)
def list_cases(args):
    """Cases in your scope, filtered, newest first unless `sort` says otherwise; follow `next_cursor`."""
    filters = queries.CaseFilters(**{k: args.get(k) for k in
                                     ("state", "unit_id", "campaign_id", "assignee_id", "overdue", "q", "source",
                                      "category", "household_id", "item_id")})
    bound_to = {"sort": args["sort"], "filters": filters.__dict__, "user": current_user().id}
    after = paging.decode(args.get("cursor"), bound_to)
    session = db()
    rows, last = queries.list_cases(session=session, user=current_user(), filters=filters, sort=args["sort"],
                                    limit=args["limit"], after=after)
    calendar = queries.Calendar(session)
    return {"items": [queries.describe(session=session, case=c, calendar=calendar) for c in rows],
            "next_cursor": paging.encode(last, bound_to) if last else None}


@blp.route("", methods=["POST"])
@rule(WORKS_CASES)
@idempotent
@blp.arguments(CaseCreate)
@blp.response(201, CaseOut)
def open_case(body):
    """Log a finding as a case (`found`). A unit user may open one for its own unit (self-inspection)."""
    case = service.open_case(session=db(), actor=current_user(), **body)
    commit()
    return _show(case)


@blp.route("/<id:case_id>", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, CaseOut)
def get_case(case_id):
    """One case, with its `version` (send it back with events) and the events you may fire now."""
    case, unit = visible_case(session=db(), case_id=case_id, user=current_user())
    return _show(case, unit)


@blp.route("/<id:case_id>/events", methods=["POST"])
@rule(WORKS_CASES)
@idempotent
@blp.arguments(EventRequest)
@blp.response(200, CaseOut)
def fire_event(body, case_id):
    """Fire an event: 409 on a stale version or an event not allowed now, 403 for a role not
    allowed, 422 for a missing field or evidence."""
    event, version = body.pop("event"), body.pop("version")
    case = service.fire(session=db(), case_id=case_id, event=event, actor=current_user(), version=version,
                        fields=body)
    commit()
    return _show(case)


@blp.route("/<id:case_id>/history", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, HistoryOut)
def history(case_id):
    """Every event of the case, oldest first, with the hashes that chain them."""
    case, _unit = visible_case(session=db(), case_id=case_id, user=current_user())
    return {"case_id": case.id, "number": case.number, "chain_head": case.chain_head,
            "items": queries.history(session=db(), case=case)}


@blp.route("/<id:case_id>/verify", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, VerifyOut)
def verify(case_id):
    """Check this case's record now: its chain, its row against its events, its latest checkpoint."""
    case, _unit = visible_case(session=db(), case_id=case_id, user=current_user())
    finding = verify_case(session=db(), case=case)
    shown = [as_dict(finding, language())] if finding else []
    return {"ok": finding is None, "checked": case.event_count, "cases": 1,
            "first_bad": shown[0] if shown else None, "findings": shown}
