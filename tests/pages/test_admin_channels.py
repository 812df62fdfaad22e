"""The channels page (/admin/channels): an admin adds a group robot for a village, presses the test
button and reads what the robot answered; a failing channel shows its error; the secret typed in
never appears on a page; and in a real browser the page is usable at 375 px and axe-clean."""

from __future__ import annotations

import json

import pytest

from casework.web.app import create_app

from tests.channels.conftest import receiver  # noqa: F401 - a fixture
from tests.pages.browsing import ARTIFACTS, DESKTOP, PHONE, shoot, sign_in
from tests.pages.conftest import SQLITE_ONLY
from tests.pages.helpers import Browser, text_of

SECRET = "SEC1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"
TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"


@pytest.fixture
def admin(runtime, town):
    """The admin at a browser, on an install whose channels may post to this machine."""
    runtime.settings = runtime.settings.with_(channels_private=True)
    person = Browser(create_app(runtime=runtime))
    assert person.sign_in("admin").status_code == 303
    return person


@SQLITE_ONLY
def test_an_admin_adds_a_robot_tests_it_and_sees_what_it_answered(admin, town, receiver):
    added = admin.post("/admin/channels", {"kind": "dingtalk", "unit_id": str(town.unit("village")),
                                           "target": receiver.url(f"/robot/send?access_token={TOKEN}"),
                                           "secret": SECRET, "name": "青山村工作群"})
    assert added.status_code == 303, text_of(added)[:500]
    listed = text_of(admin.get(added.headers["Location"]))
    assert "青山村工作群" in listed and "钉钉群机器人" in listed and "已设密钥" in listed and "…" in listed
    channel_id = added.headers["Location"].rsplit("channel-", 1)[1]
    tested = admin.post(f"/admin/channels/{channel_id}/test")
    assert tested.status_code == 303
    shown = text_of(admin.get(tested.headers["Location"]))
    assert "测试消息已送达「青山村工作群」" in shown and '"errcode": 0' in shown.replace("&#34;", '"')
    assert receiver.got[0].query["access_token"] == TOKEN and "测试消息" in receiver.got[0].json()["markdown"]["text"]
    receiver.otherwise = (200, {"errcode": 310000, "errmsg": "sign not match"})
    failed = text_of(admin.get(admin.post(f"/admin/channels/{channel_id}/test").headers["Location"]))
    assert "测试消息未送达「青山村工作群」" in failed and "errcode 310000" in failed
    assert "发送失败" in failed and "sign not match" in failed  # the card: failing, with its last error
    for page in (listed, shown, failed):
        assert SECRET not in page and TOKEN not in page


@SQLITE_ONLY
def test_a_bad_target_is_said_beside_the_form_and_keeps_what_was_typed(admin, town):
    refused = admin.post("/admin/channels", {"kind": "email", "unit_id": str(town.unit("village")),
                                             "target": "青山村邮箱", "secret": SECRET, "name": "村邮箱"})
    assert refused.status_code == 422
    page = text_of(refused)
    assert "请填写一个有效的邮箱地址" in page and 'value="青山村邮箱"' in page and SECRET not in page


@SQLITE_ONLY
def test_people_who_are_not_admins_do_not_see_the_tab(runtime, town):
    person = Browser(create_app(runtime=runtime))
    person.sign_in("leader")
    assert person.get("/admin/channels").status_code == 403


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_channels_page_fits_a_phone_and_has_no_serious_accessibility_problems(chromium, served, axe, size):
    context = chromium.new_context(locale="zh-CN", bypass_csp=True, **(PHONE if size == "phone" else DESKTOP))
    page = context.new_page()
    sign_in(page, served, "admin")
    page.goto(served.url("/admin/channels"))
    page.select_option("#f-kind", "webhook")
    page.select_option("#f-unit", label="青山村")
    page.fill("#f-target", "http://127.0.0.1:9/county/notify")  # this install does not post to itself
    page.fill("#f-name", "县平台")
    page.click("#add button[type=submit]")
    page.wait_for_selector("#problem")
    assert "不能发送到本机或内网地址" in page.inner_text("#problem")
    page.fill("#f-target", "https://notify.example.gov.cn/hook/8a7b6c5d4e3f2a1b0c9d8e7f")
    page.click("#add button[type=submit]")
    page.wait_for_selector(".channel-card")
    assert "…8e7f" in page.inner_text(".channel-card")
    page.add_script_tag(path=str(axe))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    violations = [{"id": v["id"], "impact": v["impact"], "where": [n["target"] for n in v["nodes"]]}
                  for v in result["violations"]]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, f"admin-channels-{size}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-admin-channels-{size}.json").write_text(json.dumps(violations, indent=2, ensure_ascii=False))
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    context.close()
