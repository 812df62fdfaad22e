"""Where findings come from (问题来源): a standard list, which admins can extend."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.models import CaseSource
from casework.errors import Conflict, Unprocessable
from casework.limits import SOURCE_MAX
from casework.text import clean_text
from casework.trail import admin_log

STANDARD = ("省考核反馈", "市县督查", "暗访", "自查", "12345热线", "群众反映")


def every_source(*, session: Session) -> list[str]:
    added = session.scalars(select(CaseSource.name).order_by(CaseSource.added_at, CaseSource.name)).all()
    return list(STANDARD) + [name for name in added if name not in STANDARD]


def checked(*, session: Session, source: str | None, known: list[str] | None = None) -> str | None:
    """The source if it is on the list; a 422 naming the list otherwise."""
    if source is None:
        return None
    names = known if known is not None else every_source(session=session)
    if source not in names:
        raise Unprocessable("invalid_field", field="source", reason_code="source_unknown", sources="、".join(names))
    return source


def add(*, session: Session, name: str, actor_id: int | None) -> str:
    """Put a new source on the list."""
    name = clean_text(name, field="name", max_length=SOURCE_MAX, names=True)
    if name in every_source(session=session):
        raise Conflict("duplicate", what="source", value=name)
    session.add(CaseSource(name=name, added_by=actor_id))
    admin_log.record(session=session, actor_id=actor_id, action="source.add", target_type="source", target_id=None,
                     payload={"name": name})
    session.flush()
    return name
