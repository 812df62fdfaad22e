"""Files to take away from the pages — the ledger, the daily report, a case's closure pack — built as
the API builds them (web/downloads.py), in the reader's scope and on the access log."""

from __future__ import annotations

from flask import request
from marshmallow import ValidationError

from casework.errors import Unprocessable
from casework.evidence.schemas import PackArgs
from casework.reports.schemas import ExportArgs, ReportArgs
from casework.web import downloads
from casework.web.pages.blueprint import bp
from casework.web.pages.render import page
from casework.web.rules import SIGNED_IN, rule
from casework.web.rules import page as on_page

LEDGER_FORMATS = ("xlsx", "csv")


def _args(schema, values) -> dict:
    try:
        return schema.load(values)
    except ValidationError as invalid:
        field = next(iter(invalid.messages), "query")
        raise Unprocessable("invalid_field", field=field, reason_code="page_bad_value") from None


@bp.route("/exports/ledger")
@rule(on_page(SIGNED_IN))
def ledger_file():
    """The ledger (整改台账) of the reader's cases, filtered like the case list (`format`: xlsx or csv)."""
    fmt = request.args.get("format", "xlsx")
    if fmt not in LEDGER_FORMATS:
        raise Unprocessable("invalid_field", field="format", reason_code="page_bad_value")
    args = _args(ExportArgs(), {k: v for k, v in request.args.items() if k != "format" and v.strip()})
    return downloads.ledger_file(args, fmt)


@bp.route("/reports/daily")
@rule(on_page(SIGNED_IN))
def daily_report_file():
    """A campaign's one-page daily report (整改日报) as PDF."""
    args = _args(ReportArgs(), {k: v for k, v in request.args.items() if v.strip()})
    return downloads.daily_report_file(args["campaign_id"])


@bp.route("/cases/<id:case_id>/closure-pack")
@rule(on_page(SIGNED_IN))
def closure_pack_file(case_id):
    """A verified case's closure pack (整改销号材料), PDF or `format=zip`; a page saying it is being
    made while the worker builds it."""
    args = _args(PackArgs(), {k: v for k, v in request.args.items() if v.strip()})
    sent = downloads.closure_pack_file(case_id, args["format"])
    if sent is None:
        response = page("pack_building.html", 202, case_id=case_id)
        response.headers["Retry-After"] = "5"
        return response
    return sent
