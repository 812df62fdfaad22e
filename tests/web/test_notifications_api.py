"""The inbox over HTTP: what a person was told, newest first, read and unread."""

from __future__ import annotations

from tests.web.helpers import assert_error


def _assigned_cases(runtime, town, as_, count: int) -> list[dict]:
    leader = as_("leader")
    opened = []
    for i in range(count):
        case = leader.open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"), title=f"问题{i}",
                                village="青山村", deadline="2030-12-01")
        opened.append(leader.fire_ok(case, "assign", assignee_id=town.user("clerk")))
    runtime.jobs.run_pending()  # the notifications are the work of a job, after commit
    return opened


def test_an_assignment_lands_in_the_assignee_s_inbox_in_their_language(runtime, town, as_):
    [case] = _assigned_cases(runtime, town, as_, 1)
    inbox = as_("clerk").get("/api/v1/notifications").get_json()
    assert inbox["unread"] == 1 and inbox["next_cursor"] is None
    [item] = inbox["items"]
    assert (item["kind"], item["case_id"], item["read_at"]) == ("assigned", case["id"], None)
    assert item["message"] == f"新交办:{case['number']}「问题0」(青山村),整改时限 2030-12-01"
    english = as_("clerk").get("/api/v1/notifications", headers={"Accept-Language": "en"}).get_json()["items"][0]
    assert english["message"] == f"New case for you: {case['number']} “问题0” (青山村), due 2030-12-01"
    assert as_("leader").get("/api/v1/notifications").get_json()["items"] == []  # nobody else was told


def test_a_rejection_tells_the_assignee_why(runtime, town, as_):
    [case] = _assigned_cases(runtime, town, as_, 1)
    clerk, leader = as_("clerk"), as_("leader")
    clerk.fire_ok(case, "start")
    clerk.fire_ok(case, "submit")
    leader.fire_ok(case, "reject", reason="照片看不清门牌号")
    runtime.jobs.run_pending()
    messages = [n["message"] for n in clerk.get("/api/v1/notifications").get_json()["items"]]
    assert messages[0] == f"被退回整改:{case['number']}「问题0」,理由:照片看不清门牌号"
    # who checks it: the nearest leader over the village, the village's own
    to_check = [n["kind"] for n in as_("village_leader").get("/api/v1/notifications").get_json()["items"]]
    assert to_check == ["to_verify"]


def test_the_inbox_pages_newest_first_and_marks_read(runtime, town, as_):
    _assigned_cases(runtime, town, as_, 5)
    clerk = as_("clerk")
    first = clerk.get("/api/v1/notifications?limit=2").get_json()
    second = clerk.get(f"/api/v1/notifications?limit=2&cursor={first['next_cursor']}").get_json()
    ids = [n["id"] for n in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    assert clerk.post(f"/api/v1/notifications/{ids[0]}/read").get_json() == {"marked": 1}
    assert clerk.post(f"/api/v1/notifications/{ids[0]}/read").get_json() == {"marked": 0}
    assert clerk.get("/api/v1/notifications").get_json()["unread"] == 4
    unread = [n["id"] for n in clerk.get("/api/v1/notifications?unread=true").get_json()["items"]]
    assert len(unread) == 4 and ids[0] not in unread
    assert clerk.post("/api/v1/notifications/read-all").get_json() == {"marked": 4}
    assert clerk.get("/api/v1/notifications").get_json()["unread"] == 0


def test_someone_else_s_notification_is_not_found(runtime, town, as_):
    _assigned_cases(runtime, town, as_, 1)
    theirs = as_("clerk").get("/api/v1/notifications").get_json()["items"][0]["id"]
    assert_error(as_("leader").post(f"/api/v1/notifications/{theirs}/read"), 404, "notification_not_found")


def test_an_admin_over_the_whole_tree_sets_a_local_holiday_that_others_read(town, as_):
    body = {"day": "2027-01-04", "is_workday": False, "note": "本镇赶集日"}
    assert as_("admin").post("/api/v1/calendar", body).get_json()["is_workday"] is False
    listed = as_("clerk").get("/api/v1/calendar?year=2027").get_json()["items"]
    assert [(d["day"], d["is_workday"], d["note"]) for d in listed] == [("2027-01-04", False, "本镇赶集日")]
    assert_error(as_("leader").post("/api/v1/calendar", body), 403, "forbidden")
