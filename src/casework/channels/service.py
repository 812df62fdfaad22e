"""Channels as configuration: who may see and change which, and keeping their keys sealed.

A channel belongs to a unit (its group robot or shared mailbox: it hears what that unit's people
are told) or to one person (their own address). Admins manage the channels of the units they
administer and of the people all of whose roles lie there, as with users; anything else is not
found. Every change goes to the admin log under the unit or person it belongs to — with the
target as lists show it, never the key or the secret.

Targets and secrets are sealed with the data key (`casework.personal_data`, a file outside the
database), bound to the channel's id and to what they are, so a sealed value copied into another
row or column does not open there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.channels import targets
from casework.channels.kinds import KIND_LABELS, KINDS
from casework.channels.models import Channel
from casework.db import utcnow
from casework.errors import Forbidden, NotFound, Unprocessable
from casework.personal_data import DataKey
from casework.trail import admin_log
from casework.units.models import Unit
from casework.users.models import Membership, User
from casework.users.scope import can_see, is_admin_over, unit_filter, visible_unit, visible_user

SECRET_MAX = 200
# "Leave the secret as it is" (a PATCH without `secret`), apart from None, which clears it.
KEEP = object()


@dataclass(frozen=True)
class Opened:
    """A channel's target and secret in the clear, for the moment of sending; never logged."""

    kind: str
    target: str
    secret: str | None


def _context(channel_id: int, what: str) -> str:
    return f"channel.{channel_id}.{what}"


def opened(*, key: DataKey, channel: Channel) -> Opened:
    """What a send needs: the target and secret, unsealed."""
    secret = key.decrypt(channel.secret_sealed, context=_context(channel.id, "secret")) if channel.secret_sealed else None
    return Opened(channel.kind, key.decrypt(channel.target_sealed, context=_context(channel.id, "target")), secret)


def _owner(channel: Channel) -> tuple[str, int]:
    return ("unit", channel.unit_id) if channel.unit_id is not None else ("user", channel.user_id)


def _log(session: Session, channel: Channel, action: str, actor_id: int | None, **extra) -> None:
    target_type, target_id = _owner(channel)
    admin_log.record(session=session, actor_id=actor_id, action=action, target_type=target_type, target_id=target_id,
                     payload={"channel_id": channel.id, "kind": channel.kind, "name": channel.name,
                              "target": channel.target_shown, **extra})


def _admin_over_user(viewer: User, user: User) -> bool:
    return bool(user.memberships) and all(is_admin_over(viewer, m.unit) for m in user.memberships)


def may_manage(*, session: Session, viewer: User | None, channel: Channel) -> bool:
    """Whether `viewer` (None: an operator at the command line) may change or test the channel."""
    if viewer is None:
        return True
    if channel.unit_id is not None:
        return is_admin_over(viewer, session.get(Unit, channel.unit_id))
    return _admin_over_user(viewer, session.get(User, channel.user_id))


def visible_channel(*, session: Session, viewer: User | None, channel_id: int) -> Channel:
    """The channel if its unit, or its person, lies in the viewer's scope; not found otherwise."""
    channel = session.get(Channel, channel_id)
    if channel is not None and viewer is not None:
        if channel.unit_id is not None:
            seen = can_see(viewer, session.get(Unit, channel.unit_id))
        else:
            owner = session.get(User, channel.user_id)
            seen = owner.id == viewer.id or any(can_see(viewer, m.unit) for m in owner.memberships)
        channel = channel if seen else None
    if channel is None:
        raise NotFound("channel_not_found", ref=channel_id)
    return channel


def channels_in_scope(*, session: Session, viewer: User | None) -> list[Channel]:
    """The channels of units in the viewer's scope and of people holding a role there, by id."""
    query = select(Channel).order_by(Channel.id)
    if viewer is not None:
        units = select(Unit.id).where(unit_filter(viewer))
        people = select(Membership.user_id).join(Unit, Unit.id == Membership.unit_id).where(unit_filter(viewer))
        query = query.where(or_(Channel.unit_id.in_(units), Channel.user_id.in_(people)))
    return list(session.scalars(query))


def owner_names(*, session: Session, channels: list[Channel]) -> dict[int, str]:
    """Channel id → the unit's or the person's name, as people read it."""
    unit_ids = {c.unit_id for c in channels if c.unit_id is not None}
    user_ids = {c.user_id for c in channels if c.user_id is not None}
    units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()) if unit_ids else {}
    users = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    return {c.id: units.get(c.unit_id, "") if c.unit_id is not None else users.get(c.user_id, "") for c in channels}


def _secret(value: str) -> str:
    if not value or len(value) > SECRET_MAX or not value.isprintable():
        raise Unprocessable("invalid_field", field="secret", reason_code="channel_secret_invalid", max=SECRET_MAX)
    return value


def _seal_target(key: DataKey, channel: Channel, target: str) -> None:
    channel.target_sealed = key.encrypt(target, context=_context(channel.id, "target"))
    channel.target_shown = targets.shown(channel.kind, target)


def create(*, session: Session, key: DataKey, actor: User | None, kind: str, target: str,
           unit_id: int | None = None, user_id: int | None = None, secret: str | None = None,
           name: str | None = None, private_ok: bool = False) -> Channel:
    """A new channel for a unit or a person the actor administers (an operator: any)."""
    if kind not in KINDS:
        raise Unprocessable("invalid_field", field="kind", reason_code="channel_kind_unknown", kinds=", ".join(KINDS))
    if (unit_id is None) == (user_id is None):
        raise Unprocessable("invalid_field", field="unit_id", reason_code="channel_owner_one")
    target = targets.normalise(kind, target, private_ok=private_ok)
    secret = _secret(secret) if secret else None
    if unit_id is not None:
        owner = visible_unit(session=session, user=actor, unit_id=unit_id) if actor else session.get(Unit, unit_id)
        if owner is None:
            raise NotFound("unit_not_found", ref=unit_id)
        if actor is not None and not is_admin_over(actor, owner):
            raise Forbidden("forbidden")
        owner_name = owner.name
    else:
        person = visible_user(session=session, viewer=actor, user_id=user_id) if actor else session.get(User, user_id)
        if person is None:
            raise NotFound("user_not_found", ref=user_id)
        if actor is not None and not _admin_over_user(actor, person):
            raise Forbidden("forbidden")
        owner_name = person.display_name
    channel = Channel(kind=kind, unit_id=unit_id, user_id=user_id, name=name or f"{owner_name}{KIND_LABELS[kind]}",
                      target_shown="", target_sealed="", created_by=actor.id if actor else None)
    session.add(channel)
    session.flush()  # the id the sealed values are bound to
    _seal_target(key, channel, target)
    if secret:
        channel.secret_sealed = key.encrypt(secret, context=_context(channel.id, "secret"))
    session.flush()
    _log(session, channel, "channel.create", actor.id if actor else None, secret=bool(secret))
    return channel


def update(*, session: Session, key: DataKey, channel: Channel, actor: User | None, target: str | None = None,
           secret=KEEP, name: str | None = None, enabled: bool | None = None, private_ok: bool = False) -> Channel:
    """Change a channel's target, secret (None clears it), name or whether it is used."""
    if not may_manage(session=session, viewer=actor, channel=channel):
        raise Forbidden("forbidden")
    changed: dict = {}
    if target is not None:
        _seal_target(key, channel, targets.normalise(channel.kind, target, private_ok=private_ok))
        changed["target_changed"] = True
    if secret is not KEEP:
        channel.secret_sealed = key.encrypt(_secret(secret), context=_context(channel.id, "secret")) if secret else None
        changed["secret"] = "set" if secret else "cleared"
    if name is not None and name != channel.name:
        changed["renamed_from"] = channel.name
        channel.name = name
    if enabled is not None and enabled != channel.enabled:
        channel.enabled = enabled
        changed["enabled"] = enabled
    if changed:
        channel.updated_at = utcnow()
        _log(session, channel, "channel.update", actor.id if actor else None, **changed)
    return channel


def delete(*, session: Session, channel: Channel, actor: User | None) -> None:
    """Remove a channel with its deliveries and their attempts (the admin log keeps that it was)."""
    if not may_manage(session=session, viewer=actor, channel=channel):
        raise Forbidden("forbidden")
    _log(session, channel, "channel.delete", actor.id if actor else None)
    session.delete(channel)
    session.flush()
