"""The demo shows overdue and nearly due work on whatever day it is loaded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework import demo
from casework.cases import queries
from casework.cases.models import Case
from casework.units.models import Unit
from casework.users.models import User


@pytest.mark.parametrize("today", [date(2026, 11, 29), date(2027, 6, 3)])
def test_deadlines_count_from_the_day_the_demo_is_loaded(runtime, session, today):
    assert demo.load(session=session, password="Casework-2026", storage=runtime.storage, work_dir=runtime.settings.storage_dir, today=today) == 9
    rows = session.execute(select(Case, Unit.code).join(Unit, Unit.id == Case.unit_id)).all()
    late = [(case.state, code) for case, code in rows if case.deadline and case.deadline < today and case.closed_at is None]
    soon = [case.title for case, _ in rows if case.deadline and today <= case.deadline <= today + timedelta(days=2)]
    assert ("found", "QS-V01") in late  # the leader's first job in the walk-through: assign it to the clerk
    assert len(late) >= 3 and len(soon) >= 2
    assert ("rectifying", "QS-V01") in [(case.state, code) for case, code in rows]


def test_loaded_today_its_overdue_cases_show_as_overdue(runtime, session):
    demo.load(session=session, password="Casework-2026", storage=runtime.storage, work_dir=runtime.settings.storage_dir, today=date.today())
    leader = session.scalars(select(User).where(User.username == "leader")).one()
    listed, _ = queries.list_cases(session=session, user=leader, filters=queries.CaseFilters(overdue=True),
                                   sort="deadline", limit=50, after=None)
    assert {c.title for c in listed} >= {"青山村3户危房改造资料缺失", "柳溪村3户贫困户系统信息与实际不一致"}


def test_loading_the_demo_twice_opens_nothing_more(runtime, session):
    assert demo.load(session=session, password="Casework-2026", storage=runtime.storage, work_dir=runtime.settings.storage_dir, today=date(2026, 11, 29)) == 9
    assert demo.load(session=session, password="Casework-2026", storage=runtime.storage, work_dir=runtime.settings.storage_dir, today=date(2026, 11, 29)) == 0


def test_the_demo_s_evidence_is_real_files_in_the_store(runtime, session):
    from casework.evidence.models import Evidence

    demo.load(session=session, password="Casework-2026", storage=runtime.storage,
              work_dir=runtime.settings.storage_dir, today=date(2026, 11, 29))
    photos = session.scalars(select(Evidence)).all()
    assert [(e.filename, e.content_type) for e in photos] == [("考勤表.jpg", "image/jpeg"), ("入户走访.jpg", "image/jpeg")]
    for evidence in photos:
        assert runtime.storage.size(evidence.sha256) == evidence.size
        assert evidence.taken_at is not None and evidence.gps_lat is not None and evidence.thumbnail_sha256
