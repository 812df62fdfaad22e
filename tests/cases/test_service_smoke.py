from casework.audit.verify import verify_all


def test_a_case_goes_from_found_to_verified_with_an_intact_chain(session, make):
    leader = make.user("leader", "township")
    clerk = make.user("unit", "village")
    case = make.case("village", by=leader)
    assert case.state == "found" and case.number.endswith("-2026-0001")
    case = make.fire(case, "assign", leader, assignee_id=clerk.id)
    case = make.fire(case, "start", clerk)
    case = make.fire(case, "submit", clerk)
    case = make.fire(case, "verify", leader)
    assert (case.state, case.version, case.event_count) == ("verified", 5, 5)
    result = verify_all(session=session)
    assert result.ok and result.checked == 5
