"""The `casework` command as an operator uses it, against an SQLite file in the instance folder."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from casework.cli import main
from casework.paths import migrations_dir, workflows_dir
from casework.users.passwords import verify_password

# Anything set in the developer's shell that would point the command elsewhere is cleared.
CLEARED = ("CASEWORK_DATABASE_URL", "CASEWORK_REDIS_URL", "CASEWORK_STORAGE_DIR", "CASEWORK_SECRET_KEY",
           "CASEWORK_WORKFLOWS_DIR", "CASEWORK_PASSWORD", "CASEWORK_DEMO_PASSWORD")


@pytest.fixture
def casework(tmp_path):
    """Run `casework ARGS` with the instance folder in tmp_path; returns the click result."""
    env = {name: None for name in CLEARED} | {"CASEWORK_INSTANCE_DIR": str(tmp_path)}
    runner = CliRunner()

    def run(*args: str, input: str | None = None, **extra_env: str):
        return runner.invoke(main, list(args), env=env | extra_env, input=input, catch_exceptions=False)

    return run


@pytest.fixture
def database(tmp_path, casework) -> Path:
    result = casework("db", "upgrade")
    assert result.exit_code == 0, result.output
    return tmp_path / "casework.db"


def rows(database: Path, query: str, *params) -> list[tuple]:
    with sqlite3.connect(database) as conn:
        return conn.execute(query, params).fetchall()


def test_db_upgrade_makes_the_sqlite_file_in_the_instance_folder(tmp_path, casework):
    result = casework("db", "upgrade")
    assert result.exit_code == 0
    assert result.output == f"database is up to date: sqlite:///{tmp_path / 'casework.db'}\n"
    head = ScriptDirectory(str(migrations_dir())).get_current_head()
    assert rows(tmp_path / "casework.db", "SELECT version_num FROM alembic_version") == [(head,)]
    assert casework("db", "upgrade").exit_code == 0  # again: nothing to do


def test_workflows_check_passes_on_the_shipped_folder(casework):
    for args in ((), (str(workflows_dir()),)):
        result = casework("workflows", "check", *args)
        assert (result.exit_code, result.stdout) == (0, "3 workflow(s) OK\n")


def test_workflows_check_names_file_key_and_line_of_a_broken_file(tmp_path, casework):
    broken = tmp_path / "team.yaml"
    text = (workflows_dir() / "work_team.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("roles: [leader@village], not_by", "roles: [leader@city], not_by"), encoding="utf-8")
    line = next(n for n, row in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1) if "leader@city" in row)
    result = casework("workflows", "check", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:{line}: events.village_verify.roles: unknown unit kind 'city'" in result.stderr
    assert "1 problem(s) found" in result.stderr


def test_workflows_check_of_a_folder_names_each_broken_file(tmp_path, casework):
    folder = tmp_path / "workflows"
    shutil.copytree(workflows_dir(), folder)
    household = folder / "household.yaml"
    household.write_text(household.read_text(encoding="utf-8") + "key: again\n", encoding="utf-8")
    result = casework("workflows", "check", str(folder))
    assert result.exit_code == 1
    assert f"{household}:" in result.stderr and "duplicate key 'key'" in result.stderr


def test_units_create_builds_the_tree_by_code(database, casework):
    assert casework("units", "create", "清水镇", "--kind", "township", "--code", "QS").output == "unit QS (id 1) created\n"
    result = casework("units", "create", "青山村", "--kind", "village", "--code", "QS-V01", "--parent", "QS")
    assert (result.exit_code, result.output) == (0, "unit QS-V01 (id 2) created\n")
    assert rows(database, "SELECT code, kind, path FROM units ORDER BY id") == [
        ("QS", "township", "/1/"), ("QS-V01", "village", "/1/2/")]


@pytest.mark.parametrize(("args", "message"), [
    (("--kind", "village", "--parent", "NOPE"), "Unit NOPE not found"),
    (("--kind", "city"), "Invalid field 'kind'"),
    (("--kind", "village", "--code", "has space"), "Invalid field 'code'"),
])
def test_units_create_refuses_with_a_message_and_exit_2(database, casework, args, message):
    result = casework("units", "create", "某村", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert rows(database, "SELECT count(*) FROM units") == [(0,)]


def test_units_create_refuses_a_second_root_and_says_how_to_add_under_the_first(database, casework):
    casework("units", "create", "清水镇", "--kind", "township", "--code", "QS")
    result = casework("units", "create", "石桥镇", "--kind", "township", "--code", "SQ")
    assert result.exit_code == 2
    assert "--parent QS" in result.stderr
    assert rows(database, "SELECT code FROM units") == [("QS",)]


def test_units_list_and_users_list_show_the_tree_and_the_people(database, casework):
    casework("units", "create", "清水镇", "--kind", "township", "--code", "QS")
    casework("units", "create", "青山村", "--kind", "village", "--code", "QS-V01", "--parent", "QS")
    casework("users", "create", "clerk", "--role", "unit", "--unit", "QS-V01", "--password", "Long-enough-pass1",
             "--display-name", "赵专干")
    units = casework("units", "list")
    assert units.exit_code == 0
    assert [line.split() for line in units.output.splitlines()] == [
        ["QS", "township", "清水镇"], ["QS-V01", "village", "青山村"]]
    assert units.output.splitlines()[1].startswith("  QS-V01")  # indented under its parent
    users = casework("users", "list")
    assert users.output.split() == ["clerk", "赵专干", "unit@QS-V01"]


def test_campaigns_create_opens_a_campaign_led_by_a_unit(database, casework):
    casework("units", "create", "清水镇", "--kind", "township", "--code", "QS")
    result = casework("campaigns", "create", "QS", "迎考核大排查", "--leader-unit", "QS", "--starts", "2026-11-01",
                      "--ends", "2026-12-31")
    assert (result.exit_code, result.output) == (0, "campaign QS (id 1) created, led by QS\n")
    assert rows(database, "SELECT code, name, starts_on, ends_on, timezone FROM campaigns") == [
        ("QS", "迎考核大排查", "2026-11-01", "2026-12-31", "Asia/Shanghai")]
    again = casework("campaigns", "create", "QS", "重复", "--leader-unit", "QS", "--starts", "2026-11-01")
    assert again.exit_code == 2 and "already exists" in again.stderr


def password_of(database: Path, username: str) -> str:
    [(hashed,)] = rows(database, "SELECT password_hash FROM users WHERE username = ?", username)
    return hashed


def test_users_create_with_password_option_makes_the_first_admin_at_a_root(database, casework):
    result = casework("users", "create", "admin", "--password", "First-admin-pass1", "--role", "admin")
    assert (result.exit_code, result.output) == (0, "user admin (id 2) created: admin at ROOT\n")
    assert verify_password(password_of(database, "admin"), "First-admin-pass1")
    assert rows(database, "SELECT u.code, m.role FROM memberships m JOIN units u ON u.id = m.unit_id") == [
        ("ROOT", "admin")]
    assert rows(database, "SELECT action FROM admin_log ORDER BY id") == [
        ("unit.create",), ("user.create",), ("role.grant",)]


def test_users_create_reads_the_password_from_the_environment(database, casework):
    casework("units", "create", "清水镇", "--kind", "township", "--code", "QS")
    casework("units", "create", "青山村", "--kind", "village", "--code", "QS-V01", "--parent", "QS")
    result = casework("users", "create", "clerk", "--role", "unit", "--unit", "QS-V01",
                      CASEWORK_PASSWORD="From-the-environment1")
    assert (result.exit_code, result.output) == (0, "user clerk (id 2) created: unit at QS-V01\n")
    assert verify_password(password_of(database, "clerk"), "From-the-environment1")


def test_users_create_prompts_for_the_password_twice(database, casework):
    result = casework("users", "create", "leader", "--role", "leader",
                      input="Typed-at-prompt1\nmistyped-once\nTyped-at-prompt1\nTyped-at-prompt1\n")
    assert result.exit_code == 0
    assert "do not match" in result.output
    assert "Typed-at-prompt1" not in result.output  # hidden input
    assert verify_password(password_of(database, "leader"), "Typed-at-prompt1")


@pytest.mark.parametrize(("args", "message"), [
    (("--password", "short"), "The password needs at least 10 characters"),
    (("--password", "only-lower-case"), "at least 3 of: upper case, lower case, digits, symbols"),
    (("--password", "Long-enough-pass1", "--unit", "NOPE"), "Unit NOPE not found"),
])
def test_users_create_refuses_with_a_message_and_exit_2(database, casework, args, message):
    result = casework("users", "create", "someone", "--role", "leader", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert rows(database, "SELECT count(*) FROM users WHERE username <> 'system'") == [(0,)]


def test_users_create_refuses_a_taken_username(database, casework):
    casework("users", "create", "admin", "--password", "First-admin-pass1", "--role", "admin")
    result = casework("users", "create", "admin", "--password", "Second-admin-pass1", "--role", "admin")
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert verify_password(password_of(database, "admin"), "First-admin-pass1")


def test_demo_then_audit_verify_passes(database, casework):
    result = casework("demo")
    assert result.exit_code == 0
    assert result.output.startswith("demo loaded: township QS, 13 villages, 9 cases")
    assert rows(database, "SELECT count(*) FROM cases") == [(9,)]
    result = casework("audit", "verify")
    # 27 workflow events and the 2 photos attached
    assert (result.exit_code, result.stdout) == (0, "audit OK: 9 case(s), 29 event(s) checked\n")
    assert "checked 9/9 cases (100%" in result.stderr  # progress, a line at each tenth in a log


def test_demo_twice_changes_nothing(database, casework):
    casework("demo")
    counts = "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events), (SELECT count(*) FROM users)"
    before = rows(database, counts)
    result = casework("demo")
    assert (result.exit_code, result.output) == (0, "the demo campaign is already loaded\n")
    assert rows(database, counts) == before


def number_of(database: Path, title: str) -> str:
    [(number,)] = rows(database, "SELECT number FROM cases WHERE title = ?", title)
    return number


def test_audit_verify_names_the_case_number_and_seq_of_a_tampered_event(database, casework):
    casework("demo")
    number = number_of(database, "青山村扶贫手册走访信息漏项")
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE case_events SET payload = ? WHERE seq = 4 AND case_id = "
                     "(SELECT id FROM cases WHERE number = ?)", ('{"comment":"已核查全部12户"}', number))
    result = casework("audit", "verify")
    assert result.exit_code == 1
    assert f"AUDIT FAILED: case {number}" in result.stderr and "event 4:" in result.stderr
    assert "was changed: its recomputed hash differs" in result.stderr


def test_audit_verify_catches_a_removed_last_event(database, casework):
    casework("demo")
    number = number_of(database, "扶贫项目信息录入不完整")
    with sqlite3.connect(database) as conn:
        conn.execute("DELETE FROM case_events WHERE seq = 5 AND case_id = (SELECT id FROM cases WHERE number = ?)",
                     (number,))
    result = casework("audit", "verify")
    assert result.exit_code == 1
    assert f"case {number}" in result.stderr and "event 5:" in result.stderr


def test_workflows_list_shows_keys_versions_and_retired_ones(tmp_path, database, casework):
    result = casework("workflows", "list")
    assert result.exit_code == 0
    assert [line.split()[:2] for line in result.output.splitlines()] == [
        ["default", "v1"], ["household", "v1"], ["work_team", "v1"]]

    folder = tmp_path / "workflows"
    shutil.copytree(workflows_dir(), folder)
    default = folder / "default.yaml"
    default.write_text(default.read_text(encoding="utf-8").replace("已销号", "已验收销号"), encoding="utf-8")
    (folder / "household.yaml").unlink()
    result = casework("workflows", "list", CASEWORK_WORKFLOWS_DIR=str(folder))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["default", "v1"], ["default", "v2"], ["household", "v1"], ["work_team", "v1"]]
    assert lines[2].endswith("(retired)") and not lines[1].endswith("(retired)")


def test_workflows_list_refuses_an_invalid_folder(tmp_path, database, casework):
    folder = tmp_path / "workflows"
    shutil.copytree(workflows_dir(), folder)
    (folder / "default.yaml").unlink()
    result = casework("workflows", "list", CASEWORK_WORKFLOWS_DIR=str(folder))
    assert result.exit_code == 1
    assert "no workflow has key 'default'" in result.stderr


def test_worker_without_redis_says_what_is_missing(casework):
    result = casework("worker")
    assert result.exit_code == 2
    assert "CASEWORK_REDIS_URL is not set" in result.stderr


@pytest.mark.parametrize("args", [("demo",), ("audit", "verify"), ("workflows", "list"),
                                  ("units", "create", "清水镇", "--kind", "township")])
def test_commands_before_db_upgrade_say_to_run_it(casework, args):
    result = casework(*args)
    assert result.exit_code == 2
    assert "run `casework db upgrade` first" in result.output


def test_audit_checkpoint_signs_what_changed_and_verify_then_catches_a_rewritten_chain(tmp_path, database, casework):
    casework("demo")
    first = casework("audit", "checkpoint")
    assert first.exit_code == 0 and first.output.startswith("checkpoint 1: 9 case(s), hash ")
    assert (tmp_path / "checkpoint_key.pem").stat().st_mode & 0o777 == 0o600
    assert casework("audit", "checkpoint").output == "nothing changed since the last checkpoint\n"
    number = number_of(database, "扶贫项目信息录入不完整")
    with sqlite3.connect(database) as conn:  # the last event gone, and the row rolled back to match
        conn.execute("DELETE FROM case_events WHERE seq = 5 AND case_id = (SELECT id FROM cases WHERE number = ?)",
                     (number,))
        conn.execute("UPDATE cases SET event_count = 4, chain_head = (SELECT hash FROM case_events e "
                     "WHERE e.case_id = cases.id AND e.seq = 4) WHERE number = ?", (number,))
    result = casework("audit", "verify")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"AUDIT FAILED: case {number}") and "shorter than a checkpoint recorded" in line
               for line in lines)
    assert lines[-1].startswith("1 finding(s); 9 case(s)")


def test_plans_import_previews_then_commits_the_sample_plan(database, casework):
    from casework.paths import sample_plan

    casework("units", "create", "清水镇", "--kind", "township", "--code", "QS")
    casework("campaigns", "create", "QS", "迎考核大排查", "--leader-unit", "QS", "--starts", "2026-11-01")
    preview = casework("plans", "import", str(sample_plan()), "--campaign", "QS")
    assert preview.exit_code == 0
    lines = [line.split() for line in preview.output.splitlines()]
    assert ["create", "三.(一).1", "贫困户增收情况排查"] in lines
    assert ["create", "三.(一).6", "满意度方面", "期限", "2026-11-30"] in lines
    assert "健康扶贫大排查" in preview.stderr  # the truncated section, reported
    assert preview.output.splitlines()[-1].startswith("preview: 10 item(s), 10 to create or update")
    assert rows(database, "SELECT count(*) FROM inspection_items") == [(0,)]
    assert casework("plans", "import", str(sample_plan()), "--campaign", "QS", "--commit").exit_code == 0
    assert rows(database, "SELECT count(*) FROM inspection_items") == [(10,)]
    again = casework("plans", "import", str(sample_plan()), "--campaign", "QS", "--commit")
    assert again.output.splitlines()[-1].startswith("done: 10 item(s), 0 to create or update")


def test_ledger_export_and_stats_on_the_command_line(tmp_path, database, casework):
    import openpyxl

    casework("demo")
    out = tmp_path / "台账.xlsx"
    result = casework("ledger", "export", "--campaign", "QS", "-o", str(out))
    assert result.output == f"wrote 9 row(s) to {out}\n"
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "编号", "排查项") and len(rows) == 11
    numbers = json.loads(casework("stats", "--campaign", "QS").output)
    assert numbers["total"] == 9 and numbers["verified"] == 1 and numbers["counted"] == 8


def test_cases_import_checks_the_whole_file_then_opens_every_case(tmp_path, database, casework):
    casework("demo")
    before = rows(database, "SELECT count(*) FROM cases")[0][0]
    good = tmp_path / "问题清单.csv"
    good.write_text("责任单位,问题来源,问题描述,整改时限\nQS-V01,暗访,公示栏未更新,2026-12-20\nQS-V02,自查,危房改造资料不全,\n",
                    encoding="gbk")
    checked = casework("cases", "import", str(good), "--campaign", "QS", "--as", "leader")
    assert checked.exit_code == 0 and "checked: 2 row(s), no problem" in checked.output
    assert rows(database, "SELECT count(*) FROM cases")[0][0] == before
    done = casework("cases", "import", str(good), "--campaign", "QS", "--as", "leader", "--commit")
    assert done.output.splitlines()[-1] == "done: 2 case(s) opened in QS"
    assert rows(database, "SELECT source FROM cases ORDER BY id DESC LIMIT 2") == [("自查",), ("暗访",)]

    bad = tmp_path / "错的.csv"
    bad.write_text("责任单位,问题描述\nQS-V99,无此单位\n", encoding="utf-8")
    refused = casework("cases", "import", str(bad), "--campaign", "QS", "--as", "leader", "--commit")
    assert refused.exit_code == 2
    assert "row      2  责任单位(编码或名称):" in refused.stderr and "QS-V99" in refused.stderr
    # a unit user may import only for their own unit
    mine = casework("cases", "import", str(good), "--campaign", "QS", "--as", "clerk")
    assert mine.exit_code == 2 and "row      3" in mine.stderr


def test_cases_sources_lists_and_adds(database, casework):
    assert casework("cases", "sources").output.splitlines()[0] == "省考核反馈"
    assert casework("cases", "sources", "--add", "媒体曝光").output.splitlines()[-1] == "媒体曝光"
    assert casework("cases", "sources", "--add", "媒体曝光").exit_code == 2
