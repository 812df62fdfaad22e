from flask_smorest import Blueprint
from sqlalchemy import or_, select

from casework.campaigns import service
from casework.campaigns.models import Campaign, InspectionItem
from casework.campaigns.schemas import CampaignCreate, CampaignList, CampaignOut, ItemCreate, ItemList, ItemOut
from casework.errors import Forbidden, NotFound
from casework.units.models import Unit
from casework.vocabulary import Role
from casework.users.scope import ancestor_paths, can_see, has_role, unit_filter
from casework.web.context import commit, current_user, db, runtime
from casework.web.idempotency import idempotent
from casework.web.routes.units import visible_unit
from casework.web.rules import LEADS, SIGNED_IN, rule

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1/campaigns", description="Campaigns and inspection items")


def _visible_filter():
    # A campaign is visible to those whose scope covers its leading unit, and to everyone working
    # below that unit (a village sees its township's campaign).
    me = current_user()
    return or_(unit_filter(me), Unit.path.in_(ancestor_paths(me)))


def visible_campaign(campaign_id: int) -> Campaign:
    campaign = db().get(Campaign, campaign_id)
    leader = db().get(Unit, campaign.leader_unit_id) if campaign else None
    if leader is None or not (can_see(current_user(), leader) or leader.path in ancestor_paths(current_user())):
        raise NotFound("campaign_not_found", ref=campaign_id)
    return campaign


def _require_lead(unit: Unit) -> None:
    """Campaigns and their items are set up by the leading unit's leaders (or its admins)."""
    me = current_user()
    if not (has_role(me, unit, Role.LEADER.value) or has_role(me, unit, Role.ADMIN.value)):
        raise Forbidden("forbidden")


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, CampaignList)
def list_campaigns():
    """The campaigns you take part in."""
    query = (select(Campaign).join(Unit, Unit.id == Campaign.leader_unit_id)
             .where(_visible_filter()).order_by(Campaign.starts_on.desc(), Campaign.id.desc()))
    return {"items": db().scalars(query).all(), "next_cursor": None}


@blp.route("", methods=["POST"])
@rule(LEADS)
@idempotent
@blp.arguments(CampaignCreate)
@blp.response(201, CampaignOut)
def create_campaign(body):
    """Open a campaign led by a unit where you are a leader (or admin)."""
    leader_unit = visible_unit(body["leader_unit_id"])
    _require_lead(leader_unit)
    campaign = service.create(session=db(), name=body["name"], code=body["code"], starts_on=body["starts_on"],
                              ends_on=body.get("ends_on"), leader_unit=leader_unit,
                              timezone=runtime().settings.timezone)
    commit()
    return campaign


@blp.route("/<id:campaign_id>", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, CampaignOut)
def get_campaign(campaign_id):
    """One campaign."""
    return visible_campaign(campaign_id)


@blp.route("/<id:campaign_id>/items", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, ItemList)
def list_items(campaign_id):
    """The campaign's inspection items (排查项), in plan order."""
    campaign = visible_campaign(campaign_id)
    items = db().scalars(select(InspectionItem).where(InspectionItem.campaign_id == campaign.id)
                         .order_by(InspectionItem.position, InspectionItem.id)).all()
    return {"items": items, "next_cursor": None}


@blp.route("/<id:campaign_id>/items", methods=["POST"])
@rule(LEADS)
@idempotent
@blp.arguments(ItemCreate)
@blp.response(201, ItemOut)
def create_item(body, campaign_id):
    """Add an inspection item (leaders of the campaign's leading unit)."""
    campaign = visible_campaign(campaign_id)
    _require_lead(db().get(Unit, campaign.leader_unit_id))
    if body.get("workflow_key"):
        from casework.workflows import registry

        if body["workflow_key"] not in registry.current(session=db()):
            raise NotFound("workflow_not_found", ref=body["workflow_key"])
    count = db().scalars(select(InspectionItem.id).where(InspectionItem.campaign_id == campaign.id)).all()
    item = service.add_item(session=db(), campaign=campaign, title=body["title"], code=body.get("code"),
                            what_to_inspect=body.get("what_to_inspect", ""),
                            rectification_measure=body.get("rectification_measure", ""),
                            responsible=body.get("responsible", []),
                            default_deadline=body.get("default_deadline"),
                            workflow_key=body.get("workflow_key"), position=len(count))
    commit()
    return item
