"""Counting by time in SQL: a timestamp column as the quarter hour it falls in (UTC).

Counts per day in a campaign's own time zone cannot be grouped by a date in SQL that SQLite and
PostgreSQL share; counted per quarter hour, they can, and every time zone's offset is a whole
number of quarter hours, so each bucket lies within one local day. A series of days is then at most
96 rows a day, however many cases it counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Integer, cast, extract, func
from sqlalchemy.orm import Session

BUCKET_SECONDS = 900
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def bucket(session: Session, column):
    """SQL: the quarter hour (counted from 1970, UTC) the column's time falls in."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite keeps UTC times as text; strftime('%s') reads them as seconds since 1970.
        return cast(func.strftime("%s", column), Integer) / BUCKET_SECONDS
    return cast(func.floor(extract("epoch", column) / BUCKET_SECONDS), Integer)


def start_of(number: int) -> datetime:
    """When bucket `number` begins (UTC)."""
    return _EPOCH + timedelta(seconds=int(number) * BUCKET_SECONDS)
