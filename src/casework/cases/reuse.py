"""Photos people can trust: flagging evidence already attached to another case, and old photos.

Old photos passed off as new ones are a known failure of rectification campaigns. A file is
flagged when the same bytes, or a near-identical photo (perceptual hash within NEAR_DUPLICATE
bits: a resized or re-encoded copy), are attached to another case — on both cases, each naming
the other — and when the photo was taken long before the case was opened.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from casework.cases.models import Case
from casework.evidence.inspect import NEAR_DUPLICATE, phash_distance
from casework.evidence.models import Evidence, PhashBand, ReuseFlag

SAME_BYTES, NEAR_DUPLICATE_PHOTO, OLD_PHOTO = "same_bytes", "near_duplicate", "old_photo"
# Taken this long before the case was opened, a photo cannot show the rectification.
OLD_PHOTO_AGE = timedelta(days=30)
BANDS = 8  # eight bytes of a 64-bit hash: within 6 bits, two photos share at least two


def bands_of(phash: str) -> list[tuple[int, int]]:
    value = int(phash, 16)
    return [(band, (value >> (8 * band)) & 0xFF) for band in range(BANDS)]


def _pair(session: Session, first: Evidence, second: Evidence, kind: str, distance: int | None) -> None:
    session.add_all([ReuseFlag(evidence_id=first.id, other_evidence_id=second.id, kind=kind, distance=distance),
                     ReuseFlag(evidence_id=second.id, other_evidence_id=first.id, kind=kind, distance=distance)])


def flag_reuse(*, session: Session, evidence: Evidence, case: Case) -> list[ReuseFlag]:
    """Flag the new evidence (and what it matches) in the caller's transaction."""
    same = session.scalars(select(Evidence).where(Evidence.sha256 == evidence.sha256, Evidence.case_id != case.id,
                                                  Evidence.id != evidence.id)).all()
    for other in same:
        _pair(session, evidence, other, SAME_BYTES, 0)
    if evidence.phash:
        session.add_all([PhashBand(evidence_id=evidence.id, band=band, value=value)
                         for band, value in bands_of(evidence.phash)])
        wanted = bands_of(evidence.phash)
        candidates = session.execute(
            select(PhashBand.evidence_id).where(tuple_(PhashBand.band, PhashBand.value).in_(wanted),
                                                PhashBand.evidence_id != evidence.id)
            .group_by(PhashBand.evidence_id).having(func.count() >= 2)
        ).scalars().all()
        already = {other.id for other in same}
        for other in session.scalars(select(Evidence).where(Evidence.id.in_(candidates), Evidence.case_id != case.id)):
            distance = phash_distance(evidence.phash, other.phash)
            if other.id not in already and distance <= NEAR_DUPLICATE:
                _pair(session, evidence, other, NEAR_DUPLICATE_PHOTO, distance)
    if evidence.taken_at is not None and evidence.taken_at < case.created_at - OLD_PHOTO_AGE:
        session.add(ReuseFlag(evidence_id=evidence.id, other_evidence_id=None, kind=OLD_PHOTO, distance=None))
    session.flush()
    return list(session.scalars(select(ReuseFlag).where(ReuseFlag.evidence_id == evidence.id)))


def flags_of(*, session: Session, evidence_ids: list[int]) -> dict[int, list[dict]]:
    """Each evidence's reuse flags, naming the other case's number, in one query."""
    if not evidence_ids:
        return {}
    other = select(Evidence.id, Case.number).join(Case, Case.id == Evidence.case_id).subquery()
    rows = session.execute(
        select(ReuseFlag.evidence_id, ReuseFlag.kind, ReuseFlag.distance, other.c.number, ReuseFlag.other_evidence_id)
        .outerjoin(other, other.c.id == ReuseFlag.other_evidence_id)
        .where(ReuseFlag.evidence_id.in_(evidence_ids)).order_by(ReuseFlag.id)).all()
    found: dict[int, list[dict]] = {i: [] for i in evidence_ids}
    for evidence_id, kind, distance, number, other_id in rows:
        found[evidence_id].append({"kind": kind, "distance": distance, "other_case_number": number,
                                   "other_evidence_id": other_id})
    return found
