"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a session, and factories.

PostgreSQL tests use a fresh database per run, dropped afterwards. They are skipped when the
server cannot be reached, unless CASEWORK_REQUIRE_POSTGRES=1 (as .ci/run sets), which makes
that a failure instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from casework.config import Settings
from casework import memo
from casework.jobs.dispatch import attach as attach_jobs
from casework.migrate import upgrade
from casework.models import Base
from casework.paths import workflows_dir
from casework.runtime import Runtime
from casework.users.passwords import use_cheap_parameters

from tests.factories import Factory

PG_ADMIN_URL = os.environ.get("CASEWORK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("CASEWORK_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]

use_cheap_parameters()


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not available"
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}"


@pytest.fixture(scope="session")
def pg_database_url():
    """A fresh PostgreSQL database for this test run, migrated once and dropped at the end."""
    problem = _postgres_problem()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem + " (CASEWORK_REQUIRE_POSTGRES=1)")
        pytest.skip(problem + " (set CASEWORK_REQUIRE_POSTGRES=1, as .ci/run does, to fail instead)")
    name = f"casework_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (cheaper than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # What the migrations put in an empty install: the system actor and the chains' heads.
        conn.execute(text("INSERT INTO users (username, display_name, password_hash, is_active, token_generation, "
                          "must_change_password, failed_logins, created_at) "
                          "VALUES ('system', '系统', '!', false, 0, false, 0, now())"))
        conn.execute(text("INSERT INTO chain_heads (name, seq, hash) VALUES ('admin_log', 0, :g), "
                          "('checkpoints', 0, :g)"), {"g": "0" * 64})
    engine.dispose()
    # Ids start again from 1: what the process remembered of the old rows no longer holds.
    memo.forget_all()


def _settings(tmp_path: Path, database_url: str, **extra) -> Settings:
    return Settings(
        instance_dir=tmp_path, database_url=database_url, redis_url=None,
        storage_dir=tmp_path / "evidence", secret_key="test-secret-key-" + uuid.uuid4().hex,
        workflows_dir=workflows_dir(), jobs="manual", **extra,
    )


def make_runtime(backend: str, tmp_path: Path, request) -> Runtime:
    if backend == "sqlite":
        path = tmp_path / "casework.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_database_url")
        _truncate_all(url)
    return Runtime.open(_settings(tmp_path, url))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def runtime(backend, tmp_path, request):
    """A migrated, empty database on the backend, with the shipped workflows registered."""
    rt = make_runtime(backend, tmp_path, request)
    rt.sync_workflows()
    attach_jobs(rt)
    yield rt
    rt.close()


@pytest.fixture
def session(runtime):
    """A session inside one transaction, rolled back at the end (services never commit)."""
    with runtime.sessions() as session:
        session.begin()
        yield session
        session.rollback()


@pytest.fixture
def make(session) -> Factory:
    return Factory(session)

