"""Per-process memory of facts that never change once written (a workflow version's definition,
a campaign's time zone), keyed by the database they came from.

Each process asks the database once per fact instead of once per request. Tests that empty a
database and reuse its ids call `forget_all()`.
"""

from __future__ import annotations

from typing import Any, Hashable

from sqlalchemy.orm import Session

_memos: list["Memo"] = []


class Memo:
    """A dict of immutable facts per database."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, Hashable], Any] = {}
        _memos.append(self)

    @staticmethod
    def _where(session: Session) -> str:
        bind = session.get_bind()
        return str(bind.engine.url)  # an Engine's .engine is itself; a Connection's, its engine

    def get(self, session: Session, key: Hashable) -> Any | None:
        return self._data.get((self._where(session), key))

    def put(self, session: Session, key: Hashable, value: Any) -> Any:
        return self._data.setdefault((self._where(session), key), value)

    def replace(self, session: Session, key: Hashable, value: Any) -> Any:
        """Remember a fact that may be refreshed (a value with its own expiry)."""
        self._data[(self._where(session), key)] = value
        return value

    def clear(self) -> None:
        self._data.clear()


def forget_all() -> None:
    """Forget every memo (a database was emptied and its ids will be reused)."""
    for memo in _memos:
        memo.clear()
