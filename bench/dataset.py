"""A county's worth of data on PostgreSQL: 500 units, 20 campaigns, a million cases, ~5M events.

Every case has a valid chain (each event hashed over its canonical form and the hash before it)
and a row equal to the replay of its events, so `casework audit verify` passes over all of it;
cases and events go in by COPY, hashed in two processes. The database is kept between runs (named
by its size) and brought to the schema head by the migrations when a new one has landed, as a
county's own database would be.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from casework.cases import projection
from casework.trail.chain import GENESIS, dumps, event_text

PASSWORD = "Bench-password-2026"
TOWNSHIPS, VILLAGES_PER_TOWNSHIP, CAMPAIGNS = 24, 20, 20  # 1 + 24 + 480 = 505 units
CHUNK = 20_000
# Paths a case has taken so far, with how often: on average 5 events a case.
PATHS = [
    (0.40, ["open", "assign", "start", "note", "submit", "verify"]),
    (0.30, ["open", "assign", "start", "note", "note", "note"]),
    (0.15, ["open", "assign", "start", "submit"]),
    (0.10, ["open", "assign"]),
    (0.05, ["open"]),
]
TITLES = ["危房改造资料缺少验收照片", "扶贫手册信息漏项", "收入调查表与扶贫手册不一致", "饮水安全未达标",
          "低保户名单未公示", "驻村工作队考勤记录不全", "产业奖补资金未按时发放", "易地搬迁后续帮扶措施不实"]
COLUMNS = ("id", "number", "campaign_id", "item_id", "unit_id", "assignee_id", "village", "household_id", "source",
           "category", "title", "description", "severity", "deadline", "state", "workflow_key", "workflow_version",
           "self_inspection", "version", "chain_head", "event_count", "checkpointed_count", "escalation_level",
           "closed_at", "state_since", "clock_seq", "next_due_at", "opened_by", "created_at", "updated_at")
EVENT_COLUMNS = ("case_id", "seq", "event", "from_state", "to_state", "actor_id", "at", "payload", "prev_hash", "hash")


@dataclass(frozen=True)
class World:
    """What the cases refer to: ids only, so it crosses to the hashing processes."""

    campaigns: list[tuple[int, str, int]]  # id, code, year
    villages: list[tuple[int, str, int, int]]  # unit id, name, its worker's user id, its township leader's id
    workflow: tuple[str, int, dict[str, str]]  # key, version, event → to_state
    closed: frozenset[str]


def database_name(cases: int) -> str:
    return f"casework_bench_{cases}"


def bring_up_to_date(url: str, log) -> None:
    """Run the migrations that landed since the dataset was built, then refresh the planner's numbers."""
    from alembic.runtime.migration import MigrationContext

    from casework.migrate import upgrade

    engine = create_engine(url)

    def current() -> str | None:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    before = current()
    upgrade(url)
    after = current()
    if after != before:
        log(f"migrated the dataset from {before} to {after}")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def exists(admin_url: str, name: str) -> bool:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    engine.dispose()
    if not found:
        return False
    engine = create_engine(admin_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT done FROM bench_meta")).scalar())
    except Exception:  # a build that died half-way: no meta table, or not done
        return False
    finally:
        engine.dispose()


def build(admin_url: str, name: str, cases: int, log) -> None:
    """Make the database `name` with `cases` cases (dropping a half-built one first)."""
    from casework.migrate import upgrade

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    started = time.perf_counter()
    world = _people_and_places(url)
    log(f"units, users and campaigns in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    _fill(url, world, cases, log)
    log(f"{cases:,} cases with their events in {time.perf_counter() - started:.0f} s")
    engine = create_engine(url)
    with engine.begin() as conn:
        for campaign_id, _code, _year in world.campaigns:
            conn.execute(text("UPDATE campaigns SET case_seq = (SELECT count(*) FROM cases WHERE campaign_id = :c) "
                              "WHERE id = :c"), {"c": campaign_id})
        conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
        conn.execute(text("CREATE TABLE bench_meta (done boolean, cases integer)"))
        conn.execute(text("INSERT INTO bench_meta VALUES (true, :n)"), {"n": cases})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _people_and_places(url: str) -> World:
    from casework.campaigns import service as campaigns
    from casework.config import Settings
    from casework.paths import workflows_dir
    from casework.runtime import Runtime
    from casework.units import service as units
    from casework.users import service as users
    from casework.users.models import User
    from casework.workflows import registry

    folder = Path(tempfile.mkdtemp(prefix="casework-bench-"))
    settings = Settings(instance_dir=folder, database_url=url, redis_url=None, storage_dir=folder, secret_key="bench",
                        workflows_dir=workflows_dir(), jobs="manual")
    runtime = Runtime.open(settings)
    runtime.sync_workflows()
    with runtime.transaction() as session:
        root = units.create(session=session, name="县乡村振兴局", kind="office", code="X")
        users.create(session=session, username="county_leader", password=PASSWORD, display_name="县领导",
                     memberships=[(root, "leader")])
        users.create(session=session, username="county_auditor", password=PASSWORD, display_name="县纪委",
                     memberships=[(root, "auditor")])
        template = session.scalars(select(User).where(User.username == "county_leader")).one()
        villages = []
        for t in range(TOWNSHIPS):
            township = units.create(session=session, name=f"第{t + 1}镇", kind="township", parent=root, code=f"X-T{t:02d}")
            leader = _user(session, template, f"leader_t{t:02d}", f"第{t + 1}镇书记", township, "leader")
            for v in range(VILLAGES_PER_TOWNSHIP):
                village = units.create(session=session, name=f"第{t + 1}镇{v + 1}村", kind="village", parent=township,
                                       code=f"X-T{t:02d}-V{v:02d}")
                worker = _user(session, template, f"clerk_t{t:02d}_v{v:02d}", f"{village.name}专干", village, "unit")
                villages.append((village.id, village.name, worker, leader))
        made = [campaigns.create(session=session, name=f"2026年第{c + 1}轮排查整改", code=f"C{c:02d}",
                                 starts_on=date(2025, 1, 1) + timedelta(days=30 * c), leader_unit=root)
                for c in range(CAMPAIGNS)]
        pinned = registry.choose(session=session, unit_kind="village", override=None)
        moves = {key: spec.target for key, spec in pinned.definition.events.items() if spec.target}
        world = World(campaigns=[(c.id, c.code, c.starts_on.year) for c in made], villages=villages,
                      workflow=(pinned.key, pinned.version, moves),
                      closed=frozenset(s for s in pinned.definition.states if pinned.definition.is_closed(s)))
    runtime.close()
    return world


def _user(session, template, username: str, display: str, unit, role: str) -> int:
    """A user with the template's password hash: hashing 500 passwords would take a minute."""
    from casework.users.models import Membership, User

    user = User(username=username, display_name=display, password_hash=template.password_hash)
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, unit_id=unit.id, role=role))
    return user.id


def _fill(url: str, world: World, cases: int, log) -> None:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    chunks = [(world, start, min(CHUNK, cases - start)) for start in range(0, cases, CHUNK)]
    with psycopg.connect(dsn) as conn, multiprocessing.Pool(2) as pool:
        done = 0
        for case_text, event_text, count in pool.imap(_chunk, chunks):
            with conn.cursor() as cur:
                with cur.copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    copy.write(case_text)
                with cur.copy(f"COPY case_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
                    copy.write(event_text)
            conn.commit()
            done += count
            if done % 100_000 == 0 or done == cases:
                log(f"  {done:,} cases")


def _field(value: Any) -> str:
    """One value in COPY's text format (the texts written here hold no tab, newline or backslash)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _chunk(job: tuple[World, int, int]) -> tuple[str, str, int]:
    """Cases start+1 … start+count and their events, hashed and replayed, as COPY text."""
    world, start, count = job
    case_lines, event_lines = [], []
    key, version, moves = world.workflow
    for index in range(start, start + count):
        case_row, events = _case(world, index, key, version, moves)
        case_lines.append("\t".join(map(_field, case_row)))
        event_lines.extend("\t".join(map(_field, event)) for event in events)
    return "\n".join(case_lines) + "\n", "\n".join(event_lines) + "\n", count


def _case(world: World, index: int, key: str, version: int, moves: dict[str, str]) -> tuple[tuple, list[tuple]]:
    rng = random.Random(index)
    case_id = index + 1
    campaign_id, code, year = world.campaigns[index % len(world.campaigns)]
    unit_id, village, worker, leader = world.villages[rng.randrange(len(world.villages))]
    roll, path = rng.random(), PATHS[-1][1]
    for share, candidate in PATHS:
        if roll < share:
            path = candidate
            break
        roll -= share
    at = datetime(year, 1, 1, 8, tzinfo=timezone.utc) + timedelta(days=rng.randrange(600),
                                                                   seconds=rng.randrange(36_000))
    deadline = (at + timedelta(days=rng.randrange(10, 60))).date()
    steps, rows, state, prev = [], [], None, GENESIS
    for seq, event in enumerate(path, start=1):
        if event == "open":
            actor, to_state = leader, "found"
            payload: dict[str, Any] = {
                "number": f"{code}-{year}-{index // len(world.campaigns) + 1:04d}", "campaign_id": campaign_id,
                "item_id": None, "unit_id": unit_id, "assignee_id": None,
                "title": f"{village}{TITLES[index % len(TITLES)]}", "description": "入户核查发现,需限期整改。",
                "village": village, "household_id": None, "source": "自查", "category": None,
                "severity": "normal", "deadline": deadline.isoformat(), "self_inspection": False,
                "workflow": {"key": key, "version": version}}
        else:
            at += timedelta(days=rng.randrange(1, 5), seconds=rng.randrange(3600))
            actor = leader if event in ("assign", "verify") else worker
            to_state = moves.get(event, state)
            payload = {"assignee_id": worker} if event == "assign" else (
                {"comment": "已入户核查,正在整改"} if event == "note" else {})
        stored = dumps(payload)
        digest = hashlib.sha256(event_text(case_id=case_id, seq=seq, event=event, from_state=state, to_state=to_state,
                                           actor_id=actor, at=at, payload_text=stored, prev_hash=prev)
                                .encode()).hexdigest()
        steps.append(projection.Step(seq, event, state, to_state, actor, at, payload, digest))
        rows.append((case_id, seq, event, state, to_state, actor, at, stored, prev, digest))
        state, prev = to_state, digest
    row = projection.replay(steps, lambda _key, _version: _Closed(world.closed))
    row.update(id=case_id, checkpointed_count=0, next_due_at=None)
    return tuple(row[column] for column in COLUMNS), rows


class _Closed:
    """The one thing the replay asks of the workflow: which states are closed."""

    def __init__(self, closed: frozenset[str]) -> None:
        self.closed = closed

    def is_closed(self, state: str) -> bool:
        return state in self.closed


def build_sqlite(folder: Path, url: str, cases: int, log) -> None:
    """The same kind of data, smaller, in an SQLite file: the embedded default's database."""
    from sqlalchemy import insert

    from casework.cases.models import Case
    from casework.migrate import upgrade
    from casework.trail.models import CaseEvent

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "casework.db").unlink(missing_ok=True)
    upgrade(url)
    world = _people_and_places(url)
    engine = create_engine(url)
    key, version, moves = world.workflow
    for start in range(0, cases, CHUNK):
        case_rows, event_rows = [], []
        for index in range(start, min(cases, start + CHUNK)):
            case_row, events = _case(world, index, key, version, moves)
            case_rows.append(dict(zip(COLUMNS, case_row)))
            event_rows += [dict(zip(EVENT_COLUMNS, event)) for event in events]
        with engine.begin() as conn:
            conn.execute(insert(Case), case_rows)
            conn.execute(insert(CaseEvent), event_rows)
    with engine.begin() as conn:
        for campaign_id, _code, _year in world.campaigns:
            conn.execute(text("UPDATE campaigns SET case_seq = (SELECT count(*) FROM cases WHERE campaign_id = :c) "
                              "WHERE id = :c"), {"c": campaign_id})
        conn.execute(text("ANALYZE"))
    engine.dispose()
    log(f"  {cases:,} cases on SQLite")
