"""Administration: notification channels (/admin/channels) — each with where it sends (keys
masked), whether sending works, its last error and what waits; a form to add one for a unit the
admin holds; and a test button that shows what the other end answered. The API's services and
checks, the same admin log."""

from __future__ import annotations

from flask import redirect, request, url_for
from marshmallow import ValidationError

from casework import personal_data
from casework.channels import delivery, reading, service
from casework.channels.kinds import KIND_LABELS, KINDS
from casework.channels.schemas import ChannelCreate
from casework.errors import CaseworkError, Forbidden
from casework.users.scope import is_admin_over, units_in_scope
from casework.web.context import commit, current_user, db, runtime
from casework.web.pages.blueprint import bp
from casework.web.pages.errors import said_plainly
from casework.web.pages.forms import field_messages, load
from casework.web.pages.render import page
from casework.web.request_shape import takes_files
from casework.web.rules import ADMIN, rule
from casework.web.rules import page as on_page

FIELDS = ("kind", "unit_id", "target", "secret", "name")


def _tested(channels) -> dict | None:
    """The test just sent (`?tested=<delivery id>&channel=<id>`), if it was one of these channels'."""
    delivery_id, channel_id = request.args.get("tested", ""), request.args.get("channel", "")
    if not (delivery_id.isdigit() and channel_id.isdigit()):
        return None
    channel = next((c for c in channels if c.id == int(channel_id)), None)
    if channel is None:
        return None
    attempt = reading.test_answer(session=db(), channel=channel, delivery_id=int(delivery_id))
    return None if attempt is None else {"channel": channel, "attempt": attempt}


def _channels_page(status: int = 200, **context):
    me = current_user()
    channels = service.channels_in_scope(session=db(), viewer=me)
    owners = [(u.id, u.name) for u in units_in_scope(session=db(), user=me) if is_admin_over(me, u)]
    return page("admin_channels.html", status, active_admin="channels",
                rows=reading.summaries(session=db(), channels=channels), kinds=[(k, KIND_LABELS[k]) for k in KINDS],
                kind_labels=KIND_LABELS, owners=owners, tested=_tested(channels), **context)


@bp.route("/admin/channels")
@rule(on_page(ADMIN))
def admin_channels():
    """The channels of the units in the admin's scope and their people, newest problems visible."""
    return _channels_page(done=request.args.get("done"))


@bp.route("/admin/channels", methods=["POST"])
@rule(on_page(ADMIN))
@takes_files
def admin_channel_create():
    """Add a channel for a unit the admin holds (a person's own channel: the API or the CLI)."""
    try:
        body = load(ChannelCreate(), FIELDS)
        channel = service.create(session=db(), key=personal_data.load(runtime().settings.data_key_path),
                                 actor=current_user(), kind=body["kind"], target=body["target"],
                                 unit_id=body.get("unit_id"), secret=body.get("secret"), name=body.get("name"),
                                 private_ok=runtime().settings.channels_private)
        commit()
    except ValidationError as invalid:
        return _channels_page(422, create_errors=field_messages(invalid), typed=_typed())
    except CaseworkError as refused:
        db().rollback()
        return _channels_page(refused.status, problem=said_plainly(refused), typed=_typed())
    return redirect(url_for(".admin_channels", done=channel.id) + f"#channel-{channel.id}", 303)


def _typed() -> dict:
    """The form as typed, to fill it in again — never the secret."""
    return {name: request.form.get(name, "") for name in FIELDS if name != "secret"}


@bp.route("/admin/channels/<id:channel_id>/test", methods=["POST"])
@rule(on_page(ADMIN))
@takes_files
def admin_channel_test(channel_id):
    """Send a test message now; the page then shows what the other end answered."""
    try:
        channel = service.visible_channel(session=db(), viewer=current_user(), channel_id=channel_id)
        if not service.may_manage(session=db(), viewer=current_user(), channel=channel):
            raise Forbidden("forbidden")
        commit()  # no transaction stays open while the message is on the wire
        result = delivery.run_test(runtime=runtime(), channel_id=channel.id)
    except CaseworkError as refused:
        db().rollback()
        if refused.status == 404:
            raise
        return _channels_page(refused.status, problem=said_plainly(refused))
    return redirect(url_for(".admin_channels", tested=result.delivery_id, channel=channel_id) +
                    f"#channel-{channel_id}", 303)
