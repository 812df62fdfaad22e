"""Findings in from a spreadsheet (/imports/findings): upload it, see every problem row by row — or,
when there is none, how many cases it opens and the first of them — before anything is written,
then commit. The API's importer (cases/findings_import.py), all or nothing."""

from __future__ import annotations

from flask import request

from casework.campaigns import service as campaigns
from casework.cases import findings_import
from casework.errors import CaseworkError, Unprocessable
from casework.tables import TableRefused
from casework.users.scope import units_in_scope
from casework.web.context import commit, current_user, db
from casework.web.pages import held_files
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import parse_id
from casework.web.pages.errors import said_plainly
from casework.web.pages.render import language, page
from casework.web.request_shape import takes_files
from casework.web.rules import WORKS_CASES, rule
from casework.web.rules import page as on_page

PREVIEW, COMMIT = "preview", "commit"


def _form_page(status: int = 200, **context):
    options = [(c.id, c.name) for c in campaigns.visible_list(session=db(), user=current_user())]
    return page("import_findings.html", status, active="imports", campaign_options=options, **context)


def _data(me) -> tuple[bytes, str]:
    """The file's bytes and its hash: uploaded now (and held for the commit), or held since the preview."""
    if request.form.get("step") == COMMIT:
        sha = request.form.get("sha256", "")
        return held_files.take(me.id, sha), sha
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Unprocessable("invalid_field", field="file", reason_code="page_file_missing")
    data = upload.stream.read(findings_import.LAYOUT.max_bytes + 1)
    return data, held_files.keep(me.id, data)


@bp.route("/imports/findings", methods=["GET", "POST"])
@rule(on_page(WORKS_CASES))
@takes_files
def findings_import_page():
    """The form; the row-by-row check of an uploaded list; the commit of one that passed."""
    if request.method == "GET":
        return _form_page(chosen=request.args.get("campaign_id", ""))
    me = current_user()
    chosen = request.form.get("campaign_id", "")
    step = request.form.get("step", PREVIEW)
    try:
        campaign = campaigns.visible(session=db(), user=me, campaign_id=parse_id(chosen.strip(), "campaign_id"))
        data, sha = _data(me)
        report = findings_import.import_findings(session=db(), actor=me, campaign=campaign, data=data,
                                                 commit=step == COMMIT)
        if step == COMMIT:
            commit()
            held_files.drop(me.id, sha)
    except TableRefused as refused:
        db().rollback()
        return _form_page(refused.status, chosen=chosen, problem=refused.message(language()),
                          problems=refused.public_details(language())["problems"])
    except CaseworkError as refused:
        db().rollback()
        return _form_page(refused.status, chosen=chosen, problem=said_plainly(refused))
    names = {u.id: u.name for u in units_in_scope(session=db(), user=me)}
    return page("import_findings_result.html", active="imports", campaign=campaign, report=report, sha=sha,
                unit_names=names, committed=report.committed)
