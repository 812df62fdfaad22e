"""The work plan in (/imports/plan): upload it (Word or text) or paste it, see the items it would
create — each with the text it came from — and the warnings, correct the text and look again,
then commit. The API's importer (campaigns/plan_import.py): nothing is written before the commit,
and importing the same plan again changes nothing."""

from __future__ import annotations

from flask import request

from casework.campaigns import plan_import as plans
from casework.campaigns import service as campaigns
from casework.errors import CaseworkError, Forbidden, Unprocessable
from casework.i18n import translate
from casework.web.context import commit, current_user, db
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import parse_id
from casework.web.pages.errors import said_plainly
from casework.web.pages.render import language, page, t
from casework.web.request_shape import takes_files
from casework.web.routes.campaigns import PLAN_FILE_MAX
from casework.web.rules import LEADS, rule
from casework.web.rules import page as on_page

PREVIEW, COMMIT = "preview", "commit"
TEXT_MAX = 2_000_000  # as the API's PlanIn
# What each of an item's fields is called on the page, when the plan differs from the item on file.
FIELD_LABELS = {"title": "page_import_field_title", "what_to_inspect": "page_import_inspect",
                "rectification_measure": "page_import_measure", "responsible": "page_import_parties",
                "default_deadline": "page_deadline", "area": "page_import_field_area"}


def _led(me) -> list:
    """The campaigns whose items the reader sets up (leaders, or admins, of the leading unit)."""
    led = []
    for campaign in campaigns.visible_list(session=db(), user=me):
        try:
            campaigns.require_lead(session=db(), user=me, campaign=campaign)
            led.append(campaign)
        except Forbidden:
            continue
    return led


def _form_page(status: int = 200, **context):
    return page("import_plan.html", status, active="imports",
                campaign_options=[(c.id, c.name) for c in _led(current_user())], **context)


def _text() -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return plans.read_plan_file(upload.stream, limit=PLAN_FILE_MAX)
    text = request.form.get("text", "")
    if not text.strip():
        raise Unprocessable("invalid_field", field="text", reason_code="page_plan_missing")
    if len(text) > TEXT_MAX:
        raise Unprocessable("invalid_field", field="text", reason_code="text_too_long", max=TEXT_MAX)
    return text


@bp.route("/imports/plan", methods=["GET", "POST"])
@rule(on_page(LEADS))
@takes_files
def plan_import():
    """The form; its preview (the items and warnings, the text to correct); and the commit."""
    if request.method == "GET":
        return _form_page(chosen=request.args.get("campaign_id", ""))
    me = current_user()
    step = request.form.get("step", PREVIEW)
    chosen = request.form.get("campaign_id", "")
    try:
        campaign = campaigns.visible(session=db(), user=me, campaign_id=parse_id(chosen.strip(), "campaign_id"))
        campaigns.require_lead(session=db(), user=me, campaign=campaign)
        text = _text()
        result = plans.import_plan(session=db(), campaign=campaign, text=text, commit=step == COMMIT)
        if step == COMMIT:
            commit()
    except CaseworkError as refused:
        db().rollback()
        return _form_page(refused.status, chosen=chosen, problem=said_plainly(refused),
                          text=request.form.get("text", ""))
    counts = {action: sum(item.action == action for item in result.items)
              for action in (plans.CREATE, plans.UPDATE, plans.UNCHANGED, plans.KEPT)}
    warnings = [{"message": translate(w.code, language(), w.details), "source": w.source} for w in result.warnings]
    return page("import_plan_result.html", active="imports", campaign=campaign, result=result, counts=counts,
                warnings=warnings, text=text, committed=result.committed,
                field_labels={name: t(code) for name, code in FIELD_LABELS.items()})
