"""Workflow files are validated as untrusted data: each mistake is reported naming the file, the
key and the line, so whoever edits the file can find and fix it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casework.paths import workflows_dir
from casework.vocabulary import RoleSpec
from casework.workdays import Duration
from casework.workflows.definition import (
    InvalidWorkflow, WorkflowError, from_data, load_file, load_folder, parse_duration,
)

# A small valid workflow; the line numbers matter to the tests below.
VALID = """\
key: default
name: 测试流程
applies_to: [village]
initial: found
states:
  found: {label: 发现问题, time_allowed: 3d}
  rectifying: {label: 整改中}
  verified: {label: 已销号, final: true}
events:
  start: {label: 开始整改, from: [found], to: rectifying, roles: [unit]}
  verify: {label: 验收通过, from: [rectifying], to: verified, roles: ["leader@township"], evidence: [photo]}
"""


def write(folder: Path, text: str, name: str = "default.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[WorkflowError]:
    with pytest.raises(InvalidWorkflow) as refused:
        load_file(path)
    errors = refused.value.errors
    # Every problem names the file, and so does the message a person reads.
    assert all(e.source == str(path) for e in errors)
    assert str(path) in str(refused.value)
    return errors


def only(errors: list[WorkflowError], key: str) -> WorkflowError:
    found = [e for e in errors if e.key == key]
    assert found, f"no error for {key!r} among {[str(e) for e in errors]}"
    return found[0]


def test_the_valid_sample_loads(tmp_path):
    definition = load_file(write(tmp_path, VALID))
    assert definition.key == "default"
    assert definition.states["found"].time_allowed == Duration(3, "d")
    assert definition.events["verify"].roles == (RoleSpec("leader", "township"),)
    assert definition.events["verify"].evidence == ("photo",)


def test_an_unknown_state_in_from_is_named_with_its_line(tmp_path):
    path = write(tmp_path, VALID.replace("from: [found], to: rectifying", "from: [lost], to: rectifying"))
    error = only(problems(path), "events.start.from")
    assert "unknown state 'lost'" in error.message
    assert error.line == 10
    assert str(error).startswith(f"{path}:10: events.start.from:")


def test_an_unknown_state_in_to_is_named_with_its_line(tmp_path):
    path = write(tmp_path, VALID.replace("to: verified", "to: closed"))
    error = only(problems(path), "events.verify.to")
    assert "unknown state 'closed'" in error.message
    assert error.line == 11


def test_an_unreachable_state_is_named(tmp_path):
    text = VALID.replace("  verified: {label: 已销号, final: true}\n",
                         "  verified: {label: 已销号, final: true}\n  archived: {label: 已归档, final: true}\n")
    error = only(problems(write(tmp_path, text)), "states.archived")
    assert "unreachable" in error.message
    assert error.line == 9


def test_a_state_with_no_way_out_must_be_marked_final(tmp_path):
    error = only(problems(write(tmp_path, VALID.replace("已销号, final: true", "已销号"))), "states.verified")
    assert "no way out" in error.message and "final: true" in error.message
    assert error.line == 8


def test_an_event_that_only_loops_back_is_no_way_out(tmp_path):
    text = VALID.replace("已销号, final: true", "已销号") + \
        "  note: {label: 进展, from: [verified], roles: [unit], requires: [comment]}\n"
    assert "no way out" in only(problems(write(tmp_path, text)), "states.verified").message


def test_an_event_without_roles_is_refused(tmp_path):
    error = only(problems(write(tmp_path, VALID.replace(", roles: [unit]", ""))), "events.start.roles")
    assert "at least one role" in error.message
    assert error.line == 10  # roles is missing, so the event's own line


def test_an_event_with_an_empty_role_list_is_refused(tmp_path):
    error = only(problems(write(tmp_path, VALID.replace("roles: [unit]", "roles: []"))), "events.start.roles")
    assert "at least one role" in error.message


def test_a_duplicate_key_is_refused_not_silently_overwritten(tmp_path):
    text = VALID + "  start: {label: 重复, from: [found], to: verified, roles: [leader]}\n"
    error = only(problems(write(tmp_path, text)), "start")
    assert "duplicate key 'start'" in error.message
    assert error.line == 12


def test_a_duplicate_key_inside_a_flow_mapping_is_refused(tmp_path):
    text = VALID.replace("{label: 整改中}", "{label: 整改中, label: 改}")
    error = only(problems(write(tmp_path, text)), "label")
    assert error.line == 7


@pytest.mark.parametrize("duration", ["3 days", "3", "-1d", "1w", "3.5d"])
def test_a_bad_duration_is_named_with_its_line(tmp_path, duration):
    error = only(problems(write(tmp_path, VALID.replace("time_allowed: 3d", f"time_allowed: {duration}"))),
                 "states.found.time_allowed")
    assert "not a duration" in error.message
    assert error.line == 6


def test_durations_are_whole_days_hours_or_working_days():
    assert parse_duration("3d") == Duration(3, "d")
    assert parse_duration("12h") == Duration(12, "h")
    assert parse_duration("3wd") == Duration(3, "wd")
    with pytest.raises(ValueError):
        parse_duration(3)


@pytest.mark.parametrize("role", ["boss", "admin", "auditor"])
def test_a_role_that_cannot_fire_events_is_refused(tmp_path, role):
    error = only(problems(write(tmp_path, VALID.replace("roles: [unit]", f"roles: [{role}]"))), "events.start.roles")
    assert repr(role) in error.message
    assert error.line == 10


def test_an_unknown_unit_kind_in_a_qualified_role_is_refused(tmp_path):
    error = only(problems(write(tmp_path, VALID.replace("leader@township", "leader@city"))), "events.verify.roles")
    assert "unknown unit kind 'city'" in error.message
    assert error.line == 11


def test_an_unknown_evidence_kind_is_refused(tmp_path):
    error = only(problems(write(tmp_path, VALID.replace("evidence: [photo]", "evidence: [video]"))),
                 "events.verify.evidence")
    assert "'video'" in error.message
    assert error.line == 11


def test_an_unknown_field_an_event_requires_is_refused(tmp_path):
    error = only(problems(write(tmp_path, VALID.replace("roles: [unit]", "roles: [unit], requires: [salary]"))),
                 "events.start.requires")
    assert "'salary'" in error.message


def test_an_unknown_key_is_refused_rather_than_ignored(tmp_path):
    error = only(problems(write(tmp_path, VALID.replace("roles: [unit]", "role: [unit], roles: [unit]"))),
                 "events.start.role")
    assert "unknown key" in error.message


@pytest.mark.parametrize("text", [
    VALID.replace("states:\n", "states: &states\n") + "copy: *states\n",
    VALID + "extra: &a [1, 2]\n",
    "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
])
def test_anchors_and_aliases_are_refused(tmp_path, text):
    error = problems(write(tmp_path, text))[0]
    assert "anchors and aliases are not allowed" in error.message
    assert error.line is not None


def test_text_that_is_not_yaml_is_reported_with_its_line(tmp_path):
    error = problems(write(tmp_path, VALID + "  broken: [unclosed\n"))[0]
    assert "not valid YAML" in error.message
    assert error.line is not None


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    text = VALID.replace("time_allowed: 3d", "time_allowed: soon").replace("roles: [unit]", "roles: [boss]")
    keys = {e.key for e in problems(write(tmp_path, text))}
    assert {"states.found.time_allowed", "events.start.roles"} <= keys


def test_two_files_with_the_same_key_are_refused(tmp_path):
    write(tmp_path, VALID)
    second = write(tmp_path, VALID.replace("applies_to: [village]", "applies_to: [office]"), "zz-copy.yaml")
    definitions, errors = load_folder(tmp_path)
    assert [(e.source, e.key) for e in errors] == [(str(second), "key")]
    assert "'default' is also used by" in errors[0].message
    first = [p for p in tmp_path.iterdir() if p != second][0]
    assert first.name in errors[0].message


def test_two_workflows_claiming_the_same_unit_kind_are_refused(tmp_path):
    write(tmp_path, VALID)
    other = write(tmp_path, VALID.replace("key: default", "key: team"), "team.yaml")
    _definitions, errors = load_folder(tmp_path)
    assert [(e.source, e.key) for e in errors] == [(str(other), "applies_to")]
    assert "'village'" in errors[0].message


def test_a_folder_without_a_default_workflow_is_refused(tmp_path):
    write(tmp_path, VALID.replace("key: default", "key: team"), "team.yaml")
    _definitions, errors = load_folder(tmp_path)
    assert [(e.source, e.key) for e in errors] == [(str(tmp_path), "default")]


def test_a_broken_default_is_reported_once_not_also_as_missing(tmp_path):
    broken = write(tmp_path, VALID.replace("time_allowed: 3d", "time_allowed: soon"))
    _definitions, errors = load_folder(tmp_path)
    assert [(e.source, e.key) for e in errors] == [(str(broken), "states.found.time_allowed")]


def test_an_empty_folder_is_refused(tmp_path):
    _definitions, errors = load_folder(tmp_path)
    assert [(e.source, e.key) for e in errors] == [(str(tmp_path), "(folder)")]


def test_a_broken_file_in_a_folder_is_reported_and_the_others_still_load(tmp_path):
    for path in workflows_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path)
    broken = write(tmp_path, (tmp_path / "household.yaml").read_text(encoding="utf-8")
                   .replace("evidence: [photo, signed_ack]", "evidence: [photo, selfie]"), "household.yaml")
    definitions, errors = load_folder(tmp_path)
    assert sorted(definitions) == ["default", "work_team"]
    assert [(e.source, e.key) for e in errors] == [(str(broken), "events.submit.evidence")]


def test_the_stored_form_rebuilds_the_same_definition():
    for path in workflows_dir().glob("*.yaml"):
        definition = load_file(path)
        again = from_data(definition.to_data())
        assert again.content_hash == definition.content_hash
        assert again.states == definition.states and again.events == definition.events


# The state machine library keeps states and events as attributes of the machine; a key that
# clashes with another state's key or with the library's own attributes loaded fine but then made
# every event on such a case fail (AttributeError, KeyError) or be refused for no visible reason.
@pytest.mark.parametrize("event", ["found", "verified"])
def test_an_event_with_the_key_of_a_state_is_refused(tmp_path, event):
    text = VALID + f"  {event}: {{label: 记录, from: [found], roles: [leader], requires: [comment]}}\n"
    error = only(problems(write(tmp_path, text)), f"events.{event}")
    assert "state" in error.message
    assert error.line == 12


@pytest.mark.parametrize("name", ["model", "configuration", "allowed_events", "send", "states", "listeners"])
def test_a_state_named_like_the_machines_own_attributes_is_refused(tmp_path, name):
    text = VALID.replace("rectifying", name)
    error = only(problems(write(tmp_path, text)), f"states.{name}")
    assert "state machine" in error.message
    assert error.line == 7


@pytest.mark.parametrize("name", ["model", "configuration", "allowed_events", "events", "send"])
def test_an_event_named_like_the_machines_own_attributes_is_refused(tmp_path, name):
    error = only(problems(write(tmp_path, VALID.replace("  start:", f"  {name}:"))), f"events.{name}")
    assert "state machine" in error.message
    assert error.line == 10
