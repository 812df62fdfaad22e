from flask_smorest import Blueprint

from casework.campaigns import service
from casework.campaigns.schemas import CampaignCreate, CampaignList, CampaignOut, ItemCreate, ItemList, ItemOut
from casework.users.scope import visible_unit
from casework.web.context import commit, current_user, db, runtime
from casework.web.idempotency import idempotent
from casework.web.rules import LEADS, SIGNED_IN, rule

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1/campaigns", description="Campaigns and inspection items")


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
