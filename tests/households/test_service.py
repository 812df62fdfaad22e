"""The households service as the cases package and the command line use it: finding by number,
scope, moving a household between villages, and the operator's import over the whole tree."""

from __future__ import annotations

import pytest

from casework import personal_data
from casework.errors import Forbidden, NotFound
from casework.households import import_register as registers
from casework.households import service
from casework.tables import TableRefused
from casework.units import service as units

from tests.households.people import as_csv

ID = "430124195608120035"


@pytest.fixture
def key(runtime):
    return personal_data.load(runtime.settings.data_key_path)


def _import(session, key, rows, actor=None, commit=True):
    return registers.import_register(session=session, key=key, data=as_csv(rows), actor=actor, commit=commit)


def test_by_number_and_visible_answer_in_scope_only(session, make, key):
    leader, outsider = make.user("leader", "township"), make.user("leader", "village2")
    made = service.create(session=session, actor=leader, key=key, number="QS01-0001", head_name="王建国",
                          village_id=make.unit("village").id, id_number=ID)
    assert service.by_number(session=session, number=" QS01-0001 ").id == made.id
    assert service.by_number(session=session, number="QS01-0001", user=leader).id == made.id
    assert service.visible(session=session, user=leader, household_id=made.id) is made
    with pytest.raises(NotFound) as missing:
        service.by_number(session=session, number="QS01-0001", user=outsider)
    assert missing.value.code == "household_not_found"
    with pytest.raises(NotFound):
        service.visible(session=session, user=outsider, household_id=made.id)
    with pytest.raises(NotFound):
        service.by_number(session=session, number="QS09-9999")


def test_the_operator_imports_over_the_whole_tree_and_a_dry_run_writes_nothing(session, make, key):
    make.tree()
    rows = [{"户编号": "A-1", "户主姓名": "王建国", "身份证号": ID, "村(社区)": "青山村", "帮扶责任人": "帮扶责任人"},
            {"户编号": "A-2", "户主姓名": "李秀英", "村(社区)": "T-V2"}]
    preview = _import(session, key, rows, commit=False)
    assert [o.action for o in preview.rows] == ["create", "create"] and not preview.committed
    assert service.list_households(session=session, user=make.user("admin"), key=key,
                                   filters=service.HouseholdFilters(), limit=10, after=None)[0] == []
    done = _import(session, key, rows)
    assert [o.household_id is not None for o in done.rows] == [True, True]
    first = service.by_number(session=session, number="A-1")
    assert service.personal(key=key, household=first) == {"id_number": ID, "phone": None}
    assert first.officer_id == make.unit("assistance_officer").id and first.created_by is None


def test_moving_a_household_needs_a_leader_over_both_villages(session, make, key):
    township = make.user("leader", "township")
    _import(session, key, [{"户编号": "A-1", "户主姓名": "王建国", "村(社区)": "青山村"}], actor=township)
    two_villages = make.user("leader", "village2", ("unit", "village"))
    with pytest.raises(TableRefused) as refused:
        _import(session, key, [{"户编号": "A-1", "户主姓名": "王建国", "村(社区)": "石桥村"}], actor=two_villages)
    assert [(p.row, p.field, p.code) for p in refused.value.problems] == [(2, "village", "household_village_not_yours")]
    moved = _import(session, key, [{"户编号": "A-1", "户主姓名": "王建国", "村(社区)": "石桥村"}], actor=township)
    assert [c["column"] for c in moved.rows[0].changes] == ["村(社区)"]
    assert service.by_number(session=session, number="A-1").village_id == make.unit("village2").id


def test_a_name_two_units_share_must_be_given_as_a_code(session, make, key):
    units.create(session=session, name="青山村", kind="village", parent=make.unit("township"), code="T-V9")
    with pytest.raises(TableRefused) as refused:
        _import(session, key, [{"户编号": "A-1", "户主姓名": "王建国", "村(社区)": "青山村"}])
    assert refused.value.problems[0].code == "register_unit_ambiguous"
    assert _import(session, key, [{"户编号": "A-1", "户主姓名": "王建国", "村(社区)": "T-V9"}]).rows[0].village == "青山村"


def test_registering_in_a_village_one_only_works_in_is_forbidden(session, make, key):
    clerk_and_leader = make.user("unit", "village", ("leader", "village2"))
    with pytest.raises(Forbidden) as refused:
        service.create(session=session, actor=clerk_and_leader, key=key, number="A-1", head_name="王建国",
                       village_id=make.unit("village").id)
    assert refused.value.code == "household_village_not_yours"
