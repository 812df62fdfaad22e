"""Running the Alembic migrations: the only way the schema is made outside tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from casework.paths import migrations_dir


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


class SchemaOutOfDate(Exception):
    """The database lacks the schema this code expects."""


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is not at the latest migration, saying what to run."""
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        where = "has no schema yet" if current is None else f"is at revision {current}, not {head}"
        raise SchemaOutOfDate(f"the database {where}; run `casework db upgrade` first")
