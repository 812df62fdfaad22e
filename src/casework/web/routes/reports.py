import dataclasses

from flask_smorest import Blueprint

from casework.reports import stats, written
from casework.reports.schemas import ExportArgs, ReportArgs, StatsArgs, StatsOut
from casework.trail import access_log
from casework.web import downloads
from casework.web.context import client_address, commit, current_user, db
from casework.web.rules import SIGNED_IN, rule

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="The ledger (整改台账), the numbers, the reports")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@blp.route("/exports/ledger.xlsx", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(ExportArgs, location="query")
@blp.response(200, description="the ledger as xlsx")
def ledger_xlsx(args):
    """The ledger (整改台账) of the cases in your scope, filtered like the case list, as Excel."""
    return downloads.ledger_file(args, "xlsx")


@blp.route("/exports/ledger.csv", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(ExportArgs, location="query")
@blp.response(200, description="the ledger as CSV (UTF-8 with a BOM)")
def ledger_csv(args):
    """The ledger as CSV (UTF-8 with a BOM, so Excel opens it in Chinese)."""
    return downloads.ledger_file(args, "csv")


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
    return downloads.daily_report_file(args["campaign_id"])


@blp.route("/reports/rectification.docx", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, description="a Word document to edit before it is sent")
def rectification_report(args):
    """The written report (整改情况报告) a township sends upward, as Word, to edit before sending."""
    path = downloads.scratch(".docx")
    on = written.render(session=db(), user=current_user(), campaign_id=args["campaign_id"], path=path)
    access_log.record(session=db(), action=access_log.EXPORT_REPORT, actor_id=current_user().id,
                      address=client_address(), detail={"report": "rectification", "campaign_id": args["campaign_id"]})
    commit()
    return downloads.send_and_forget(path, DOCX, f"整改情况报告-{on}.docx")
