"""Generated requests, smoke level: whatever a client sends, the answer is never a 5xx.

Bodies and query strings are built from arbitrary JSON values, text with odd unicode (lone
surrogates, NUL, right-to-left marks, combining marks, astral characters), huge integers and
NaN/Infinity, mixed with values that are almost right so the requests get past the schema.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.helpers import assert_error

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

odd_text = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=20),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "\udfff", "x\udc00y", "\u202e", "\ufeff", "e\u0301",
                     "𠀀", "😀", "%", "_", "\\", "'", '"', "NULL", "null", "1e309", "-0", "2026-02-30",
                     "9999-12-31", "0001-01-01", "\n\t\r", "長" * 301, "x" * 20001]),
    st.builds(lambda ch, n: ch * n, st.characters(), st.integers(0, 3000)),
)
numbers = st.one_of(
    st.integers(), st.integers(min_value=-2**80, max_value=2**80), st.sampled_from([0, -1, 1, 2, 3, 2**31 - 1, 2**31,
                                                                                     2**63, -2**63 - 1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
)
json_values = st.recursive(st.none() | numbers | odd_text,
                           lambda children: st.lists(children, max_size=4) | st.dictionaries(odd_text, children,
                                                                                               max_size=4),
                           max_leaves=12)
anything = st.one_of(json_values, numbers, odd_text)


def ids(*good: int):
    return st.one_of(st.sampled_from(good), anything)


def _body(value) -> bytes:
    # ensure_ascii writes lone surrogates as \udXXX escapes, allow_nan writes NaN and Infinity
    return json.dumps(value, allow_nan=True).encode()


def _check(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert_error(response, response.status_code)


@pytest.fixture
def leader(town, login):
    return login("leader")


@pytest.fixture
def a_case(town, as_) -> int:
    return as_("leader").open_case(campaign_id=town.campaign_id, unit_id=town.unit("village"))["id"]


def test_opening_cases_never_fails_with_a_server_error(client, town, leader):
    case_bodies = st.fixed_dictionaries({}, optional={
        "campaign_id": ids(town.campaign_id), "unit_id": ids(*town.units.values()), "item_id": ids(1),
        "title": odd_text, "description": odd_text, "village": odd_text,
        "severity": st.sampled_from(["low", "normal", "high"]) | anything,
        "deadline": st.dates().map(str) | anything, "extra": anything,
    })
    keys = st.none() | odd_text.filter(lambda k: "\n" not in k and "\r" not in k)  # the client refuses those

    @FUZZ
    @given(body=st.one_of(case_bodies, json_values), key=keys)
    def run(body, key):
        headers = dict(leader)
        if key is not None:
            try:
                key.encode("latin-1")
            except UnicodeEncodeError:
                key = key.encode("utf-8", "surrogatepass").decode("latin-1")
            headers["Idempotency-Key"] = key
        response = client.post("/api/v1/cases", data=_body(body), content_type="application/json", headers=headers)
        _check(response)
        if response.status_code == 201:
            assert response.get_json()["state"] == "found"

    run()


def test_firing_events_never_fails_with_a_server_error(client, town, leader, a_case):
    event_bodies = st.fixed_dictionaries(
        {"event": st.sampled_from(["assign", "start", "submit", "verify", "reject", "reopen", "dismiss", "extend",
                                   "reassign", "note", "open"]) | anything,
         "version": st.integers(1, 8) | anything},
        optional={"reason": odd_text, "comment": odd_text, "assignee_id": ids(*town.users.values()),
                  "unit_id": ids(*town.units.values()), "deadline": st.dates().map(str) | anything,
                  "extra": anything})

    @FUZZ
    @given(body=st.one_of(event_bodies, json_values), case_id=st.sampled_from([a_case, a_case, 2**31 - 1]))
    def run(body, case_id):
        _check(client.post(f"/api/v1/cases/{case_id}/events", data=_body(body), content_type="application/json",
                           headers=leader))

    run()


def test_listing_cases_never_fails_with_a_server_error(client, town, leader, a_case):
    keys = st.sampled_from(["state", "unit_id", "campaign_id", "assignee_id", "overdue", "q", "sort", "limit",
                            "cursor"]) | odd_text
    values = st.one_of(odd_text, numbers.map(str), st.sampled_from(["true", "false", "found", "deadline", "-created_at",
                                                                    "number", "1", "200", "201"]))

    @FUZZ
    @given(query=st.dictionaries(keys, values, max_size=5), raw=st.none() | st.binary(max_size=60))
    def run(query, raw):
        if raw is not None:
            query_string = raw.decode("latin-1")  # as a WSGI server hands over whatever bytes came
        else:
            query_string = urlencode(query, encoding="utf-8", errors="surrogatepass")
        response = client.get("/api/v1/cases", environ_overrides={"QUERY_STRING": query_string}, headers=leader)
        _check(response)
        if response.status_code == 200:
            assert isinstance(response.get_json()["items"], list)

    run()


def test_raw_bytes_never_fail_with_a_server_error(client, town, leader, a_case):
    @FUZZ
    @given(raw=st.binary(max_size=200), url=st.sampled_from(["/api/v1/cases", f"/api/v1/cases/{a_case}/events",
                                                             "/api/v1/auth/token", "/api/v1/units", "/api/v1/users"]))
    def run(raw, url):
        _check(client.post(url, data=raw, content_type="application/json", headers=leader))

    run()
