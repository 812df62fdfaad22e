"""Workflow versions: each distinct content of a file is the next version of its key, and a case
finishes on the version it was opened with, whatever the file says later or if it is gone."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from casework.campaigns import service as campaigns
from casework.errors import Conflict, NotFound
from casework.paths import workflows_dir
from casework.workflows import registry
from casework.workflows.definition import InvalidWorkflow, load_file

from tests.drive import Driver

# Version 2 of the default workflow: a new label, and verified cases may now be archived.
ARCHIVE = {
    "  verified:   {label: 已销号, closed: true}\n":
        "  verified:   {label: 已验收销号, closed: true}\n  archived:   {label: 已归档, final: true}\n",
    "  # unit: start the work and hand in evidence\n":
        "  archive:  {label: 归档, from: [verified], to: archived, roles: [leader]}\n\n"
        "  # unit: start the work and hand in evidence\n",
}


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the shipped workflows/ folder to edit."""
    copy = tmp_path / "workflows"
    shutil.copytree(workflows_dir(), copy)
    return copy


def edit(path: Path, replacements: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def keys_and_versions(session) -> list[tuple[str, int, bool]]:
    return [(row.key, row.version, row.retired) for row in registry.versions(session=session)]


def test_syncing_unchanged_files_adds_no_version(session, folder):
    before = keys_and_versions(session)
    assert before == [("default", 1, False), ("household", 1, False), ("work_team", 1, False)]
    registry.sync_folder(session=session, folder=folder)
    registry.sync_folder(session=session, folder=folder)
    assert keys_and_versions(session) == before


def test_a_changed_file_is_version_2_and_an_open_case_finishes_on_version_1(session, make, folder):
    driver = Driver(make, "village")
    old = driver.to_state(driver.open(), "rectifying")

    edit(folder / "default.yaml", ARCHIVE)
    registry.sync_folder(session=session, folder=folder)
    assert registry.current(session=session)["default"].version == 2
    assert registry.get(session=session, key="default", version=1).definition.states["verified"].label == "已销号"
    assert registry.get(session=session, key="default", version=2).definition.states["verified"].label == "已验收销号"

    # The old case keeps its version and its rules: it is verified, and cannot be archived.
    old = driver.to_state(old, "verified")
    assert (old.workflow_key, old.workflow_version) == ("default", 1)
    with pytest.raises(Conflict) as refused:
        make.fire(old, "archive", driver.people[0])
    assert refused.value.code == "event_not_allowed"

    new = driver.open()
    assert (new.workflow_key, new.workflow_version) == ("default", 2)
    new = driver.to_state(new, "archived")
    assert new.state == "archived"


def test_a_removed_file_retires_its_key_and_its_open_cases_still_finish(session, make, folder):
    household = Driver(make, "assistance_officer")
    old = household.to_state(household.open(), "rectifying")
    (folder / "household.yaml").unlink()
    registry.sync_folder(session=session, folder=folder)

    assert sorted(registry.current(session=session)) == ["default", "work_team"]
    assert ("household", 1, True) in keys_and_versions(session)
    # New cases of an assistance officer fall back to the default workflow …
    assert household.open().workflow_key == "default"
    # … while the old one still needs the photo and signed acknowledgement of its version.
    old = household.to_state(old, "verified")
    assert (old.workflow_key, old.workflow_version, old.state) == ("household", 1, "verified")


def test_a_file_that_comes_back_unchanged_is_its_old_version_again(session, make, folder):
    text = (folder / "household.yaml").read_text(encoding="utf-8")
    (folder / "household.yaml").unlink()
    registry.sync_folder(session=session, folder=folder)
    (folder / "household.yaml").write_text(text, encoding="utf-8")
    registry.sync_folder(session=session, folder=folder)
    assert ("household", 1, False) in keys_and_versions(session)
    assert make.case("assistance_officer").workflow_key == "household"


def test_reverting_a_file_is_a_new_version_with_the_old_content(session, folder):
    original = (folder / "default.yaml").read_text(encoding="utf-8")
    edit(folder / "default.yaml", ARCHIVE)
    registry.sync_folder(session=session, folder=folder)
    (folder / "default.yaml").write_text(original, encoding="utf-8")
    registry.sync_folder(session=session, folder=folder)
    v1, v3 = (registry.get(session=session, key="default", version=v) for v in (1, 3))
    assert registry.current(session=session)["default"].version == 3
    assert v3.content_hash == v1.content_hash and "archive" not in v3.definition.events


def test_an_invalid_folder_is_refused_and_nothing_is_registered(session, folder):
    edit(folder / "default.yaml", {"roles: [unit]}": "roles: [boss]}"})
    edit(folder / "work_team.yaml", {"3d": "3 days"})
    before = keys_and_versions(session)
    with pytest.raises(InvalidWorkflow) as refused:
        registry.sync_folder(session=session, folder=folder)
    named = {(Path(e.source).name, e.key) for e in refused.value.errors}
    assert {("default.yaml", "events.start.roles"), ("work_team.yaml", "states.found.time_allowed")} <= named
    assert keys_and_versions(session) == before


def test_an_inspection_item_can_choose_the_workflow(session, make):
    campaign = make.campaign()
    item = campaigns.add_item(session=session, campaign=campaign, title="入户核查", workflow_key="household")
    case = make.case("village", item_id=item.id)
    assert case.workflow_key == "household"


def test_a_case_on_an_item_whose_workflow_was_retired_is_not_found(session, make, folder):
    item = campaigns.add_item(session=session, campaign=make.campaign(), title="入户核查", workflow_key="household")
    (folder / "household.yaml").unlink()
    registry.sync_folder(session=session, folder=folder)
    with pytest.raises(NotFound) as refused:
        make.case("village", item_id=item.id)
    assert refused.value.code == "workflow_not_found"


def test_an_item_naming_a_workflow_that_does_not_exist_is_not_found(session, make):
    with pytest.raises(NotFound) as refused:
        campaigns.add_item(session=session, campaign=make.campaign(), title="入户核查", workflow_key="no_such_workflow")
    assert refused.value.code == "workflow_not_found"


def test_a_version_that_does_not_exist_is_not_found(session):
    with pytest.raises(NotFound) as refused:
        registry.get(session=session, key="default", version=9)
    assert refused.value.code == "workflow_not_found"


def test_processes_starting_together_register_one_new_version(runtime, folder):
    edit(folder / "default.yaml", ARCHIVE)
    definition = load_file(folder / "default.yaml")
    starters = 4
    barrier = threading.Barrier(starters, timeout=30)

    def start(_):
        with runtime.sessions() as session, session.begin():
            barrier.wait()
            return registry.register(session=session, definition=definition).version

    with ThreadPoolExecutor(starters) as pool:
        assert list(pool.map(start, range(starters))) == [2] * starters
    with runtime.transaction() as session:
        assert [(row.version, row.content_hash) for row in registry.versions(session=session, key="default")][1:] == [
            (2, definition.content_hash)]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_starters_that_all_read_before_any_writes_still_register_one_version(runtime, folder, monkeypatch):
    """The worst interleaving, forced: every starter has seen version 1 as the latest before any
    of them stores version 2. (Only PostgreSQL can interleave so: SQLite's BEGIN IMMEDIATE makes
    the second starter wait before its first read.)"""
    edit(folder / "default.yaml", ARCHIVE)
    definition = load_file(folder / "default.yaml")
    starters = 4
    all_have_read = threading.Barrier(starters, timeout=30)
    first_read = threading.local()
    latest = registry._latest

    def latest_then_wait(session, key):
        row = latest(session, key)
        if not getattr(first_read, "done", False):
            first_read.done = True
            assert row.version == 1
            all_have_read.wait()
        return row

    monkeypatch.setattr(registry, "_latest", latest_then_wait)

    def start(_):
        with runtime.sessions() as session, session.begin():
            return registry.register(session=session, definition=definition).version

    with ThreadPoolExecutor(starters) as pool:
        assert list(pool.map(start, range(starters))) == [2] * starters
    with runtime.transaction() as session:
        assert [row.version for row in registry.versions(session=session, key="default")] == [1, 2]
