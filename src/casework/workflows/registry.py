"""Workflow versions in the database: each distinct definition of a key gets the next integer.

Cases pin (key, version) and are always driven by the stored definition, so a case finishes on its
version after the file changed or was removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.errors import NotFound
from casework.memo import Memo
from casework.workflows.definition import InvalidWorkflow, WorkflowDefinition, from_data, load_folder
from casework.workflows.models import WorkflowVersion

_definitions: dict[str, WorkflowDefinition] = {}


@dataclass(frozen=True)
class Pinned:
    """A definition together with the version it was stored as."""

    key: str
    version: int
    definition: WorkflowDefinition
    content_hash: str
    retired: bool = False


def _definition_of(row: WorkflowVersion) -> WorkflowDefinition:
    if row.content_hash not in _definitions:
        _definitions[row.content_hash] = from_data(json.loads(row.definition), source=f"{row.key} v{row.version}")
    return _definitions[row.content_hash]


def _pinned(row: WorkflowVersion) -> Pinned:
    return Pinned(row.key, row.version, _definition_of(row), row.content_hash, row.retired)


def _latest(session: Session, key: str) -> WorkflowVersion | None:
    return session.scalars(
        select(WorkflowVersion).where(WorkflowVersion.key == key)
        .order_by(WorkflowVersion.version.desc()).limit(1)
    ).first()


def register(*, session: Session, definition: WorkflowDefinition, source: str = "") -> Pinned:
    """Store `definition` as the next version of its key, unless it equals the latest one."""
    for _attempt in range(10):
        latest = _latest(session, definition.key)
        if latest is not None and latest.content_hash == definition.content_hash:
            if latest.retired:
                latest.retired = False
            return _pinned(latest)
        row = WorkflowVersion(
            key=definition.key,
            version=(latest.version if latest else 0) + 1,
            content_hash=definition.content_hash,
            definition=json.dumps(definition.to_data(), sort_keys=True, ensure_ascii=False),
            source=source,
        )
        # Several processes may start at once: the unique (key, version) decides, the loser
        # re-reads and finds either its content stored or a newer version to follow.
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        _definitions.setdefault(row.content_hash, definition)
        return _pinned(row)
    raise RuntimeError(f"could not register workflow {definition.key!r}: too many concurrent versions")


def sync_folder(*, session: Session, folder: Path) -> list[Pinned]:
    """Validate every file in `folder`, register changed ones, retire keys whose file is gone."""
    definitions, errors = load_folder(folder)
    if errors:
        raise InvalidWorkflow(errors)
    pinned = [register(session=session, definition=d, source=str(folder / f"{d.key}.yaml"))
              for d in definitions.values()]
    for key in session.scalars(select(WorkflowVersion.key).distinct()).all():
        if key not in definitions:
            latest = _latest(session, key)
            if latest is not None and not latest.retired:
                latest.retired = True
    return pinned


# (key, version) → Pinned: a stored version never changes, so each process asks for it once.
_by_version = Memo()


def get(*, session: Session, key: str, version: int) -> Pinned:
    """The stored definition of (key, version), cached in the process (versions are immutable)."""
    pinned = _by_version.get(session, (key, version))
    if pinned is None:
        row = session.scalars(
            select(WorkflowVersion).where(WorkflowVersion.key == key, WorkflowVersion.version == version)
        ).first()
        if row is None:
            raise NotFound("workflow_not_found", ref=f"{key} v{version}")
        # `retired` may change later; a pinned case never asks about it.
        pinned = _by_version.put(session, (key, version), _pinned(row))
    return pinned


def current(*, session: Session, include_retired: bool = False) -> dict[str, Pinned]:
    """The latest version of every workflow key."""
    newest = (
        select(WorkflowVersion.key, func.max(WorkflowVersion.version).label("version"))
        .group_by(WorkflowVersion.key).subquery()
    )
    rows = session.scalars(
        select(WorkflowVersion).join(
            newest, (WorkflowVersion.key == newest.c.key) & (WorkflowVersion.version == newest.c.version)
        ).order_by(WorkflowVersion.key)
    ).all()
    return {row.key: _pinned(row) for row in rows if include_retired or not row.retired}


def every_version(*, session: Session) -> list[Pinned]:
    """Every stored version with its definition."""
    return [_pinned(row) for row in versions(session=session)]


def versions(*, session: Session, key: str | None = None) -> list[WorkflowVersion]:
    """Every stored version, oldest first."""
    query = select(WorkflowVersion).order_by(WorkflowVersion.key, WorkflowVersion.version)
    if key is not None:
        query = query.where(WorkflowVersion.key == key)
    return list(session.scalars(query).all())


def choose(*, session: Session, unit_kind: str, override: str | None = None) -> Pinned:
    """The workflow for a new case: the item's override, else the one for the unit's kind."""
    workflows = current(session=session)
    if override:
        if override not in workflows:
            raise NotFound("workflow_not_found", ref=override)
        return workflows[override]
    for pinned in workflows.values():
        if unit_kind in pinned.definition.applies_to:
            return pinned
    if "default" not in workflows:
        raise NotFound("workflow_not_found", ref="default")
    return workflows["default"]
