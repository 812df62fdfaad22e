"""Where findings come from (问题来源): the list a finding's source is chosen from."""

from flask_smorest import Blueprint

from casework.cases import sources
from casework.cases.schemas import SourceIn, SourceList
from casework.errors import Forbidden
from casework.users.scope import can_see_everything
from casework.web.context import commit, current_user, db
from casework.web.idempotency import idempotent
from casework.web.rules import ADMIN, SIGNED_IN, rule

blp = Blueprint("sources", __name__, url_prefix="/api/v1/sources", description="Where findings come from (问题来源)")


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, SourceList)
def list_sources():
    """The sources a finding may name, in the order a form offers them."""
    return {"items": sources.every_source(session=db())}


@blp.route("", methods=["POST"])
@rule(ADMIN)
@idempotent
@blp.arguments(SourceIn)
@blp.response(201, SourceList)
def add_source(body):
    """Add a source to the list (the whole install's, so an admin over every unit adds it); 409 if
    it is already there."""
    if not can_see_everything(db(), current_user()):
        raise Forbidden("forbidden")
    sources.add(session=db(), name=body["name"], actor_id=current_user().id)
    commit()
    return {"items": sources.every_source(session=db())}
