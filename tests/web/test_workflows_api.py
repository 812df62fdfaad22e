"""Workflow definitions over HTTP: what each shipped workflow says, its diagram, and its versions."""

from __future__ import annotations

import shutil

from tests.web.helpers import POSTGRES_ONLY, assert_error

pytestmark = POSTGRES_ONLY


def test_the_list_holds_each_shipped_workflow_at_its_version(town, as_):
    body = as_("clerk").get("/api/v1/workflows").get_json()
    assert body["next_cursor"] is None
    workflows = {w["key"]: w for w in body["items"]}
    assert set(workflows) == {"default", "household", "work_team"}
    assert workflows["default"]["name"] == "默认整改流程"
    assert workflows["household"]["applies_to"] == ["assistance_officer"]
    for workflow in workflows.values():
        assert workflow["version"] == 1 and workflow["initial"] == "found"
        assert [(v["version"], v["retired"], v["content_hash"]) for v in workflow["versions"]] == [
            (1, False, workflow["content_hash"])]
        assert "states" not in workflow and "mermaid" not in workflow


def test_a_workflow_shows_its_states_events_labels_and_diagram(town, as_):
    response = as_("clerk").get("/api/v1/workflows/default")
    assert response.status_code == 200
    workflow = response.get_json()
    states = {s["key"]: s for s in workflow["states"]}
    assert list(states) == ["found", "assigned", "rectifying", "evidenced", "verified", "dismissed"]
    assert states["found"]["label"] == "发现问题" and states["found"]["time_allowed"] == "3d"
    assert states["verified"]["closed"] is True and states["dismissed"]["final"] is True
    events = {e["key"]: e for e in workflow["events"]}
    assert events["assign"] == {"key": "assign", "label": "交办", "from": ["found"], "to": "assigned",
                                "roles": ["leader"], "requires": [], "accepts": ["assignee_id", "deadline"],
                                "evidence": [], "not_by_actor_of": None}
    assert events["verify"]["not_by_actor_of"] == "submit"
    assert events["dismiss"]["requires"] == ["reason"]
    assert events["note"]["to"] is None  # a progress note does not move the case
    assert [rung["notify"] for rung in workflow["escalation"]] == ["unit", "unit_leader", "campaign_leader"]
    mermaid = workflow["mermaid"]
    assert mermaid.startswith("stateDiagram")
    assert "交办" in mermaid and "验收通过" in mermaid and "Assign" not in mermaid


def test_the_work_team_workflow_names_the_kind_of_unit_for_each_sign_off(town, as_):
    events = {e["key"]: e for e in as_("clerk").get("/api/v1/workflows/work_team").get_json()["events"]}
    assert events["village_verify"]["roles"] == ["leader@village"]
    assert events["verify"]["roles"] == ["leader@township"] and events["verify"]["from"] == ["village_checked"]
    assert events["submit"]["evidence"] == ["photo"]


def test_an_old_version_stays_readable_after_the_file_changes(runtime, town, as_, tmp_path):
    folder = tmp_path / "workflows"
    shutil.copytree(runtime.settings.workflows_dir, folder)
    path = folder / "default.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("found:      {label: 发现问题",
                                                             "found:      {label: 发现问题(待核实)"),
                    encoding="utf-8")
    runtime.settings = runtime.settings.with_(workflows_dir=folder)
    runtime.sync_workflows()

    clerk = as_("clerk")
    current = clerk.get("/api/v1/workflows/default").get_json()
    assert current["version"] == 2 and [v["version"] for v in current["versions"]] == [1, 2]
    assert current["states"][0]["label"] == "发现问题(待核实)"
    old = clerk.get("/api/v1/workflows/default?version=1").get_json()
    assert old["version"] == 1 and old["states"][0]["label"] == "发现问题"
    assert old["content_hash"] != current["content_hash"]


def test_unknown_workflows_and_versions_are_404(town, as_):
    clerk = as_("clerk")
    assert_error(clerk.get("/api/v1/workflows/nope"), 404, "workflow_not_found")
    assert_error(clerk.get("/api/v1/workflows/default?version=2"), 404, "workflow_not_found")
    assert_error(clerk.get("/api/v1/workflows/default?version=0"), 422, "validation_failed")
    assert_error(clerk.get("/api/v1/workflows/default?version=x"), 422, "validation_failed")
    for huge in ("2147483648", "9223372036854775808", "99999999999999999999", "-99999999999999999999"):
        assert_error(clerk.get(f"/api/v1/workflows/default?version={huge}"), 422, "validation_failed")
    assert_error(clerk.get("/api/v1/workflows/" + "x" * 3000), 404, "not_found")  # not even a key
