"""One error shape for every failure, in Chinese unless the client asks for English; never a 500 for bad input."""

from __future__ import annotations

import re

import pytest

from tests.web.helpers import CHINESE, POSTGRES_ONLY, assert_error

pytestmark = POSTGRES_ONLY

# Each write route, with a valid body to spoil (filled in from the township by `_target`).
WRITES = {
    "open_case": ("POST", "/api/v1/cases"),
    "fire_event": ("POST", "/api/v1/cases/{case}/events"),
    "create_unit": ("POST", "/api/v1/units"),
    "create_user": ("POST", "/api/v1/users"),
    "update_user": ("PATCH", "/api/v1/users/{clerk}"),
    "create_campaign": ("POST", "/api/v1/campaigns"),
    "create_item": ("POST", "/api/v1/campaigns/{campaign}/items"),
    "sign_in": ("POST", "/api/v1/auth/token"),
}

# name → (raw body, expected status)
BAD_BODIES = {
    "malformed": (b'{"title": ', 400),
    "not_utf8": (b'{"title": "\xff\xfe"}', 400),
    "raw_surrogate_bytes": (b'{"title": "\xed\xa0\x80"}', 400),
    "trailing_garbage": (b'{"title": "x"} {}', 400),
    "duplicate_key": (b'{"title": "x", "title": "y"}', 400),
    "year_one": (b'{"deadline": "0001-01-01", "starts_on": "0001-01-01", "campaign_id": 1, "unit_id": 1}', 422),
    "deeply_nested": (b"[" * 100_000 + b"]" * 100_000, 400),
    "deep_object": (b'{"a":' * 40 + b"1" + b"}" * 40, 400),
    "5000_digit_number": (b'{"title": 1' + b"0" * 5000 + b"}", 400),
    "5000_digit_float": (b'{"title": 1.' + b"0" * 5000 + b"1}", 422),
    "array": (b"[1, 2, 3]", 422),
    "string": (b'"hello"', 422),
    "number": (b"42", 422),
    "null": (b"null", 422),
    "empty_object": (b"{}", 422),
    "unknown_field": (b'{"no_such_field": 1}', 422),
    "huge_int": (b'{"campaign_id": 1000000000000000000000000000000, "unit_id": 1, "parent_id": 1,'
                 b' "leader_unit_id": 1, "version": 1000000000000000000000000000000}', 422),
    "nan": (b'{"campaign_id": NaN, "unit_id": NaN, "version": NaN, "title": NaN, "username": NaN}', 422),
    "infinity": (b'{"campaign_id": Infinity, "unit_id": -Infinity, "version": Infinity, "name": Infinity}', 422),
    "nul_character": (b'{"title": "a\\u0000b", "name": "a\\u0000b", "username": "a\\u0000b",'
                      b' "display_name": "a\\u0000b", "event": "a\\u0000b"}', 422),
    "lone_surrogate": (b'{"title": "\\ud800", "name": "\\udfff", "username": "\\ud800x",'
                       b' "display_name": "\\ud800", "event": "\\ud800"}', 422),
    "wrong_types": (b'{"title": ["x"], "name": {"a": 1}, "username": true, "campaign_id": "1", "unit_id": 1.5,'
                    b' "version": "1", "event": 7, "is_active": "maybe", "starts_on": 20261101}', 422),
    "over_long": (("{" + ", ".join(f'"{f}": "{"长" * 25000}"' for f in (
        "title", "name", "username", "display_name", "password", "reason", "comment", "description")) + "}"
                  ).encode(), 422),
}


@pytest.fixture
def targets(town, as_):
    case = as_("leader").open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))
    return {"case": case["id"], "clerk": town.user("clerk"), "campaign": town.campaign_id}


@pytest.mark.parametrize("route", sorted(WRITES))
def test_bad_bodies_are_refused_with_the_error_shape(client, login, targets, route):
    method, url = WRITES[route]
    headers = {} if route == "sign_in" else login("admin" if route in ("create_unit", "create_user", "update_user")
                                                  else "leader")
    for bad, (body, status) in BAD_BODIES.items():
        if route == "update_user" and bad == "empty_object":
            status = 200  # every field of an update is optional
        response = client.open(url.format(**targets), method=method, data=body, content_type="application/json",
                               headers=headers)
        assert response.status_code == status, (bad, response.status_code, response.get_data(as_text=True)[:300])
        if status >= 400:
            error = assert_error(response, status)
            assert CHINESE.search(error["message"]), (bad, error)


def test_a_validation_error_names_each_field(client, login, town):
    response = client.post("/api/v1/cases", json={"campaign_id": "1", "title": "x" * 301, "colour": "red"},
                           headers=login("leader"))
    error = assert_error(response, 422, "validation_failed")
    assert set(error["details"]["fields"]) == {"campaign_id", "title", "unit_id", "colour"}
    assert error["message"] == "提交的数据有误,请检查 details 中列出的字段"


def test_flask_s_own_404_is_in_the_error_shape(client):
    for url in ("/api/v1/nothing-here", "/nothing", "/api/v2/cases"):
        assert_error(client.get(url), 404, "not_found")


def test_a_wrong_method_is_405_in_the_error_shape(client, town, login):
    for method, url in [("DELETE", "/api/v1/cases"), ("PUT", "/api/v1/cases/1"), ("DELETE", "/api/v1/units/1"),
                        ("POST", "/api/v1/openapi.json"), ("DELETE", "/api/v1/auth/token")]:
        assert_error(client.open(url, method=method, headers=login("admin")), 405, "method_not_allowed")


def test_a_body_over_2_mib_is_413(client, town, login):
    body = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    for headers in ({}, login("leader")):
        assert_error(client.post("/api/v1/cases", data=body, content_type="application/json", headers=headers),
                     413, "payload_too_large")


def test_a_body_that_is_not_json_is_415(client, town, login):
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                         "application/xml", None):
        response = client.post("/api/v1/cases", data=b'{"title": "x"}', content_type=content_type,
                               headers=login("leader"))
        assert_error(response, 415, "unsupported_media_type")
    response = client.patch(f"/api/v1/users/{town.user('clerk')}", data=b"is_active=false",
                            content_type="application/x-www-form-urlencoded", headers=login("admin"))
    assert_error(response, 415, "unsupported_media_type")


def test_huge_or_odd_ids_in_paths_are_404(client, town, login):
    for url in ("/api/v1/cases/99999999999999999999", "/api/v1/cases/2147483648", "/api/v1/cases/0",
                "/api/v1/cases/-1", "/api/v1/cases/1.5", "/api/v1/cases/abc", "/api/v1/units/99999999999999999999",
                "/api/v1/users/2147483648", "/api/v1/campaigns/99999999999999999999/items",
                "/api/v1/cases/99999999999999999999/history", "/api/v1/cases/" + "9" * 5000):
        assert_error(client.get(url, headers=login("admin")), 404)
    response = client.post("/api/v1/cases/99999999999999999999/events", json={"event": "note", "version": 1},
                           headers=login("leader"))
    assert_error(response, 404)


def test_the_largest_id_is_simply_not_found(client, town, login):
    assert_error(client.get("/api/v1/cases/2147483647", headers=login("admin")), 404, "case_not_found")
    response = client.post("/api/v1/cases/2147483647/events", json={"event": "note", "version": 1, "comment": "x"},
                           headers=login("leader"))
    assert_error(response, 404, "case_not_found")


def test_bad_query_strings_never_give_a_500(client, town, login):
    for query, status in [
        ("limit=0", 422), ("limit=100000", 422), ("sort=bogus", 422), ("cursor=garbage", 400),
        ("overdue=maybe", 422), ("limit=" + "9" * 5000, 422), ("unit_id=" + "9" * 5000, 422), ("q=%00", 422),
        ("q=%ED%A0%80", 200), ("state=%E4%B8%AD", 422), ("limit=1&limit=2", 200), ("unknown=1", 200),
        ("assignee_id=-1", 422), ("campaign_id=1e3", 422), ("overdue=", 422),
    ]:
        response = client.get(f"/api/v1/cases?{query}", headers=login("leader"))
        if status == 200:
            assert response.status_code == 200, query
        else:
            assert_error(response, status)
    assert_error(client.get("/api/v1/units?parent_id=abc", headers=login("leader")), 422)
    assert_error(client.get("/api/v1/units?kind=castle", headers=login("leader")), 422)
    assert_error(client.get("/api/v1/workflows/default?version=" + "9" * 5000, headers=login("leader")), 422)


def test_messages_are_chinese_by_default_and_english_on_request(client, town, login):
    def message(accept_language: str | None, url="/api/v1/nothing", headers=None) -> str:
        headers = dict(headers or {})
        if accept_language:
            headers["Accept-Language"] = accept_language
        return client.get(url, headers=headers).get_json()["error"]["message"]

    assert message(None) == "找不到该地址"
    assert message("zh-CN,zh;q=0.9") == "找不到该地址"
    assert message("fr-FR") == "找不到该地址"
    assert message("en") == "No such resource"
    assert message("en-US,en;q=0.9,zh;q=0.5") == "No such resource"
    assert message("zh;q=0.9,en;q=0.8") == "找不到该地址"
    assert message("en", "/api/v1/cases") == "Sign in first (no valid bearer token)"
    assert message("en", "/api/v1/cases?limit=0", login("leader")) == \
        "The data is invalid; see the fields listed in details"
    response = client.post("/api/v1/cases", data=b"{", content_type="application/json",
                           headers={**login("leader"), "Accept-Language": "en"})
    assert assert_error(response, 400, "malformed_json")["message"] == \
        "The body is not valid JSON: the body could not be parsed"


def test_domain_errors_fill_their_message_from_details(client, town, login):
    leader = login("leader")
    case = client.post("/api/v1/cases", json={"campaign_id": town.campaign_id, "unit_id": town.unit("village"),
                                              "title": "x"}, headers=leader).get_json()
    body = {"event": "verify", "version": 1}
    zh = assert_error(client.post(f"/api/v1/cases/{case['id']}/events", json=body, headers=leader), 409)
    en = assert_error(client.post(f"/api/v1/cases/{case['id']}/events", json=body,
                                  headers={**leader, "Accept-Language": "en"}), 409)
    assert zh["message"] == "当前状态“发现问题”下不能执行“验收通过”"
    assert en["message"] == "Event 'verify' is not allowed in state 'found'"
    assert zh["details"] == en["details"]


def test_a_query_string_in_raw_gbk_is_400_not_500(client, town, login):
    # e.g. `curl '.../cases?q=危房'` typed in a GBK terminal: the bytes arrive unescaped
    raw = "q=危房".encode("gbk").decode("latin-1")
    for url in ("/api/v1/cases", "/api/v1/units", "/api/v1/workflows/default"):
        response = client.get(url, environ_overrides={"QUERY_STRING": raw}, headers=login("leader"))
        assert assert_error(response, 400, "malformed_query")["message"] == "查询参数不是有效的 UTF-8 编码,请对参数做 URL 编码"
    utf8 = client.get("/api/v1/cases", environ_overrides={"QUERY_STRING": "q=危房".encode().decode("latin-1")},
                      headers=login("leader"))
    assert utf8.status_code == 200


def test_validation_messages_read_in_the_caller_s_language(client, town, login):
    body = {"campaign_id": town.campaign_id, "unit_id": town.unit("village"), "title": "x" * 301,
            "deadline": "2026-13-45", "severity": "urgent", "colour": "red"}
    zh = assert_error(client.post("/api/v1/cases", json=body, headers=login("leader")), 422)["details"]["fields"]
    assert zh == {"title": ["长度须在 1 到 300 之间"], "deadline": ["必须是日期,格式为 年-月-日(如 2026-11-30)"],
                  "severity": ["须为以下之一:low, normal, high"], "colour": ["不认识的字段"]}
    en = assert_error(client.post("/api/v1/cases", json=body, headers={**login("leader"), "Accept-Language": "en"}),
                      422)["details"]["fields"]
    assert en["title"] == ["Length must be between 1 and 300."] and en["colour"] == ["Unknown field."]


def test_a_service_refusal_explains_its_reason_in_chinese(client, town, login):
    body = {"campaign_id": town.campaign_id, "unit_id": town.unit("village"), "title": "x", "deadline": "2100-01-01"}
    error = assert_error(client.post("/api/v1/cases", json=body, headers=login("leader")), 422, "invalid_field")
    assert error["message"] == "字段“deadline”无效:日期须在 2000-01-01 至 2099-12-31 之间"
    assert error["details"]["reason"] == "日期须在 2000-01-01 至 2099-12-31 之间"
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", error["message"])  # no English sentence left in it


def test_chinese_is_sent_as_utf_8_not_escaped(client, town, login):
    response = client.get("/api/v1/nothing")
    assert "找不到该地址".encode() in response.get_data()
    assert b"\\u" not in response.get_data()
