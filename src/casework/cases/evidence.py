"""Attaching evidence (佐证资料) to a case: checked by its bytes, stored by its hash, on the chain.

Checks in order, each with its own error: the case is visible (404), the user works it (403),
it is open (409), the kind is known (422), the file is not empty (422), not too large (413),
of an accepted type by its bytes (415), and the case's evidence stays within its limit (413).
The same bytes sent again to the same case and kind (a retry on a weak network) give back the
first attachment rather than a second.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.cases import service as cases
from casework.cases.models import Case
from casework.cases.permissions import may_work, visible_case
from casework.cases.reuse import flag_reuse
from casework.db import utcnow
from casework.errors import Conflict, Forbidden, NotFound, TooLarge, Unprocessable, UnsupportedMedia
from casework.evidence import inspect
from casework.evidence.models import Evidence
from casework.evidence.storage import Storage
from casework.limits import REASON_MAX
from casework.text import clean_text
from casework.users.models import User
from casework.vocabulary import EVIDENCE_KINDS

ATTACHED, WITHDRAWN = "evidence.attached", "evidence.withdrawn"
FILENAME_MAX = 255
_CHUNK = 1024 * 1024


class PayloadTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Attached:
    evidence: Evidence
    created: bool  # False: the same file was attached before and is given back


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    case_bytes: int


def _spool(upload: BinaryIO, folder: Path, limit: int) -> tuple[Path, str, int]:
    """Copy the upload to a temporary file next to the store, hashing as it goes; 413 past `limit`."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    sha, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := upload.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge()
                sha.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name), sha.hexdigest(), size


def _display_name(filename: str | None) -> str:
    # Kept for people to read (整改前照片.jpg stays intact); only the last path part, never a path.
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return clean_text(name or "file", field="file", max_length=FILENAME_MAX, names=True)


def attach(*, session: Session, storage: Storage, case_id: int, actor: User, kind: str, upload: BinaryIO,
           filename: str | None, note: str = "", limits: Limits, work_dir: Path,
           tz: ZoneInfo | None = None) -> Attached:
    """Attach one uploaded file to the case (in the caller's transaction)."""
    case, unit = visible_case(session=session, case_id=case_id, user=actor)
    if not may_work(actor, unit):
        raise Forbidden("cannot_attach")
    if case.closed_at is not None:
        raise Conflict("case_closed")
    if kind not in EVIDENCE_KINDS:
        raise Unprocessable("invalid_field", field="kind", reason_code="evidence_kind_unknown",
                            kinds=", ".join(sorted(EVIDENCE_KINDS)))
    shown_name = _display_name(filename)
    note = clean_text(note, field="note", max_length=REASON_MAX, required=False) or ""
    try:
        spooled, sha256, size = _spool(upload, work_dir, limits.file_bytes)
    except PayloadTooLarge:
        raise TooLarge("evidence_too_large", limit_mb=limits.file_bytes // (1024 * 1024))
    try:
        if size == 0:
            raise Unprocessable("evidence_empty")
        try:
            found = inspect.inspect_file(spooled, local_tz=tz)
        except inspect.UnsupportedType as refused:
            raise UnsupportedMedia("evidence_type_refused", detected=refused.detected)
        earlier = session.scalars(select(Evidence).where(
            Evidence.case_id == case.id, Evidence.kind == kind, Evidence.sha256 == sha256,
            Evidence.withdrawn_at.is_(None))).first()
        if earlier is not None:
            return Attached(earlier, False)
        held = session.scalar(select(func.coalesce(func.sum(Evidence.size), 0)).where(
            Evidence.case_id == case.id, Evidence.withdrawn_at.is_(None)))
        if held + size > limits.case_bytes:
            raise TooLarge("case_evidence_full", limit_mb=limits.case_bytes // (1024 * 1024))
        storage.put(source=spooled, sha256=sha256)
        thumbnail = None
        if found.is_image:
            try:
                thumbnail = storage.put_bytes(data=inspect.make_thumbnail(spooled))
            except inspect.UnreadableImage:
                thumbnail = None  # the original is kept all the same; it shows without a preview
    finally:
        spooled.unlink(missing_ok=True)
    evidence = Evidence(case_id=case.id, kind=kind, filename=shown_name, note=note, content_type=found.content_type,
                        size=size, sha256=sha256, uploaded_by=actor.id, uploaded_at=utcnow(),
                        taken_at=found.taken_at, gps_lat=found.gps[0] if found.gps else None,
                        gps_lon=found.gps[1] if found.gps else None, camera=found.camera, width=found.width,
                        height=found.height, phash=found.phash, thumbnail_sha256=thumbnail)
    session.add(evidence)
    session.flush()
    flag_reuse(session=session, evidence=evidence, case=case)
    cases.record(session=session, case_id=case.id, event=ATTACHED, actor_id=actor.id,
                 payload={"evidence_id": evidence.id, "kind": kind, "sha256": sha256})
    return Attached(evidence, True)


def withdraw(*, session: Session, case_id: int, evidence_id: int, actor: User, reason: str) -> Evidence:
    """Take a file out of what counts for the case, saying why; it stays on record."""
    case, unit = visible_case(session=session, case_id=case_id, user=actor)
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.case_id != case.id:
        raise NotFound("evidence_not_found", ref=evidence_id)
    if not may_work(actor, unit):
        raise Forbidden("cannot_attach")
    if case.closed_at is not None:
        raise Conflict("case_closed")
    if evidence.withdrawn_at is not None:
        raise Conflict("evidence_withdrawn_already")
    reason = clean_text(reason, field="reason", max_length=REASON_MAX)
    evidence.withdrawn_at, evidence.withdrawn_by, evidence.withdraw_reason = utcnow(), actor.id, reason
    cases.record(session=session, case_id=case.id, event=WITHDRAWN, actor_id=actor.id,
                 payload={"evidence_id": evidence.id, "reason": reason})
    return evidence


def of_case(*, session: Session, case: Case) -> list[Evidence]:
    """The case's evidence in the order it was attached (withdrawn files included, marked)."""
    return list(session.scalars(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)))


def one(*, session: Session, case: Case, evidence_id: int) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.case_id != case.id:
        raise NotFound("evidence_not_found", ref=evidence_id)
    return evidence

