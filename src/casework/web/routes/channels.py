from flask_smorest import Blueprint

from casework import personal_data
from casework.channels import delivery, reading, service
from casework.channels.schemas import (
    ChannelCreate, ChannelList, ChannelOut, ChannelUpdate, DeliveryArgs, DeliveryList, TestOut,
)
from casework.errors import Forbidden
from casework.web.context import commit, current_user, db, runtime
from casework.web.idempotency import idempotent
from casework.web.rules import ADMIN, rule

blp = Blueprint("channels", __name__, url_prefix="/api/v1/channels",
                description="Where notifications go besides the inbox: e-mail, DingTalk and WeCom robots, webhooks")


def _key():
    return personal_data.load(runtime().settings.data_key_path)


def _one(channel) -> dict:
    return reading.summaries(session=db(), channels=[channel])[0]


def _managed(channel_id: int):
    channel = service.visible_channel(session=db(), viewer=current_user(), channel_id=channel_id)
    if not service.may_manage(session=db(), viewer=current_user(), channel=channel):
        raise Forbidden("forbidden")
    return channel


@blp.route("", methods=["GET"])
@rule(ADMIN)
@blp.response(200, ChannelList)
def list_channels():
    """The channels of units in your scope and of people holding a role there, with their last error."""
    channels = service.channels_in_scope(session=db(), viewer=current_user())
    return {"items": reading.summaries(session=db(), channels=channels), "next_cursor": None}


@blp.route("", methods=["POST"])
@rule(ADMIN)
@idempotent
@blp.arguments(ChannelCreate)
@blp.response(201, ChannelOut)
def create_channel(body):
    """Add a channel for a unit or a person you administer; its secret is never shown again."""
    channel = service.create(session=db(), key=_key(), actor=current_user(), kind=body["kind"], target=body["target"],
                             unit_id=body.get("unit_id"), user_id=body.get("user_id"), secret=body.get("secret"),
                             name=body.get("name"), private_ok=runtime().settings.channels_private)
    commit()
    return _one(channel)


@blp.route("/<id:channel_id>", methods=["GET"])
@rule(ADMIN)
@blp.response(200, ChannelOut)
def get_channel(channel_id):
    """One channel in your scope."""
    return _one(service.visible_channel(session=db(), viewer=current_user(), channel_id=channel_id))


@blp.route("/<id:channel_id>", methods=["PATCH"])
@rule(ADMIN)
@blp.arguments(ChannelUpdate)
@blp.response(200, ChannelOut)
def update_channel(body, channel_id):
    """Change the target, the secret (null removes it), the name, or stop and start sending to it."""
    channel = service.visible_channel(session=db(), viewer=current_user(), channel_id=channel_id)
    service.update(session=db(), key=_key(), channel=channel, actor=current_user(), target=body.get("target"),
                   secret=body["secret"] if "secret" in body else service.KEEP, name=body.get("name"),
                   enabled=body.get("enabled"), private_ok=runtime().settings.channels_private)
    commit()
    return _one(channel)


@blp.route("/<id:channel_id>", methods=["DELETE"])
@rule(ADMIN)
@blp.response(204)
def delete_channel(channel_id):
    """Remove a channel and its delivery history (the admin log keeps that it was removed)."""
    channel = service.visible_channel(session=db(), viewer=current_user(), channel_id=channel_id)
    service.delete(session=db(), channel=channel, actor=current_user())
    commit()


@blp.route("/<id:channel_id>/test", methods=["POST"])
@rule(ADMIN)
@blp.response(200, TestOut)
def test_channel(channel_id):
    """Send a test message now and report what the other end answered (`ok` false when it refused;
    429 while the channel's rate has no room)."""
    channel = _managed(channel_id)
    commit()  # no transaction stays open while the message is on the wire
    return delivery.run_test(runtime=runtime(), channel_id=channel.id)


@blp.route("/<id:channel_id>/deliveries", methods=["GET"])
@rule(ADMIN)
@blp.arguments(DeliveryArgs, location="query")
@blp.response(200, DeliveryList)
def list_deliveries(args, channel_id):
    """The channel's latest deliveries, newest first, with each attempt and what came back."""
    channel = service.visible_channel(session=db(), viewer=current_user(), channel_id=channel_id)
    return {"items": reading.deliveries_of(session=db(), channel=channel, limit=args["limit"])}
