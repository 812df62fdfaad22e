"""A case's page (/cases/<id>): what it is, where it stands in its workflow, its history and
evidence, and the events the reader may fire now; firing them, and attaching evidence.

A refusal never leaves the page: a stale version says someone changed the case meanwhile and
shows it as it is now; a missing or wrong field is marked beside the field, in the reader's
language.
"""

from __future__ import annotations

from flask import jsonify, redirect, request, send_file, url_for
from markupsafe import Markup

from casework.campaigns.zones import zone_of
from casework.cases import evidence as evidence_service
from casework.cases import my_work as work
from casework.cases import queries, reading, service
from casework.cases.permissions import may_work, visible_case
from casework.errors import CaseworkError, Conflict, Forbidden, NotFound, Unprocessable
from casework.vocabulary import EvidenceKind
from casework.web.context import commit, current_user, db, runtime
from casework.web.idempotency import idempotent
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import (
    SUBMIT,
    camera_submits,
    event_fields,
    event_forms,
    form_fingerprint,
    parse_version,
)
from casework.web.pages.errors import Problem, json_error, problem_of
from casework.web.pages.render import language, page, state_label, t, wants_json
from casework.web.request_shape import takes_files
from casework.web.routes.evidence import upload_fingerprint
from casework.web.rules import SIGNED_IN, WORKS_CASES, rule
from casework.web.rules import page as on_page
from casework.workflows.diagram import render_svg


def case_view(case_id: int, *, status: int = 200, problem: Problem | None = None, event: str | None = None,
              typed: dict | None = None, notice: str | None = None):
    """Render the case page as the case is now, with a refusal (and what was typed) if any."""
    me, session = current_user(), db()
    case, unit = visible_case(session=session, case_id=case_id, user=me)
    definition = service.definition_of(session=session, case=case)
    calendar = queries.Calendar(session)
    zone, today = calendar.zone_of(case.campaign_id), calendar.today_for(case.campaign_id)
    allowed = service.allowed_events(session=session, case=case, unit=unit, actor=me)
    bucket, days = work.bucket_of(case.deadline, today) if case.closed_at is None else (None, None)
    if problem is not None and problem.code == "stale_version":
        problem = Problem(t("page_stale_version", state=state_label(definition, case.state)), problem.code)
    return page(
        "case.html", status, case=case, unit=unit, zone=zone, bucket=bucket, days=days,
        context=reading.context_of(session=session, case=case),
        state_label=state_label(definition, case.state),
        forms=event_forms(session=session, definition=definition, allowed=allowed, unit=unit, viewer=me),
        camera=camera_submits(definition, allowed), closed=case.closed_at is not None,
        can_upload=case.closed_at is None and may_work(me, unit),
        kinds=[(k.value, t(f"page_kind_{k.value}")) for k in EvidenceKind],  # photos first
        timeline=reading.timeline(session=session, case=case, definition=definition),
        evidence=reading.evidence_of(session=session, case=case),
        diagram_wide=Markup(render_svg(definition, current=case.state, layout="horizontal")),
        diagram_tall=Markup(render_svg(definition, current=case.state, layout="vertical")),
        problem=problem, problem_event=event, typed=typed or {}, notice=notice)


@bp.route("/cases/<id:case_id>")
@rule(on_page(SIGNED_IN))
def case_page(case_id):
    """One case in the reader's scope (404 outside it)."""
    return case_view(case_id)


@bp.route("/cases/<id:case_id>/events", methods=["POST"])
@rule(on_page(WORKS_CASES))
@takes_files
@idempotent(fingerprint=form_fingerprint)
def fire_event(case_id):
    """Fire one event at the version the page showed; back to the case page either way."""
    event = request.form.get("event", "")
    try:
        case = service.fire(session=db(), case_id=case_id, event=event, actor=current_user(),
                            version=parse_version(request.form.get("version")), fields=event_fields(request.form))
        commit()
    except (Conflict, Forbidden, Unprocessable) as refused:
        db().rollback()
        if wants_json():
            return json_error(refused.status, refused.code, refused.public_details(language()))
        return case_view(case_id, status=refused.status, problem=problem_of(refused), event=event,
                         typed={k: v for k, v in request.form.items() if k != "csrf_token"})
    if wants_json():
        definition = service.definition_of(session=db(), case=case)
        return jsonify({"id": case.id, "state": case.state, "state_label": state_label(definition, case.state),
                        "version": case.version})
    return redirect(url_for(".case_page", case_id=case_id), 303)


@bp.route("/cases/<id:case_id>/evidence", methods=["POST"])
@rule(on_page(WORKS_CASES))
@takes_files
@idempotent(fingerprint=upload_fingerprint)
def upload_evidence(case_id):
    """Attach a file as it was taken (a retry with the same Idempotency-Key attaches it once);
    with `then=submit`, hand the case in once the file is kept."""
    upload = request.files.get("file")
    me, settings = current_user(), runtime().settings
    try:
        if upload is None or not upload.filename:
            raise Unprocessable("invalid_field", field="file", reason_code="page_file_missing")
        case, _unit = visible_case(session=db(), case_id=case_id, user=me)
        attached = evidence_service.attach(
            session=db(), storage=runtime().storage, case_id=case_id, actor=me,
            kind=request.form.get("kind") or "photo", note=request.form.get("note") or "", upload=upload.stream,
            filename=upload.filename,
            limits=evidence_service.Limits(settings.max_upload_bytes, settings.max_case_evidence_bytes),
            work_dir=settings.storage_dir, tz=zone_of(session=db(), campaign_id=case.campaign_id))
        commit()
    except NotFound:
        raise
    except CaseworkError as refused:
        db().rollback()
        if wants_json():
            return json_error(refused.status, refused.code, refused.public_details(language()))
        return case_view(case_id, status=refused.status, problem=problem_of(refused), event="upload")
    if wants_json():
        return jsonify({"id": attached.evidence.id, "created": attached.created}), 201
    if request.form.get("then") == SUBMIT:
        # The file is kept whatever the submit says: a refusal shows on the page beside it.
        try:
            service.fire(session=db(), case_id=case_id, event=SUBMIT, actor=me,
                         version=parse_version(request.form.get("version")), fields={})
            commit()
        except (Conflict, Forbidden, Unprocessable) as refused:
            db().rollback()
            return case_view(case_id, status=refused.status, problem=problem_of(refused), event=SUBMIT,
                             notice=t("page_photo_kept"))
    return redirect(url_for(".case_page", case_id=case_id), 303)


def _send_evidence(case_id: int, evidence_id: int, thumb: bool):
    case, _unit = visible_case(session=db(), case_id=case_id, user=current_user())
    found = evidence_service.one(session=db(), case=case, evidence_id=evidence_id)
    if thumb and not found.thumbnail_sha256:
        raise NotFound("evidence_not_found", ref=evidence_id)
    sha = found.thumbnail_sha256 if thumb else found.sha256
    response = send_file(runtime().storage.open(sha), mimetype="image/jpeg" if thumb else found.content_type,
                         as_attachment=not thumb, download_name=found.filename, etag=sha, conditional=True,
                         max_age=3600)
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/cases/<id:case_id>/evidence/<id:evidence_id>/thumb")
@rule(on_page(SIGNED_IN))
def evidence_thumb(case_id, evidence_id):
    """A photo's thumbnail, turned upright."""
    return _send_evidence(case_id, evidence_id, thumb=True)


@bp.route("/cases/<id:case_id>/evidence/<id:evidence_id>")
@rule(on_page(SIGNED_IN))
def evidence_file(case_id, evidence_id):
    """The file as uploaded, as an attachment with its own name (never shown inline)."""
    return _send_evidence(case_id, evidence_id, thumb=False)
