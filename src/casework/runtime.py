"""What a process (web app, CLI, worker) opens once: settings, engine and session factory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from casework.config import Settings
from casework.db import make_engine, make_sessionmaker


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, settings: Settings | None = None) -> "Runtime":
        settings = settings or Settings.from_env()
        engine = make_engine(settings.database_url)
        return cls(settings=settings, engine=engine, sessions=make_sessionmaker(engine))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def sync_workflows(self) -> list:
        """Validate workflows/ and register changed definitions as new versions."""
        from casework.migrate import require_current
        from casework.workflows import registry

        require_current(self.engine)
        with self.transaction() as session:
            return registry.sync_folder(session=session, folder=self.settings.workflows_dir)

    def close(self) -> None:
        self.engine.dispose()
