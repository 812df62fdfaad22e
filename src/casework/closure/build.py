"""Building a closure pack: the job that runs when a case is verified (and again after a reopen).

The PDF and the ZIP are written to temporary files, hashed and stored by their hash (atomically),
and only then is the pack marked ready and recorded on the case's chain — a worker killed while
building leaves no half-written file under any name people can fetch, and the retry starts afresh.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from casework.cases import service as cases
from casework.closure.archive import write_zip
from casework.closure.assemble import assemble
from casework.closure.models import ClosurePack
from casework.closure.pdf import find_font, render_pdf
from casework.db import utcnow
from casework.users.system import system_actor_id

TOPIC = cases.CLOSURE_BUILD
PACKED = "closure.packed"


def _hashed(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest(), path.stat().st_size


# A build's scratch folder older than this belongs to a worker that was killed mid-build.
ABANDONED_AFTER = 3600


def _clear_abandoned(work: Path) -> None:
    now = time.time()
    for folder in work.iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > ABANDONED_AFTER:
            shutil.rmtree(folder, ignore_errors=True)


def build(*, runtime, payload: dict, **_) -> None:
    """The job: build the pack of closing event `closing_seq` of case `case_id`, unless it is ready."""
    case_id, closing_seq = payload["case_id"], payload["closing_seq"]
    with runtime.transaction() as session:
        pack = session.scalars(select(ClosurePack).where(ClosurePack.case_id == case_id,
                                                         ClosurePack.closing_seq == closing_seq)).first()
        if pack is not None and pack.status == "ready":
            return
        if pack is None:
            session.add(ClosurePack(case_id=case_id, closing_seq=closing_seq, status="building"))
    storage, work = runtime.storage, runtime.settings.storage_dir / ".packs"
    work.mkdir(parents=True, exist_ok=True)
    _clear_abandoned(work)
    font = find_font(runtime.settings.pdf_font)
    with tempfile.TemporaryDirectory(dir=work) as folder:
        pdf_path, zip_path = Path(folder) / "pack.pdf", Path(folder) / "pack.zip"
        with runtime.snapshot() as session:
            content = assemble(session=session, storage=storage, case_id=case_id, closing_seq=closing_seq)
            with pdf_path.open("wb") as out:
                render_pdf(content, out, font_path=font)
            with zip_path.open("wb") as out:
                write_zip(content, pdf_path, out)
                out.flush()
                os.fsync(out.fileno())
        pdf_sha, pdf_size = _hashed(pdf_path)
        zip_sha, zip_size = _hashed(zip_path)
        storage.put(source=pdf_path, sha256=pdf_sha)
        storage.put(source=zip_path, sha256=zip_sha)
    with runtime.transaction() as session:
        pack = session.scalars(select(ClosurePack).where(ClosurePack.case_id == case_id,
                                                         ClosurePack.closing_seq == closing_seq)
                               .with_for_update()).one()
        if pack.status == "ready":
            return  # another run finished first; the bytes are the same
        pack.status, pack.built_at = "ready", utcnow()
        pack.pdf_sha256, pack.pdf_size, pack.zip_sha256, pack.zip_size = pdf_sha, pdf_size, zip_sha, zip_size
        cases.record(session=session, case_id=case_id, event=PACKED, actor_id=system_actor_id(session=session),
                     payload={"closing_seq": closing_seq, "pdf_sha256": pdf_sha, "zip_sha256": zip_sha})
