"""The system actor: who the record names for what no person did (reminders, escalations, packs).

A reserved user made by the migrations: inactive, with no usable password and no role, so it can
never sign in and never sees or fires anything through the API.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.memo import Memo
from casework.users.models import User

SYSTEM_USERNAME = "system"
_ids = Memo()


def system_actor_id(*, session: Session) -> int:
    """The system actor's user id (looked up once per process and database)."""
    found = _ids.get(session, SYSTEM_USERNAME)
    if found is None:
        found = _ids.put(session, SYSTEM_USERNAME,
                         session.scalars(select(User.id).where(User.username == SYSTEM_USERNAME)).one())
    return found
