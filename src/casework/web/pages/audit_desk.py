"""The auditor's desk (/audit): the whole-install verification started and followed as it runs (the
same job as POST /api/v1/audit/verify), a case found by its number, the checkpoint log and its
public key to download and keep elsewhere, and the ledger and daily report to take away."""

from __future__ import annotations

import json

from flask import Response, redirect, request, url_for

from casework.audit import checkpoints, runs
from casework.audit.findings import as_dict, from_dict
from casework.audit.schemas import CheckpointLog
from casework.campaigns import service as campaigns
from casework.cases import queries
from casework.cases.lookup import visible_by_number
from casework.errors import NotFound
from casework.web.context import commit, current_user, db, runtime
from casework.web.pages.blueprint import bp
from casework.web.pages.render import is_htmx, language, page
from casework.web.request_shape import takes_files
from casework.web.rules import AUDITS, rule
from casework.web.rules import page as on_page

CHECKPOINTS_SHOWN = 5
# Verified cases listed for their closure packs (the rest are found by number).
VERIFIED_SHOWN = 5
VERIFIED = "verified"  # the closing state's key in the shipped workflows
# How often a page following a verification asks how far it has got.
POLL_SECONDS = 2


def _run() -> dict | None:
    """The reader's latest verification as the page shows it, or None before their first."""
    try:
        run = runs.latest(session=db(), user=current_user())
    except NotFound:
        return None
    findings = [as_dict(from_dict(f), language()) for f in json.loads(run.findings or "[]")]
    percent = round(run.cases_done * 100 / run.cases_total) if run.cases_total else (100 if run.status == "done" else 0)
    return {"run": run, "findings": findings, "percent": percent, "done": run.status == "done"}


def _key():
    return checkpoints.public_key(key_path=runtime().settings.checkpoint_key_path)


@bp.route("/audit")
@rule(on_page(AUDITS))
def audit_desk():
    """Verification, a case by number, checkpoints, the logs and the downloads."""
    log = checkpoints.log(session=db())
    key = _key()
    verified, _more = queries.list_cases(session=db(), user=current_user(), filters=queries.CaseFilters(state=VERIFIED),
                                         sort="-updated_at", limit=VERIFIED_SHOWN, after=None)
    return page("audit_desk.html", verification=_run(), poll=POLL_SECONDS, checkpoints=log[-CHECKPOINTS_SHOWN:][::-1],
                verified=verified,
                checkpoint_count=len(log), key_id=key[1] if key else None,
                campaign_options=[(c.id, c.name) for c in campaigns.visible_list(session=db(), user=current_user())])


@bp.route("/audit/verify", methods=["POST"])
@rule(on_page(AUDITS))
@takes_files
def audit_start():
    """Start verifying every case in the reader's scope (and, over the whole tree, the admin log and
    the checkpoint log) as a background job; the desk follows it."""
    runs.start(session=db(), user=current_user())
    commit()
    return redirect(url_for(".audit_progress"), 303)


@bp.route("/audit/verify")
@rule(on_page(AUDITS))
def audit_progress():
    """The latest verification: the desk's panel while it runs (for htmx), the desk otherwise."""
    if is_htmx():
        return page("_verification.html", verification=_run(), poll=POLL_SECONDS)
    return audit_desk()


@bp.route("/audit/checkpoints.json")
@rule(on_page(AUDITS))
def checkpoint_log_file():
    """The signed checkpoint log with its public key, as GET /api/v1/audit/checkpoints gives it."""
    key = _key()
    body = CheckpointLog().dump({"public_key": key[0] if key else None, "key_id": key[1] if key else None,
                                 "items": checkpoints.log(session=db())})
    return Response(json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True), mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=checkpoints.json"})


@bp.route("/audit/public-key.pem")
@rule(on_page(AUDITS))
def public_key_file():
    """The key checkpoints are signed with (its public half), to check them without Casework."""
    key = _key()
    if key is None:
        raise NotFound("checkpoint_key_not_made")
    return Response(key[0], mimetype="application/x-pem-file",
                    headers={"Content-Disposition": f"attachment; filename=casework-checkpoints-{key[1][:12]}.pem"})


@bp.route("/audit/find")
@rule(on_page(AUDITS))
def audit_find():
    """A case by its number, for its history and verification."""
    case, _unit = visible_by_number(session=db(), number=request.args.get("number", ""), user=current_user())
    return redirect(url_for(".audit_case", case_id=case.id))
