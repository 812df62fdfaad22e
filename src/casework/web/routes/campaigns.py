import hashlib

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import ValidationError

from casework.campaigns import plan_import as plans
from casework.campaigns import service
from casework.campaigns.schemas import (
    CampaignCreate, CampaignList, CampaignOut, ItemCreate, ItemList, ItemOut, ItemUpdate, PlanIn, PlanOut,
)
from casework.i18n import translate
from casework.web.errors import language
from casework.web.request_shape import takes_files
from casework.users.scope import visible_unit
from casework.web.context import commit, current_user, db, runtime
from casework.web.idempotency import body_fingerprint, idempotent
from casework.web.rules import LEADS, SIGNED_IN, rule

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1/campaigns", description="Campaigns and inspection items")

PLAN_FILE_MAX = 5 * 1024 * 1024  # a plan in Word runs to tens of kilobytes; photos pasted in, a few MB


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, CampaignList)
def list_campaigns():
    """The campaigns you take part in."""
    return {"items": service.visible_list(session=db(), user=current_user()), "next_cursor": None}


@blp.route("", methods=["POST"])
@rule(LEADS)
@idempotent
@blp.arguments(CampaignCreate)
@blp.response(201, CampaignOut)
def create_campaign(body):
    """Open a campaign led by a unit where you are a leader (or admin)."""
    leader_unit = visible_unit(session=db(), user=current_user(), unit_id=body["leader_unit_id"])
    campaign = service.create(session=db(), name=body["name"], code=body["code"], starts_on=body["starts_on"],
                              ends_on=body.get("ends_on"), leader_unit=leader_unit,
                              timezone=runtime().settings.timezone, actor=current_user())
    commit()
    return campaign


@blp.route("/<id:campaign_id>", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, CampaignOut)
def get_campaign(campaign_id):
    """One campaign."""
    return service.visible(session=db(), user=current_user(), campaign_id=campaign_id)


@blp.route("/<id:campaign_id>/items", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, ItemList)
def list_items(campaign_id):
    """The campaign's inspection items (排查项), in plan order."""
    campaign = service.visible(session=db(), user=current_user(), campaign_id=campaign_id)
    return {"items": service.items(session=db(), campaign=campaign), "next_cursor": None}


@blp.route("/<id:campaign_id>/items", methods=["POST"])
@rule(LEADS)
@idempotent
@blp.arguments(ItemCreate)
@blp.response(201, ItemOut)
def create_item(body, campaign_id):
    """Add an inspection item (leaders of the campaign's leading unit)."""
    campaign = service.visible(session=db(), user=current_user(), campaign_id=campaign_id)
    service.require_lead(session=db(), user=current_user(), campaign=campaign)
    item = service.add_item(session=db(), campaign=campaign, title=body["title"], code=body.get("code"),
                            what_to_inspect=body.get("what_to_inspect", ""),
                            rectification_measure=body.get("rectification_measure", ""),
                            responsible=body.get("responsible", []),
                            default_deadline=body.get("default_deadline"),
                            workflow_key=body.get("workflow_key"))
    commit()
    return item


def _plan_text() -> tuple[str, bool]:
    """The plan's text and whether to commit: from a multipart `file` (docx or text), or JSON."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(422, messages={"files": {"file": ["v_required"]}})
        return plans.read_plan_file(upload.stream, limit=PLAN_FILE_MAX), request.form.get("commit") in ("true", "1")
    try:
        body = PlanIn().load(request.get_json(silent=True) or {})
    except ValidationError as refused:
        abort(422, messages={"json": refused.messages})
    return body["text"], body["commit"]


def plan_fingerprint() -> str:
    """For a plan file, "the same request" is the same file and the same commit flag."""
    if request.mimetype != "multipart/form-data":
        return body_fingerprint()
    upload = request.files.get("file")
    sha = hashlib.sha256(upload.stream.read() if upload else b"")
    if upload:
        upload.stream.seek(0)
    return hashlib.sha256(f"{sha.hexdigest()}:{request.form.get('commit')}".encode()).hexdigest()


@blp.route("/<id:campaign_id>/plan", methods=["POST"])
@rule(LEADS)
@takes_files(or_json=True)
@idempotent(fingerprint=plan_fingerprint)
@blp.doc(requestBody={"content": {
    "application/json": {"schema": PlanIn},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary", "description": ".docx or .txt, at most 5 MB"},
        "commit": {"type": "boolean"}}}}}})
@blp.response(200, PlanOut)
def import_plan(campaign_id):
    """Read a work plan into the campaign's inspection items: a preview of what it would create,
    with each item's source text and the warnings, or (`commit`) do it. Importing the same plan
    again changes nothing; an item a leader edited since is kept, its differences listed."""
    campaign = service.visible(session=db(), user=current_user(), campaign_id=campaign_id)
    service.require_lead(session=db(), user=current_user(), campaign=campaign)
    text, do_commit = _plan_text()
    result = plans.import_plan(session=db(), campaign=campaign, text=text, commit=do_commit)
    if do_commit:
        commit()
    return {"committed": result.committed, "items": result.items,
            "warnings": [{"code": w.code, "message": translate(w.code, language(), w.details), "details": w.details,
                          "source": w.source} for w in result.warnings]}


@blp.route("/<id:campaign_id>/items/<id:item_id>", methods=["PATCH"])
@rule(LEADS)
@blp.arguments(ItemUpdate)
@blp.response(200, ItemOut)
def update_item(body, campaign_id, item_id):
    """Correct an item (title, what to inspect, measure, parties, deadline, workflow); a later
    plan import keeps the correction."""
    campaign = service.visible(session=db(), user=current_user(), campaign_id=campaign_id)
    service.require_lead(session=db(), user=current_user(), campaign=campaign)
    item = service.get_item(session=db(), campaign_id=campaign.id, item_id=item_id)
    service.update_item(session=db(), item=item, changes=body)
    commit()
    return item
