"""Size limits, content types and odd requests under both real servers: every answer the app
makes is in its JSON error shape, chunked or not."""

from __future__ import annotations

import pytest

from tests.serving.raw import chunked, send, sign_in

TEN_MB = b'{"title": "' + b"x" * (10 * 1024 * 1024) + b'"}'


@pytest.fixture(scope="module")
def token(server) -> str:
    return sign_in(server)


def _head(method: str, path: str, token: str, extra: str) -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n{extra}"
            "Connection: close\r\n\r\n").encode()


def _assert_error(answer, status: int, code: str) -> None:
    assert answer.status == status, answer.body[:300]
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["error"]["code"] == code


def test_a_json_body_over_2_mib_is_413(server, token):
    head = _head("POST", "/api/v1/cases", token, f"Content-Type: application/json\r\nContent-Length: {len(TEN_MB)}\r\n")
    _assert_error(send(server, head, body_chunks=[TEN_MB]), 413, "payload_too_large")


def test_a_chunked_json_body_over_2_mib_is_413(server, token):
    head = _head("POST", "/api/v1/cases", token, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")
    _assert_error(send(server, head, body_chunks=chunked([TEN_MB])), 413, "payload_too_large")


def test_a_chunked_body_that_is_not_json_is_415(server, token):
    head = _head("POST", "/api/v1/cases", token, "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n")
    _assert_error(send(server, head, body_chunks=chunked([b"title=x" * 1000])), 415, "unsupported_media_type")


def test_a_small_chunked_json_body_is_read_as_any_other(server, token):
    head = _head("POST", "/api/v1/cases", token, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")
    answer = send(server, head, body_chunks=chunked([b'{"title": "', "路灯损坏".encode(), b'"}'], size=4))
    _assert_error(answer, 422, "validation_failed")  # campaign_id and unit_id are missing, and said so
    assert set(answer.json()["error"]["details"]["fields"]) == {"campaign_id", "unit_id"}


def test_an_unknown_path_and_a_wrong_method_are_json(server, token):
    _assert_error(send(server, _head("GET", "/api/v1/nothing", token, "")), 404, "not_found")
    _assert_error(send(server, _head("DELETE", "/api/v1/cases", token, "")), 405, "method_not_allowed")


def test_chinese_comes_back_as_utf_8(server, token):
    answer = send(server, _head("GET", "/api/v1/cases?limit=1", token, "Accept-Language: zh-CN\r\n"))
    assert answer.status == 200
    assert b"\\u" not in answer.body and answer.json()["items"][0]["state_label"] in answer.body.decode()
    refused = send(server, _head("GET", "/api/v1/nothing", token, ""))
    assert "找不到该地址".encode() in refused.body


def test_an_over_long_request_line_is_refused_by_the_server_itself(server, token):
    # Past 8 KiB (gunicorn) or the header limit (waitress) the server answers before the app is
    # called, in its own format (README, production notes); it must not crash or hang.
    answer = send(server, _head("GET", "/api/v1/cases?q=" + "x" * 70000, token, ""))
    assert answer.status in (400, 414, 431)
