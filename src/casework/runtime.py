"""What a process (web app, CLI, worker) opens once: settings, engine and session factory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from casework.config import Settings
from casework.db import make_engine, make_sessionmaker, snapshot_options


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    # Set by whoever runs jobs for this process (jobs.dispatch.attach): the web app, a worker.
    jobs: object = None
    _storage: object = None

    @classmethod
    def open(cls, settings: Settings | None = None) -> "Runtime":
        settings = settings or Settings.from_env()
        engine = make_engine(settings.database_url)
        runtime = cls(settings=settings, engine=engine, sessions=make_sessionmaker(engine))
        event.listen(runtime.sessions, "after_commit", runtime._after_commit)
        event.listen(runtime.sessions, "after_rollback", runtime._after_rollback)
        return runtime

    @property
    def storage(self):
        """Where evidence and packs are kept, by SHA-256: a local folder, or an S3 bucket."""
        if self._storage is None:
            from casework.evidence.storage import storage_from_settings

            s3 = {f"s3_{key}": value for key, value in self.settings.s3.items()}
            self._storage = storage_from_settings(kind=self.settings.storage, local_root=self.settings.storage_dir, **s3)
        return self._storage

    def _after_commit(self, session: Session) -> None:
        from casework.outbox.service import PENDING

        # Without a dispatcher (a command line tool), the rows wait for the next catch-up pass.
        written = session.info.pop(PENDING, None)
        if written and self.jobs is not None:
            self.jobs.kick([(row.id, row.topic) for row in written])

    @staticmethod
    def _after_rollback(session: Session) -> None:
        from casework.outbox.service import PENDING

        session.info.pop(PENDING, None)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only unit of work that sees one moment of the database and blocks no writer."""
        with self.engine.connect().execution_options(**snapshot_options(self.engine)) as connection:
            with Session(bind=connection) as session, session.begin():
                yield session

    def sync_workflows(self) -> list:
        """Validate workflows/ and register changed definitions as new versions."""
        from casework.migrate import require_current
        from casework.workflows import registry

        require_current(self.engine)
        with self.transaction() as session:
            return registry.sync_folder(session=session, folder=self.settings.workflows_dir)

    def close(self) -> None:
        if self.jobs is not None:
            self.jobs.close()
        self.engine.dispose()
