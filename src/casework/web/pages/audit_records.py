"""What auditors read: one case's full history with its hashes and the result of verifying it now
(as GET /api/v1/cases/{id}/verify does), the admin log and the access log, newest first."""

from __future__ import annotations

import json

from flask import request, url_for

from casework.audit import logs
from casework.audit.findings import as_dict
from casework.audit.verify import verify_case
from casework.cases import queries, reading, service
from casework.cases.permissions import visible_case
from casework.errors import BadRequest
from casework.i18n import has
from casework.limits import DEFAULT_PAGE
from casework.web import paging
from casework.web.context import current_user, db
from casework.web.pages.blueprint import bp
from casework.web.pages.render import language, page, state_label, t
from casework.web.rules import AUDITS, rule
from casework.web.rules import page as on_page


# Events the record adds beside the workflow's, in the words the case page uses.
RECORD_CODES = {"evidence.withdrawn": "page_t_evidence_withdrawn", "deadline.reminded": "page_t_reminded",
                "closure.packed": "page_t_closure_packed"}


def record_label(event: str, payload: dict) -> str:
    """A record event (evidence, reminders, packs) in people's words."""
    if event == "evidence.attached":
        return t("page_t_evidence_attached", kind=t("page_kind_" + str(payload.get("kind", "document"))))
    if event == "deadline.escalated":
        return t("page_t_escalated", level=payload.get("level", ""))
    return t(RECORD_CODES[event]) if event in RECORD_CODES else t("page_t_record", event=event)


@bp.route("/audit/cases/<id:case_id>")
@rule(on_page(AUDITS))
def audit_case(case_id):
    """A case's every event with the hash before it and its own, and whether the record holds."""
    me, session = current_user(), db()
    case, unit = visible_case(session=session, case_id=case_id, user=me)
    definition = service.definition_of(session=session, case=case)
    words = {entry.seq: entry for entry in reading.timeline(session=session, case=case, definition=definition)}
    events = []
    for row in queries.history(session=session, case=case):
        payload, said = json.loads(row.payload or "{}"), words.get(row.seq)
        label = record_label(row.event, payload) if "." in row.event else \
            t("page_t_open") if row.event == "open" else (said.label if said and said.label else row.event)
        events.append({"row": row, "words": said, "payload": payload, "label": label})
    finding = verify_case(session=session, case=case)
    closed_verified = case.closed_at is not None and definition.is_verified(case.state)
    return page("audit_case.html", case=case, unit=unit, state_label=state_label(definition, case.state),
                events=events, finding=as_dict(finding, language()) if finding else None,
                zone=queries.Calendar(session).zone_of(case.campaign_id), pack=closed_verified)


def action_label(action: str) -> str:
    """An action of either log in people's words (its code when the catalogue has none)."""
    code = "page_act_" + action.replace(".", "_")
    return t(code) if has(code) else action


def _page_of(read, filters: dict) -> tuple[list, str | None]:
    """One page of a log, newest first, and the address of the next (bound to filters and reader)."""
    bound_to = {**filters, "user": current_user().id}
    after = paging.decode(request.args.get("cursor"), bound_to)
    if after is not None and not (len(after) == 1 and isinstance(after[0], int)):
        raise BadRequest("bad_cursor")
    entries = read(session=db(), user=current_user(), limit=DEFAULT_PAGE + 1, before_id=after[0] if after else None,
                   **filters)
    more = len(entries) > DEFAULT_PAGE
    entries = entries[:DEFAULT_PAGE]
    next_url = url_for(request.endpoint, **{k: v for k, v in filters.items() if v},
                       cursor=paging.encode([entries[-1].id], bound_to)) if more else None
    return entries, next_url


@bp.route("/audit/admin-log")
@rule(on_page(AUDITS))
def admin_log():
    """Who created units and users, granted, revoked and changed roles, renamed, disabled, moved."""
    entries, next_url = _page_of(logs.admin_log_page, {})
    payloads = [json.loads(e.payload or "{}") for e in entries]
    people = reading.display_names(session=db(), user_ids={e.actor_id for e in entries}
                                   | {e.target_id for e in entries if e.target_type == "user"})
    units = reading.unit_names(session=db(), unit_ids={e.target_id for e in entries if e.target_type == "unit"}
                               | {p.get("unit_id") for p in payloads if isinstance(p.get("unit_id"), int)})
    rows = [{"entry": e, "action": action_label(e.action), "actor": people.get(e.actor_id) or t("page_log_cli"),
             "target": (people if e.target_type == "user" else units).get(e.target_id, e.target_id),
             "payload": p, "unit": units.get(p.get("unit_id"))} for e, p in zip(entries, payloads)]
    return page("audit_log.html", kind="admin", rows=rows, next_url=next_url)


@bp.route("/audit/access-log")
@rule(on_page(AUDITS))
def access_log():
    """Sign-ins (and failures, with the address), password changes, exports, downloads, full reads."""
    entries, next_url = _page_of(logs.access_log_page, {})
    people = reading.display_names(session=db(), user_ids={e.actor_id for e in entries})
    rows = [{"entry": e, "action": action_label(e.action), "actor": people.get(e.actor_id) or e.username or "",
             "detail": json.loads(e.detail or "{}")} for e in entries]
    return page("audit_log.html", kind="access", rows=rows, next_url=next_url)
