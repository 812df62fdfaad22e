import json

from flask_smorest import Blueprint

from casework.audit import checkpoints, logs, runs
from casework.audit.findings import as_dict, from_dict
from casework.audit.schemas import (
    AccessLogArgs, AccessLogPage, AdminLogArgs, AdminLogPage, CheckpointDetail, CheckpointLog, VerificationArgs,
    VerificationRunOut,
)
from casework.errors import BadRequest
from casework.web import paging
from casework.web.context import commit, current_user, db, runtime
from casework.web.errors import language
from casework.web.idempotency import idempotent
from casework.web.rules import AUDITS, rule

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The tamper-evident record")


def _show_run(run) -> dict:
    findings = [as_dict(from_dict(f), language()) for f in json.loads(run.findings or "[]")]
    return {**{k: getattr(run, k) for k in ("id", "status", "cases_total", "cases_done", "ok", "checked",
                                             "created_at", "started_at", "finished_at")},
            "findings": findings, "first_bad": findings[0] if findings else None}


@blp.route("/verify", methods=["POST"])
@rule(AUDITS)
@idempotent
@blp.response(202, VerificationRunOut)
def start_verification():
    """Start verifying every case in your scope (and, for the whole tree, the admin log and the
    checkpoint log) as a background job; follow it with GET."""
    run = runs.start(session=db(), user=current_user())
    commit()
    return _show_run(run)


@blp.route("/verify", methods=["GET"])
@rule(AUDITS)
@blp.arguments(VerificationArgs, location="query")
@blp.response(200, VerificationRunOut)
def verification(args):
    """Your latest verification (or `?run=`): its progress, and when done `{ok, checked, first_bad, findings}`."""
    return _show_run(runs.latest(session=db(), user=current_user(), run_id=args.get("run")))


@blp.route("/checkpoints", methods=["GET"])
@rule(AUDITS)
@blp.response(200, CheckpointLog)
def checkpoint_log():
    """The signed checkpoint log and its public key: download both and keep them elsewhere."""
    key = checkpoints.public_key(key_path=runtime().settings.checkpoint_key_path)
    return {"public_key": key[0] if key else None, "key_id": key[1] if key else None,
            "items": checkpoints.log(session=db())}


@blp.route("/checkpoints/<id:seq>", methods=["GET"])
@rule(AUDITS)
@blp.response(200, CheckpointDetail)
def checkpoint(seq):
    """One checkpoint with the (case, event count, head) entries its root covers."""
    found, entries = checkpoints.entries_of(session=db(), seq=seq)
    return {**{c: getattr(found, c) for c in ("seq", "at", "entry_count", "root", "admin_seq", "admin_head",
                                                "prev_hash", "hash", "key_id", "signature")}, "entries": entries}


def _page(args: dict, filters: dict, read) -> dict:
    """Newest first, `limit` at a time, continued by a cursor bound to the filters and the reader."""
    bound_to = {**filters, "user": current_user().id}
    after = paging.decode(args.get("cursor"), bound_to)
    if after is not None and not (len(after) == 1 and isinstance(after[0], int)):
        raise BadRequest("bad_cursor")
    entries = read(session=db(), user=current_user(), limit=args["limit"] + 1,
                   before_id=after[0] if after else None, **filters)
    more = len(entries) > args["limit"]
    entries = entries[: args["limit"]]
    return {"items": entries, "next_cursor": paging.encode([entries[-1].id], bound_to) if more else None}


@blp.route("/admin-log", methods=["GET"])
@rule(AUDITS)
@blp.arguments(AdminLogArgs, location="query")
@blp.response(200, AdminLogPage)
def list_admin_log(args):
    """Who created units and users and granted or changed roles, newest first (filter by target)."""
    return _page(args, {"target_type": args.get("target_type"), "target_id": args.get("target_id")},
                 logs.admin_log_page)


@blp.route("/access-log", methods=["GET"])
@rule(AUDITS)
@blp.arguments(AccessLogArgs, location="query")
@blp.response(200, AccessLogPage)
def list_access_log(args):
    """Who signed in or failed to (with the address), and who took data out, newest first."""
    return _page(args, {"action": args.get("action"), "actor_id": args.get("actor_id")}, logs.access_log_page)
