"""Imports (/imports): what the reader may bring in — the work plan, the household register, a
findings spreadsheet — each previewed before anything is written; and the templates to fill in."""

from __future__ import annotations

import io

from flask import request, send_file

from casework.campaigns import service as campaigns
from casework.cases import findings_template
from casework.households import template as register_template
from casework.web.context import current_user, db
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import parse_id
from casework.web.pages.render import page
from casework.web.rules import IMPORTS, LEADS, WORKS_CASES, rule
from casework.web.rules import page as on_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/imports")
@rule(on_page(IMPORTS))
def imports():
    """The imports the reader's roles allow."""
    me = current_user()
    return page("imports.html", active="imports", plans=LEADS.check(me), registers=LEADS.check(me),
                findings=WORKS_CASES.check(me))


@bp.route("/imports/households/template.xlsx")
@rule(on_page(LEADS))
def register_template_file():
    """The register template, listing the villages and officers in the reader's scope."""
    content = register_template.build(session=db(), user=current_user())
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=register_template.FILENAME)


@bp.route("/imports/findings/template.xlsx")
@rule(on_page(WORKS_CASES))
def findings_template_file():
    """The findings template (with a campaign's items when `campaign_id` is given)."""
    chosen = request.args.get("campaign_id")
    campaign = campaigns.visible(session=db(), user=current_user(), campaign_id=parse_id(chosen, "campaign_id")) \
        if chosen else None
    content = findings_template.build(session=db(), user=current_user(), campaign=campaign)
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=findings_template.FILENAME)
