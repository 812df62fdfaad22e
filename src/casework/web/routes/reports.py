import dataclasses
import tempfile
from pathlib import Path

from flask import send_file
from flask_smorest import Blueprint

from casework.cases.queries import CaseFilters, today
from casework.reports import daily, ledger, stats, written
from casework.reports.schemas import ExportArgs, ReportArgs, StatsArgs, StatsOut
from casework.trail import access_log
from casework.users.scope import scope_names
from casework.web.context import client_address, commit, current_user, db, runtime
from casework.web.rules import SIGNED_IN, rule

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="The ledger (整改台账), the numbers, the reports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _scratch(suffix: str) -> Path:
    folder = runtime().settings.storage_dir / ".exports"
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=folder, suffix=suffix, delete=False)
    handle.close()
    return Path(handle.name)


def _send_and_forget(path: Path, mimetype: str, name: str):
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


def _ledger(args: dict, fmt: str):
    me = current_user()
    filters = CaseFilters(**{k: args.get(k) for k in ("state", "unit_id", "campaign_id", "assignee_id", "overdue", "q")})
    title = ledger.title_of(session=db(), campaign_id=args.get("campaign_id"), scope="、".join(scope_names(me)),
                            on=today(runtime().settings.tz))
    path = _scratch(f".{fmt}")
    source = ledger.rows(session=db(), user=me, filters=filters)
    if fmt == "xlsx":
        count = ledger.write_xlsx(source=source, path=path, title=title)
    else:
        with path.open("w", encoding="utf-8", newline="") as out:
            count = ledger.write_csv(source=source, out=out, title=title)
    access_log.record(session=db(), action=access_log.EXPORT_LEDGER, actor_id=me.id, address=client_address(),
                      detail={"format": fmt, "rows": count, "filters": {k: v for k, v in args.items() if v is not None}})
    commit()
    return _send_and_forget(path, XLSX if fmt == "xlsx" else "text/csv", f"整改台账-{today(runtime().settings.tz)}.{fmt}")


@blp.route("/exports/ledger.xlsx", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(ExportArgs, location="query")
@blp.response(200, description="the ledger as xlsx")
def ledger_xlsx(args):
    """The ledger (整改台账) of the cases in your scope, filtered like the case list, as Excel."""
    return _ledger(args, "xlsx")


@blp.route("/exports/ledger.csv", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(ExportArgs, location="query")
@blp.response(200, description="the ledger as CSV (UTF-8 with a BOM)")
def ledger_csv(args):
    """The ledger as CSV (UTF-8 with a BOM, so Excel opens it in Chinese)."""
    return _ledger(args, "csv")


@blp.route("/stats", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(StatsArgs, location="query")
@blp.response(200, StatsOut)
def get_stats(args):
    """Counts by state, unit and village; overdue now; the completion rate; days to verify; the
    items with most open cases; opened and closed per day for the last 60 days — in your scope."""
    return dataclasses.asdict(stats.compute(session=db(), user=current_user(), campaign_id=args.get("campaign_id")))


@blp.route("/reports/daily.pdf", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, description="one page in Chinese")
def daily_report(args):
    """The one-page daily report (整改日报) a township leader forwards to the county."""
    path = _scratch(".pdf")
    with path.open("wb") as out:
        on = daily.render(session=db(), user=current_user(), campaign_id=args["campaign_id"], out=out,
                          font=runtime().settings.pdf_font)
    access_log.record(session=db(), action=access_log.EXPORT_REPORT, actor_id=current_user().id,
                      address=client_address(), detail={"report": "daily", "campaign_id": args["campaign_id"]})
    commit()
    return _send_and_forget(path, "application/pdf", f"整改日报-{on}.pdf")


@blp.route("/reports/rectification.docx", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, description="a Word document to edit before it is sent")
def rectification_report(args):
    """The written report (整改情况报告) a township sends upward, as Word, to edit before sending."""
    path = _scratch(".docx")
    on = written.render(session=db(), user=current_user(), campaign_id=args["campaign_id"], path=path)
    access_log.record(session=db(), action=access_log.EXPORT_REPORT, actor_id=current_user().id,
                      address=client_address(), detail={"report": "rectification", "campaign_id": args["campaign_id"]})
    commit()
    return _send_and_forget(path, DOCX, f"整改情况报告-{on}.docx")
