"""The database: declarative base, engine and session factory (plain SQLAlchemy, no Flask)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from casework.sqlite_writers import queue_writers

# Named constraints let Alembic's batch mode drop and recreate them on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always aware UTC in Python, whatever the database hands back.

    SQLite returns naive datetimes and PostgreSQL aware ones; the audit chain hashes times, so
    both must come back the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is timezone.utc:
            return value  # PostgreSQL's, the connection's time zone being UTC (make_engine)
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


BUSY_TIMEOUT = 10.0  # seconds a SQLite writer waits for another before giving up


def _prepare_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        cursor.close()

    # A long read (verification, an export) takes a snapshot: in WAL mode it sees one moment of
    # the database while writers carry on.
    queue_writers(engine, timeout=BUSY_TIMEOUT,
                  reads_alone=lambda connection: bool(connection.get_execution_options().get(SNAPSHOT_OPTION)))


SNAPSHOT_OPTION = "casework_snapshot"


def snapshot_options(engine: Engine) -> dict:
    """Execution options for a long read that must see one moment of the database and block nobody."""
    if engine.dialect.name == "sqlite":
        return {SNAPSHOT_OPTION: True}
    return {SNAPSHOT_OPTION: True, "isolation_level": "REPEATABLE READ", "postgresql_readonly": True}


def make_engine(url: str, *, foreign_keys: bool = True, **kwargs) -> Engine:
    """An engine for `url`, with SQLite set up for concurrent use.

    `foreign_keys=False` is for the migrations only: SQLite changes a column by copying the table
    and dropping the old one, which its foreign key checks refuse while other tables refer to it.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": BUSY_TIMEOUT})
    elif url.startswith("postgresql"):
        # Times then arrive in UTC already, with no conversion for each one read (millions, when
        # verifying); nothing here reads a time in the server's own zone.
        kwargs.setdefault("connect_args", {"options": "-c TimeZone=UTC"})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _prepare_sqlite(engine, foreign_keys=foreign_keys)
    else:
        _ping_when_idle(engine)
    return engine


# A pooled connection unused this long is checked before use (the server may have restarted, a
# firewall may have dropped it); one in steady use is not, which saves a round trip a request.
IDLE_BEFORE_PING = 10.0
_RETURNED = "casework_returned_at"


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection, record, _proxy):
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < IDLE_BEFORE_PING:
            return  # new, or in steady use
        try:
            alive = engine.dialect.do_ping(dbapi_connection)  # what pool_pre_ping does on every checkout
        except Exception:  # noqa: BLE001 - any failure: the pool replaces the connection
            alive = False
        if not alive:
            raise DisconnectionError()


def safe_url(url: str) -> str:
    """The database URL with its password hidden, fit to print."""
    return make_url(url).render_as_string(hide_password=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
