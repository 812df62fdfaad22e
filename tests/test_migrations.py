"""The migrations are the only way the schema is made: they must build exactly what the models
describe, on both backends, and running them again must change nothing."""

from __future__ import annotations

import warnings

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, create_engine, inspect, text

from casework.migrate import alembic_config, upgrade
from casework.models import Base


@pytest.fixture
def migrated_url(backend, tmp_path, request) -> str:
    """A database brought to head by the migrations alone: a fresh SQLite file, or the run's
    PostgreSQL database (migrated once per run)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        upgrade(url)
        return url
    return request.getfixturevalue("pg_database_url")


def drift(url: str, metadata: MetaData = Base.metadata) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            # Neither side of the comparison can read an index on an expression: the test below
            # checks the one there is by name.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            warnings.filterwarnings("ignore", "autogenerate skipping .*expression-based index")
            warnings.filterwarnings("ignore", "autogenerate skipping functional index")
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_the_deadline_sort_has_its_expression_index(migrated_url):
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                found = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'ix_cases_deadline_order'")
            else:
                found = conn.exec_driver_sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_cases_deadline_order'")
            definition = found.scalar_one().lower()
    finally:
        engine.dispose()
    assert "coalesce(deadline, '9999-12-31'" in definition and "id" in definition


def head(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_what_the_models_describe(migrated_url):
    assert drift(migrated_url) == []
    assert current(migrated_url) == head(migrated_url)


def test_the_comparison_would_notice_a_model_the_migrations_lack(migrated_url):
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["cases"].append_column(Column("priority", String(16)))
    assert [(d[0], d[3].name) for d in drift(migrated_url, changed)] == [("add_column", "priority")]


def test_upgrading_again_changes_nothing(migrated_url):
    engine = create_engine(migrated_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (code, name, kind, path, created_at) "
                          "VALUES ('KEEP', '保留', 'township', '/', CURRENT_TIMESTAMP)"))
    try:
        upgrade(migrated_url)
        upgrade(migrated_url)
        assert current(migrated_url) == head(migrated_url)
        assert drift(migrated_url) == []
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM units WHERE code = 'KEEP'")).scalar_one() == "保留"
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM units WHERE code = 'KEEP'"))
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_downgrading_to_nothing_and_back_gives_the_same_schema(migrated_url):
    command.downgrade(alembic_config(migrated_url), "base")
    engine = create_engine(migrated_url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade(migrated_url)
    assert drift(migrated_url) == []


def test_existing_data_migrates_and_still_verifies(backend, tmp_path, request):
    """Data written before the projection columns, the chained admin log and the system actor
    existed: going back to the first schema and up again refills them from the record itself."""
    from casework import memo
    from casework.audit.verify import verify_all
    from casework.runtime import Runtime

    from tests.conftest import make_runtime
    from tests.drive import Driver
    from tests.factories import Factory

    runtime = make_runtime(backend, tmp_path, request)
    runtime.sync_workflows()
    with runtime.transaction() as session:
        make = Factory(session)
        for target in ("found", "evidenced", "verified", "dismissed"):
            driver = Driver(make, "village")
            driver.to_state(driver.open(deadline="2026-12-01"), target)
    url = str(runtime.engine.url.render_as_string(hide_password=False))
    runtime.close()
    command.downgrade(alembic_config(url), "0001")
    upgrade(url)
    memo.forget_all()
    runtime = Runtime.open(runtime.settings)
    try:
        with runtime.snapshot() as session:
            result = verify_all(session=session, key_path=tmp_path / "no-key-yet.pem")
        assert result.ok, [f.line() for f in result.findings]
        assert result.cases == 4
        with runtime.sessions() as session:
            closed = session.execute(text("SELECT state, closed_at IS NOT NULL FROM cases ORDER BY id")).all()
        assert [tuple(row) for row in closed] == [("found", False), ("evidenced", False), ("verified", True),
                                                  ("dismissed", True)]
    finally:
        runtime.close()
