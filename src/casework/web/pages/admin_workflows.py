"""Administration: the workflows, read only (/admin/workflows) — each with its states, events, the
diagram, its stored versions, and the result of checking the files as `casework workflows check`
does. Workflows change by changing their files; a case stays on the version it was opened under."""

from __future__ import annotations

from flask import request
from markupsafe import Markup

from casework.errors import NotFound
from casework.vocabulary import EVIDENCE_LABELS
from casework.web.context import db, runtime
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import parse_id
from casework.web.pages.case_list import flow_order
from casework.web.pages.render import event_label, page, state_label
from casework.web.rules import ADMIN, rule
from casework.web.rules import page as on_page
from casework.workflows import registry
from casework.workflows.definition import load_folder
from casework.workflows.diagram import render_svg


@bp.route("/admin/workflows")
@rule(on_page(ADMIN))
def admin_workflows():
    """Every workflow at its current version, with its versions and the check of the files."""
    folder = runtime().settings.workflows_dir
    checked, problems = load_folder(folder)
    current = registry.current(session=db(), include_retired=True)
    versions = {}
    for row in registry.versions(session=db()):
        versions.setdefault(row.key, []).append(row)
    return page("admin_workflows.html", active_admin="workflows", workflows=list(current.values()), versions=versions,
                folder=folder, checked=sorted(checked), problems=[str(p) for p in problems])


@bp.route("/admin/workflows/<key:key>")
@rule(on_page(ADMIN))
def admin_workflow(key):
    """One workflow (`?version=N` for an older one): states, events by who fires them, the diagram."""
    chosen = request.args.get("version")
    if chosen:
        pinned = registry.get(session=db(), key=key, version=parse_id(chosen, "version"))
    else:
        pinned = registry.current(session=db(), include_retired=True).get(key)
        if pinned is None:
            raise NotFound("workflow_not_found", ref=key)
    d = pinned.definition
    order = flow_order(d)
    states = [{"key": k, "label": state_label(d, k), "spec": d.states[k]} for k in order]
    # Events that move a case first, in the order a case meets them; then those that leave it be.
    moving = sorted(d.events.values(), key=lambda e: (e.target is None, min(order.index(s) for s in e.sources), e.key))
    events = [{"key": e.key, "label": event_label(d, e.key), "spec": e,
               "sources": [state_label(d, s) for s in sorted(e.sources, key=order.index)],
               "target": state_label(d, e.target) if e.target else None,
               "not_by": event_label(d, e.not_by_actor_of) if e.not_by_actor_of else None,
               "evidence": [EVIDENCE_LABELS.get(k, k) for k in e.evidence]} for e in moving]
    return page("admin_workflow.html", active_admin="workflows", pinned=pinned, states=states, events=events,
                versions=registry.versions(session=db(), key=key),
                diagram_wide=Markup(render_svg(d, layout="horizontal")),
                diagram_tall=Markup(render_svg(d, layout="vertical")))
