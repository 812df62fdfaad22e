"""The files people take away — the ledger, the daily report, a closure pack — sent the same way
to the API (bearer token) and the pages (session cookie): built in the caller's scope, written to
the access log, sent as an attachment."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import send_file

from casework.cases.permissions import visible_case
from casework.cases.queries import CaseFilters, today
from casework.closure import service as closure
from casework.reports import daily, ledger
from casework.trail import access_log
from casework.users.scope import scope_names
from casework.web.context import client_address, commit, current_user, db, runtime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEDGER_FILTERS = ("state", "unit_id", "campaign_id", "assignee_id", "overdue", "q")
PACK_FORMATS = {"pdf": ("pdf_sha256", "application/pdf"), "zip": ("zip_sha256", "application/zip")}


def scratch(suffix: str) -> Path:
    """A file to build a download in, beside the evidence (removed once sent)."""
    folder = runtime().settings.storage_dir / ".exports"
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=folder, suffix=suffix, delete=False)
    handle.close()
    return Path(handle.name)


def send_and_forget(path: Path, mimetype: str, name: str):
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


def ledger_file(args: dict, fmt: str):
    """The ledger of the caller's cases, filtered like the case list, as xlsx or csv."""
    me = current_user()
    filters = CaseFilters(**{k: args.get(k) for k in LEDGER_FILTERS})
    title = ledger.title_of(session=db(), campaign_id=args.get("campaign_id"), scope="、".join(scope_names(me)),
                            on=today(runtime().settings.tz))
    path = scratch(f".{fmt}")
    source = ledger.rows(session=db(), user=me, filters=filters)
    if fmt == "xlsx":
        count = ledger.write_xlsx(source=source, path=path, title=title)
    else:
        with path.open("w", encoding="utf-8", newline="") as out:
            count = ledger.write_csv(source=source, out=out, title=title)
    access_log.record(session=db(), action=access_log.EXPORT_LEDGER, actor_id=me.id, address=client_address(),
                      detail={"format": fmt, "rows": count, "filters": {k: v for k, v in args.items() if v is not None}})
    commit()
    return send_and_forget(path, XLSX if fmt == "xlsx" else "text/csv", f"整改台账-{today(runtime().settings.tz)}.{fmt}")


def daily_report_file(campaign_id: int):
    """The one-page daily report (整改日报) of a campaign, in the caller's scope."""
    path = scratch(".pdf")
    with path.open("wb") as out:
        on = daily.render(session=db(), user=current_user(), campaign_id=campaign_id, out=out,
                          font=runtime().settings.pdf_font)
    access_log.record(session=db(), action=access_log.EXPORT_REPORT, actor_id=current_user().id,
                      address=client_address(), detail={"report": "daily", "campaign_id": campaign_id})
    commit()
    return send_and_forget(path, "application/pdf", f"整改日报-{on}.pdf")


def closure_pack_file(case_id: int, fmt: str):
    """The case's closure pack as an attachment, or None while it is being built. Not found while
    the case is open, was dismissed, or lies outside the caller's scope."""
    case, _unit = visible_case(session=db(), case_id=case_id, user=current_user())
    pack = closure.latest(session=db(), case=case)
    if pack is None or pack.status != "ready":
        return None
    column, mimetype = PACK_FORMATS[fmt]
    sha = getattr(pack, column)
    access_log.record(session=db(), action=access_log.CLOSURE_PACK, actor_id=current_user().id,
                      address=client_address(), target_type="case", target_id=case.id,
                      detail={"format": fmt, "sha256": sha, "closing_seq": pack.closing_seq})
    commit()
    response = send_file(runtime().storage.open(sha), mimetype=mimetype, as_attachment=True,
                         download_name=f"整改销号材料-{case.number}.{fmt}", etag=sha, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
