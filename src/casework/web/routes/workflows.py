from flask_smorest import Blueprint
from statemachine.contrib.diagram import MermaidGraphMachine

from casework.errors import NotFound
from casework.vocabulary import EVIDENCE_LABELS
from casework.workflows import registry
from casework.workflows.definition import WorkflowDefinition
from casework.workflows.machine import build_machine_class
from casework.workflows.schemas import WorkflowArgs, WorkflowList, WorkflowOut
from casework.web.context import db
from casework.web.rules import SIGNED_IN, rule

blp = Blueprint("workflows", __name__, url_prefix="/api/v1/workflows", description="Workflow definitions and versions")


def _mermaid(definition: WorkflowDefinition) -> str:
    text = MermaidGraphMachine(build_machine_class(definition))()
    # The library labels transitions with the event id made readable; people read the Chinese label.
    for event in definition.events.values():
        text = text.replace(f" : {event.key.replace('_', ' ').capitalize()}\n", f" : {event.label}\n")
    return text


def _describe(pinned: registry.Pinned, detail: bool) -> dict:
    d = pinned.definition
    data = {
        "key": pinned.key, "version": pinned.version, "name": d.name, "description": d.description,
        "applies_to": list(d.applies_to), "initial": d.initial, "content_hash": pinned.content_hash,
        "remind_before": d.raw.get("remind_before"),
        "versions": registry.versions(session=db(), key=pinned.key),
    }
    if detail:
        data["states"] = [{**d.raw["states"][k], "key": k} for k in d.states]
        data["events"] = [{"key": e.key, "label": e.label, "sources": list(e.sources), "target": e.target,
                           "roles": [str(r) for r in e.roles], "requires": list(e.requires),
                           "accepts": list(e.accepts), "evidence": list(e.evidence),
                           "not_by_actor_of": e.not_by_actor_of} for e in d.events.values()]
        data["escalation"] = d.raw["escalation"]
        data["evidence_kinds"] = [{"key": key, "label": label} for key, label in EVIDENCE_LABELS.items()]
        data["mermaid"] = _mermaid(d)
    return data


@blp.route("", methods=["GET"])
@rule(SIGNED_IN)
@blp.response(200, WorkflowList)
def list_workflows():
    """Every workflow in use, at its current version, with its version history."""
    current = registry.current(session=db())
    return {"items": [_describe(p, detail=False) for p in current.values()], "next_cursor": None}


@blp.route("/<key:key>", methods=["GET"])
@rule(SIGNED_IN)
@blp.arguments(WorkflowArgs, location="query")
@blp.response(200, WorkflowOut)
def get_workflow(args, key):
    """One workflow: states, events with their labels and roles, and a Mermaid diagram (?version=N for an old one)."""
    if "version" in args:
        pinned = registry.get(session=db(), key=key, version=args["version"])
    else:
        pinned = registry.current(session=db(), include_retired=True).get(key)
        if pinned is None:
            raise NotFound("workflow_not_found", ref=key)
    return _describe(pinned, detail=True)
