import hashlib

from flask import jsonify, request, send_file
from flask_smorest import Blueprint

from casework.cases import evidence as service
from casework.cases.permissions import visible_case
from casework.cases.reuse import flags_of
from casework.campaigns.zones import zone_of
from casework.evidence.schemas import EvidenceList, EvidenceOut, PackArgs, UploadFile, UploadForm, WithdrawIn
from casework.web import downloads
from casework.web.context import commit, current_user, db, runtime
from casework.web.idempotency import idempotent, uploaded_file_sha256
from casework.web.request_shape import takes_files
from casework.web.rules import SIGNED_IN, WORKS_CASES, rule

blp = Blueprint("evidence", __name__, url_prefix="/api/v1/cases",
                description="Evidence (佐证资料) of a case, and its closure pack (整改销号材料)")


def _with_flags(rows):
    flags = flags_of(session=db(), evidence_ids=[e.id for e in rows])
    for row in rows:
        row.reuse = flags.get(row.id, [])
    return rows


def upload_fingerprint() -> str:
    """For a retried upload, "the same request" is the same kind, note and file bytes — not the
    multipart body, whose boundary changes on every try."""
    key = "\0".join([request.form.get("kind", ""), request.form.get("note", ""), uploaded_file_sha256()])
    return hashlib.sha256(key.encode()).hexdigest()


@blp.route("/<id:case_id>/evidence", methods=["POST"])
@rule(WORKS_CASES)
@takes_files
@idempotent(fingerprint=upload_fingerprint)
@blp.arguments(UploadForm, location="form")
@blp.arguments(UploadFile, location="files")
@blp.response(201, EvidenceOut)
def upload(form, files, case_id):
    """Attach a file (multipart: `file`, `kind`, `note`): its type is decided by its bytes; the same
    file sent again to the same case and kind gives back the first attachment."""
    settings = runtime().settings
    case, _unit = visible_case(session=db(), case_id=case_id, user=current_user())
    attached = service.attach(
        session=db(), storage=runtime().storage, case_id=case_id, actor=current_user(), kind=form["kind"],
        note=form.get("note") or "", upload=files["file"].stream, filename=files["file"].filename,
        limits=service.Limits(settings.max_upload_bytes, settings.max_case_evidence_bytes),
        work_dir=settings.storage_dir, tz=zone_of(session=db(), campaign_id=case.campaign_id))
    commit()
    return _with_flags([attached.evidence])[0]


@blp.route("/<id:case_id>/evidence", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, EvidenceList)
def list_evidence(case_id):
    """The case's evidence in the order it was attached, with EXIF facts and reuse flags."""
    case, _unit = visible_case(session=db(), case_id=case_id, user=current_user())
    return {"items": _with_flags(service.of_case(session=db(), case=case)), "next_cursor": None}


@blp.route("/<id:case_id>/evidence/<id:evidence_id>", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, description="the file as uploaded (?thumb=1: a small JPEG of a photo)")
def download(case_id, evidence_id):
    """Download the file, as an attachment with its own name and stored type (never shown inline)."""
    case, _unit = visible_case(session=db(), case_id=case_id, user=current_user())
    found = service.one(session=db(), case=case, evidence_id=evidence_id)
    thumb = request.args.get("thumb") == "1" and found.thumbnail_sha256
    sha = found.thumbnail_sha256 if thumb else found.sha256
    response = send_file(runtime().storage.open(sha), mimetype="image/jpeg" if thumb else found.content_type,
                         as_attachment=not thumb, download_name=found.filename, etag=sha, conditional=True,
                         max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blp.route("/<id:case_id>/evidence/<id:evidence_id>/withdraw", methods=["POST"])
@rule(WORKS_CASES)
@idempotent
@blp.arguments(WithdrawIn)
@blp.response(200, EvidenceOut)
def withdraw(body, case_id, evidence_id):
    """Withdraw a file, with a reason: it stays on record but no longer counts for the case."""
    withdrawn = service.withdraw(session=db(), case_id=case_id, evidence_id=evidence_id, actor=current_user(),
                                 reason=body["reason"])
    commit()
    return _with_flags([withdrawn])[0]


@blp.route("/<id:case_id>/closure-pack", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(PackArgs, location="query")
@blp.response(200, description="the closure pack (202 with Retry-After while it is being built)")
def closure_pack(args, case_id):
    """The case's closure record (整改销号材料): the PDF, or `?format=zip` with every evidence file
    and a manifest of their SHA-256. 404 until the case is verified."""
    sent = downloads.closure_pack_file(case_id, args["format"])
    if sent is None:
        response = jsonify({"status": "building", "case_id": case_id})
        response.status_code, response.headers["Retry-After"] = 202, "5"
        return response
    return sent
