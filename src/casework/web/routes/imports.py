"""Findings in from a spreadsheet (问题清单): a dry run first, then all rows or none."""

import hashlib
import io

from flask import request, send_file
from flask_smorest import Blueprint, abort

from casework.campaigns import service as campaigns
from casework.cases import findings_import, findings_template
from casework.cases.schemas import FindingsImportOut, TemplateArgs
from casework.limits import MAX_ID
from casework.web.context import commit, current_user, db
from casework.web.idempotency import idempotent, uploaded_file_sha256
from casework.web.request_shape import takes_files
from casework.web.rules import WORKS_CASES, rule

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports", description="Findings in from spreadsheets")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_fingerprint() -> str:
    """For an uploaded file, "the same request" is the same file, campaign and commit flag."""
    return hashlib.sha256(f"{uploaded_file_sha256()}:{request.form.get('campaign_id')}:{request.form.get('commit')}"
                          .encode()).hexdigest()


def _form_id(name: str) -> int:
    raw = request.form.get(name, "")
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID):
        abort(422, messages={"form": {name: ["not_an_id"]}})
    return int(raw)


@blp.route("/cases", methods=["POST"])
@rule(WORKS_CASES)
@takes_files
@idempotent(fingerprint=file_fingerprint)
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
    "file": {"type": "string", "format": "binary", "description": "xlsx or csv (UTF-8 or GBK), at most 50 MB"},
    "campaign_id": {"type": "integer"}, "commit": {"type": "boolean", "default": False}}}}}})
@blp.response(200, FindingsImportOut)
def import_cases():
    """Findings from a spreadsheet (问题清单), all or nothing: a dry run (the default) gives the
    report and what would be created; `commit=true` opens a case for each row. A refusal is a 422
    whose details list `{row, column, message}`."""
    campaign = campaigns.visible(session=db(), user=current_user(), campaign_id=_form_id("campaign_id"))
    upload = request.files.get("file")
    if upload is None:
        abort(422, messages={"files": {"file": ["v_required"]}})
    do_commit = request.form.get("commit") in ("true", "1")
    report = findings_import.import_findings(session=db(), actor=current_user(), campaign=campaign,
                                             data=upload.stream.read(findings_import.LAYOUT.max_bytes + 1),
                                             commit=do_commit)
    if do_commit:
        commit()
    return report


@blp.route("/cases/template.xlsx", methods=["GET"])
@rule(WORKS_CASES)
@blp.arguments(TemplateArgs, location="query")
@blp.response(200, description="the findings template")
def cases_template(args):
    """The findings template: the headers in order (* marks the required ones), a sheet explaining
    each with an example, the units in your scope and, with `campaign_id`, the campaign's items."""
    campaign = campaigns.visible(session=db(), user=current_user(), campaign_id=args["campaign_id"]) if (
        "campaign_id" in args) else None
    data = findings_template.build(session=db(), user=current_user(), campaign=campaign)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=findings_template.FILENAME)
