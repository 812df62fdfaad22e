"""The pages in a real browser (headless Chromium) against `casework serve` with the demo loaded:
the day's work from an overdue finding to a verified case, at a desk and on a phone; a photo
taken with no signal; the weight of the first page and its speed on a slow network; accessibility.

Screenshots are kept in tests/pages/artifacts/.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

import pytest

from casework import demo_files
from tests.pages.browsing import (
    ARTIFACTS,
    CLERK_NAME,
    CLERKS_RECTIFYING,
    DESKTOP,
    OVERDUE_FOUND,
    PHONE,
    Taps,
    Transfer,
    shoot,
    sign_in,
)

pytestmark = pytest.mark.browser
SIZES = {"desktop": DESKTOP, "phone": PHONE}
WEIGHT_BUDGET = 150_000  # bytes on the wire for the first load of a page
SLOW_BUDGET_S = 6.0


def _photo(tmp_path, seed: int):
    path = tmp_path / f"现场照片{seed}.jpg"
    path.write_bytes(demo_files.photo(seed=seed, taken_at=datetime.now()))
    return path


def _context(chromium, size: str, **extra):
    return chromium.new_context(locale="zh-CN", **SIZES[size], **extra)


def _case_id(page) -> int:
    return int(re.search(r"/cases/(\d+)$", page.url).group(1))


def _state(page) -> str:
    return page.locator(".case-head .badge").first.inner_text()


def _evidence_count(served, case_id: int) -> int:
    return len(served.api("GET", f"/api/v1/cases/{case_id}/evidence", "auditor")["items"])


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_overdue_finding_assigned_rectified_sent_back_and_verified(chromium, served, tmp_path, size):
    touch = size == "phone"
    leader_context, clerk_context = _context(chromium, size), _context(chromium, "phone")
    leader, clerk = leader_context.new_page(), clerk_context.new_page()

    # The leader finds the overdue finding in the case list …
    sign_in(leader, served, "leader")
    leader.click(".tabs >> text=事项列表")
    leader.click("summary:has-text('筛选与排序')")
    leader.select_option("#f-overdue", "true")  # htmx swaps the results in and updates the address
    leader.wait_for_url(re.compile(r"/cases\?.*overdue=true"))
    row = leader.locator(".case-row", has_text=OVERDUE_FOUND)
    assert leader.locator(".case-row").count() == leader.locator(".case-row .due-late").count() >= 1
    shoot(leader, f"day-case-list-{size}")
    row.locator("input[name=case]").check()
    leader.click("text=交办所选事项")
    # … and assigns it to the village clerk, from the keyboard.
    chooser = leader.locator("select[id^=f-assignee-]")
    chooser.select_option(label=CLERK_NAME)
    chooser.focus()
    leader.keyboard.press("Tab")
    assert leader.evaluate("document.activeElement.textContent").startswith("确认交办")
    shoot(leader, f"day-bulk-assign-{size}")
    leader.keyboard.press("Enter")
    leader.wait_for_selector("text=1 件中 1 件已交办")
    shoot(leader, f"day-bulk-assign-done-{size}")

    # The clerk, on a phone, starts it from "my work" …
    sign_in(clerk, served, "clerk")
    card = clerk.locator(".case-card", has_text=OVERDUE_FOUND)
    card.locator("text=开始整改").tap()
    clerk.wait_for_selector(".case-head .badge.state-rectifying")
    case_id = _case_id(clerk)
    shoot(clerk, f"day-case-started-phone-for-{size}")
    # … and from the started case, takes a photo and submits: counted tap by tap.
    taps = Taps(touch=True)
    with clerk.expect_file_chooser() as chosen:
        taps(clerk.locator(".camera-pick"))  # opens the camera
    chosen.value.set_files(_photo(tmp_path, 11))  # the phone's own camera takes the picture
    taps(clerk.locator(".camera-send"))
    clerk.wait_for_selector(".case-head .badge.state-evidenced")
    assert taps.count == 2  # at most 3 were asked for; starting the case was one more, on "my work"
    shoot(clerk, f"day-case-submitted-phone-for-{size}")

    # The leader sends it back once, with a reason …
    leader.goto(served.url(f"/cases/{case_id}"))
    reject = leader.locator("details.event-form", has_text="退回整改")
    (reject.locator("summary").tap if touch else reject.locator("summary").click)()
    reject.locator("textarea[name=reason]").fill("照片未体现档案归档情况,请补拍档案柜。")
    reject.locator("button[type=submit]").click()
    leader.wait_for_selector(".case-head .badge.state-rectifying")
    assert "照片未体现档案归档情况" in leader.locator(".timeline").inner_text()

    # … the clerk resubmits from "my work" …
    clerk.goto(served.url("/"))
    card = clerk.locator(".case-card", has_text=OVERDUE_FOUND)
    with clerk.expect_file_chooser() as chosen:
        card.locator(".camera-pick").tap()
    chosen.value.set_files(_photo(tmp_path, 12))
    card.locator(".camera-send").tap()
    clerk.wait_for_selector(".case-head .badge.state-evidenced")

    # … and the leader verifies it.
    leader.goto(served.url(f"/cases/{case_id}"))
    leader.locator("button", has_text="验收通过").click()
    leader.wait_for_selector(".case-head .badge.state-verified")
    assert _state(leader) == "已销号"
    assert leader.locator(".ev-thumb img").count() == 2
    shoot(leader, f"day-case-verified-{size}")
    assert _evidence_count(served, case_id) == 2
    leader_context.close()
    clerk_context.close()


def test_a_photo_taken_without_signal_waits_and_is_sent_once_when_it_returns(chromium, served, tmp_path):
    context = _context(chromium, "phone")
    page = context.new_page()
    sign_in(page, served, "clerk")
    card = page.locator(".case-card", has_text=CLERKS_RECTIFYING)
    context.set_offline(True)
    with page.expect_file_chooser() as chosen:
        card.locator(".camera-pick").tap()
    photo = _photo(tmp_path, 21)
    chosen.value.set_files(photo)
    card.locator(".camera-send").tap()
    page.wait_for_selector("#queue:has-text('等待发送')")
    assert "等待发送" in card.locator(".camera-status").inner_text()
    shoot(page, "offline-waiting-phone")
    # Hours later it would be the same: the photo is in the page's IndexedDB, not in memory.
    stored = page.evaluate("""() => new Promise(done => {
        const open = indexedDB.open('casework');
        open.onsuccess = () => open.result.transaction('uploads').objectStore('uploads').getAll().onsuccess =
            e => done(e.target.result.map(i => [i.caseId, i.file.size, i.then]));
    })""")
    assert stored == [[card.get_attribute("data-case"), photo.stat().st_size, "submit"]]  # the original file
    context.set_offline(False)
    page.wait_for_selector(".case-head .badge.state-evidenced")
    case_id = _case_id(page)
    assert _evidence_count(served, case_id) == 1
    shoot(page, "offline-sent-phone")
    context.close()


def test_the_upload_shows_its_progress(chromium, served, tmp_path):
    context = _context(chromium, "phone")
    page = context.new_page()
    sign_in(page, served, "clerk")
    card = page.locator(".case-card", has_text=CLERKS_RECTIFYING)
    # A poor uplink. (Chromium's emulation slows the network below the page, so the page sees its
    # bytes leave at once and then waits for the answer; a real slow uplink moves the bar gradually.)
    Transfer(context, page).throttle(latency_ms=0, bytes_per_second=3_000)
    with page.expect_file_chooser() as chosen:
        card.locator(".camera-pick").tap()
    chosen.value.set_files(_photo(tmp_path, 51))
    card.locator(".camera-send").tap()
    page.wait_for_function("""() => {
        const bar = document.querySelector('.case-card .camera-progress');
        return bar && !bar.hidden && bar.value > 0;
    }""")
    assert re.search(r"正在发送|正在等服务器确认", page.locator("#queue").inner_text())
    shoot(page, "upload-progress-phone")
    page.wait_for_selector(".case-head .badge.state-evidenced", timeout=20_000)
    context.close()


def test_a_dropped_answer_is_retried_with_the_same_key_and_attaches_once(chromium, served, tmp_path):
    context = _context(chromium, "phone")
    page = context.new_page()
    sign_in(page, served, "clerk")
    keys = []

    def lose_the_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server keeps the photo …
            route.abort("connectionreset")  # … but the answer never reaches the phone
        else:
            route.continue_()

    page.route(re.compile(r".*/cases/\d+/evidence$"), lose_the_first_answer)
    card = page.locator(".case-card", has_text=CLERKS_RECTIFYING)
    with page.expect_file_chooser() as chosen:
        card.locator(".camera-pick").tap()
    chosen.value.set_files(_photo(tmp_path, 31))
    card.locator(".camera-send").tap()
    page.wait_for_selector(".case-head .badge.state-evidenced", timeout=20_000)
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    assert _evidence_count(served, _case_id(page)) == 1
    context.close()


def test_a_session_that_ended_keeps_the_photo_until_the_person_signs_in(chromium, served, tmp_path):
    context = _context(chromium, "phone")
    page = context.new_page()
    sign_in(page, served, "clerk")
    card = page.locator(".case-card", has_text=CLERKS_RECTIFYING)
    context.set_offline(True)
    with page.expect_file_chooser() as chosen:
        card.locator(".camera-pick").tap()
    chosen.value.set_files(_photo(tmp_path, 41))
    card.locator(".camera-send").tap()
    page.wait_for_selector("#queue:has-text('等待发送')")
    context.clear_cookies()  # the session ends while the phone has no signal
    context.set_offline(False)
    page.wait_for_selector("#queue:has-text('登录已过期')")
    shoot(page, "offline-signed-out-phone")
    page.locator("#queue .queue-action").tap()
    page.fill("#f-username", "clerk")
    page.fill("#f-password", "Casework-2026")
    page.locator("form .btn-primary[type=submit]").tap()
    # Back in "my work", the photo goes, the case is submitted, and the list shows it so.
    page.wait_for_selector("#queue:has-text('照片已发送')")
    card = page.locator(".case-card", has_text=CLERKS_RECTIFYING)
    assert card.locator(".badge").inner_text() == "待验收"
    case_id = int(card.get_attribute("data-case"))
    assert _evidence_count(served, case_id) == 1
    shoot(page, "offline-signed-in-again-phone")
    context.close()


def _first_load(chromium, served, path: str, *, signed_in: bool = True, throttle: bool = False):
    """Load `path` in a phone's browser that has nothing cached (signed in elsewhere first, or not
    at all): (bytes on the wire, seconds until it is usable, bytes per file)."""
    cookies = []
    if signed_in:
        signed = _context(chromium, "phone")
        sign_in(signed.new_page(), served, "clerk")
        cookies = signed.cookies()
        signed.close()
    context = _context(chromium, "phone")
    context.add_cookies(cookies)
    page = context.new_page()
    transfer = Transfer(context, page)
    if throttle:
        transfer.throttle(latency_ms=400, bytes_per_second=400_000 // 8)
    started = time.monotonic()
    page.goto(served.url(path), wait_until="commit")
    # Usable: the list (or the form) is there, styled, and the page's script is running.
    page.wait_for_selector("#my-cases .case-card, .auth-card", state="visible")
    page.wait_for_function("""() => document.documentElement.classList.contains('js')
        && getComputedStyle(document.querySelector('.case-card, .auth-card')).borderTopLeftRadius === '14px'""")
    usable = time.monotonic() - started
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    weight, detail = transfer.total(), transfer.by_url()
    context.close()
    return weight, usable, detail


def test_the_first_page_a_phone_loads_weighs_under_150_kb(chromium, served):
    results = {}
    for path, signed_in in (("/", True), ("/sign-in", False)):
        weight, _usable, detail = _first_load(chromium, served, path, signed_in=signed_in)
        results[path] = {"bytes": weight, "files": detail}
        assert weight <= WEIGHT_BUDGET, (path, weight, detail)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "first-load-weight.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


def test_my_work_is_usable_within_6_seconds_at_400_kbps_and_400_ms(chromium, served):
    weight, usable, _detail = _first_load(chromium, served, "/", throttle=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "slow-network.json").write_text(json.dumps({"bytes": weight, "usable_seconds": round(usable, 2)}))
    assert usable <= SLOW_BUDGET_S, usable


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_pages_have_no_serious_accessibility_problems(chromium, served, axe, size):
    context = _context(chromium, size, bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    found = {}

    def check(name: str) -> None:
        page.add_script_tag(path=str(axe))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        found[name] = [{"id": v["id"], "impact": v["impact"], "where": [n["target"] for n in v["nodes"]],
                        "why": v["nodes"][0]["failureSummary"]} for v in result["violations"]]
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
        assert unlabelled == [], (name, unlabelled)
        shoot(page, f"{name}-{size}")

    page.goto(served.url("/sign-in"))
    check("sign-in")
    sign_in(page, served, "leader")
    page.goto(served.url("/cases"))
    check("case-list")
    case_url = page.locator(".case-row", has_text=OVERDUE_FOUND).locator("a").get_attribute("href")
    page.goto(served.url(case_url))
    check("case-page-leader")
    context.clear_cookies()
    sign_in(page, served, "clerk")
    check("my-work")
    page.goto(served.url(page.locator(".case-card", has_text=CLERKS_RECTIFYING).locator("a").get_attribute("href")))
    check("case-page-clerk")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{size}.json").write_text(json.dumps(found, indent=2))
    serious = {name: [v for v in violations if v["impact"] in ("serious", "critical")]
               for name, violations in found.items()}
    assert all(not v for v in serious.values()), serious
    context.close()
