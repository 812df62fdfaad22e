"""The oversight pages in a real browser (headless Chromium) against `casework serve` with the demo
loaded: the leader from a dashboard number to the cases behind it; the auditor verifying the whole
record and taking a ledger and a closure pack away; a village clerk moved elsewhere by the admin
and their open cases handed over by the leader; a plan previewed, corrected and imported.

Screenshots are kept in tests/pages/artifacts/ (oversight-*).
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import openpyxl
import pytest

from tests.pages.browsing import ARTIFACTS, DESKTOP, PHONE, shoot, sign_in

pytestmark = pytest.mark.browser
SIZES = {"desktop": DESKTOP, "phone": PHONE}
# Demo people (casework/demo.py)
CLERK, CLERK_NAME = "clerk", "青山村扶贫专干 赵专干"
VERIFIED_NUMBER = "QS-2026-0006"
NEWCOMER_NAME = "青山村扶贫专干 钱专干"
# A plan section the demo's sample plan does not have, so importing it adds one item.
PLAN = ("九、补充排查内容\n(一)饮水安全\n"
        "1.饮水安全 排查内容。排查农户饮水是否安全、稳定。整改措施。逐户核实,限期解决。责任单位:村(社区)\n")


def _context(chromium, size: str, **extra):
    return chromium.new_context(locale="zh-CN", **SIZES[size], **extra)


def _tap(page, locator, size: str) -> None:
    (locator.tap if size == "phone" else locator.click)()


def _number(locator) -> int:
    return int(re.sub(r"\D", "", locator.inner_text()))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_leader_goes_from_a_dashboard_number_to_the_cases_behind_it(chromium, served, size):
    context = _context(chromium, size)
    page = context.new_page()
    sign_in(page, served, "leader")
    page.goto(served.url("/dashboard"))
    shoot(page, f"oversight-dashboard-{size}")

    # The overdue tile: the list it opens holds exactly that many cases, every one late.
    late = page.locator(".tile-red")
    overdue = _number(late.locator(".tile-num"))
    assert overdue >= 1
    _tap(page, late, size)
    page.wait_for_url(re.compile(r"/cases\?.*overdue=true"))
    assert page.locator(".case-row").count() == page.locator(".case-row .due-late").count() == overdue
    shoot(page, f"oversight-dashboard-overdue-list-{size}")

    # A village's count of cases: the list is that village's cases, and the filter says which.
    page.go_back()
    row = page.locator("#by-village-h ~ table tbody tr", has_text="青山村")
    total = row.locator("td a").first
    expected = _number(total)
    _tap(page, total, size)
    page.wait_for_url(re.compile(r"/cases\?.*unit_id=\d+"))
    assert page.locator(".case-row").count() == expected
    assert all("青山村" in text for text in page.locator(".case-row").all_inner_texts())

    # An inspection item with overdue cases: the list keeps the item filter it came with.
    page.go_back()
    item = page.locator("#worst-items-h ~ ul a.bar-row").first
    late_under_item = _number(item.locator(".bar-num"))
    _tap(page, item, size)
    page.wait_for_url(re.compile(r"/cases\?.*item_id=\d+"))
    assert page.locator(".case-row .due-late").count() == late_under_item
    context.close()


def test_the_auditor_verifies_the_record_and_takes_a_ledger_and_a_closure_pack_away(chromium, served, tmp_path):
    context = _context(chromium, "desktop", accept_downloads=True)
    page = context.new_page()
    sign_in(page, served, "auditor")
    page.click(".tabs >> text=审计")
    page.click("text=开始全面核验")
    # The panel follows the job as it runs (htmx), and ends saying the record holds.
    page.wait_for_selector("#run .badge.state-verified", timeout=30_000)
    assert page.locator("#run .badge").inner_text() == "记录完好"
    assert re.search(r"已核验 9 / 9 件事项", page.locator("#run").inner_text())
    assert page.locator("#run progress").get_attribute("value") == "100"
    shoot(page, "oversight-audit-verified-desktop")

    with page.expect_download() as download:
        page.click("text=整改台账(Excel)")
    ledger = tmp_path / download.value.suggested_filename
    download.value.save_as(ledger)
    assert ledger.name.startswith("整改台账-") and ledger.suffix == ".xlsx"
    cells = [str(c) for row in openpyxl.load_workbook(ledger).active.iter_rows(values_only=True) for c in row if c]
    assert any(VERIFIED_NUMBER in c for c in cells)

    # A verified case's history, hashes and verdict, then its closure pack in both forms.
    page.click(f"text={VERIFIED_NUMBER}")
    page.wait_for_url(re.compile(r"/audit/cases/\d+$"))
    assert "哈希链" in page.locator("#verdict").inner_text()
    assert page.locator(".chain-item").count() >= 5
    assert "生成整改销号材料" in page.locator(".chain").inner_text()
    shoot(page, "oversight-audit-case-desktop")
    with page.expect_download() as download:
        page.click("text=整改销号材料(PDF)")
    pdf = tmp_path / "pack.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename == f"整改销号材料-{VERIFIED_NUMBER}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    with page.expect_download() as download:
        page.click("text=佐证资料包(ZIP)")
    packed = tmp_path / "pack.zip"
    download.value.save_as(packed)
    assert zipfile.ZipFile(io.BytesIO(packed.read_bytes())).namelist()

    # Each download is on the access log, which the auditor reads too.
    page.goto(served.url("/audit/access-log"))
    log = page.locator("main").inner_text()
    assert "导出台账" in log
    context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_clerk_moved_away_by_the_admin_has_their_open_cases_handed_over_by_the_leader(chromium, served, size):
    admin_context, leader_context = _context(chromium, size), _context(chromium, size)
    admin, leader = admin_context.new_page(), leader_context.new_page()

    # The admin adds the clerk's successor …
    sign_in(admin, served, "admin")
    admin.click(".tabs >> text=人员")
    admin.click("text=新增人员")
    admin.fill("#f-username", "qian")
    admin.fill("#f-display_name", NEWCOMER_NAME)
    admin.fill("#f-password", "Qian-Casework-2026")
    admin.select_option("#f-unit_id", label="青山村")
    admin.select_option("#f-role", "unit")
    admin.click("form .btn-primary[type=submit]")
    admin.wait_for_selector("#notice")
    # … and moves the clerk to another village: their two open cases are left with nobody.
    admin.goto(served.url("/people"))
    admin.click(f"text={CLERK_NAME}")
    admin.select_option("#f-unit-0", label="石桥村")
    admin.click("#roles button[type=submit]")
    admin.wait_for_selector("#notice")
    assert admin.locator("#open-cases .case-card .due-late").count() == 2
    shoot(admin, f"oversight-person-moved-{size}")

    # The leader hands them over in one step, with the reason.
    sign_in(leader, served, "leader")
    leader.click(".tabs >> text=人员")
    leader.click(f"text={CLERK_NAME}")
    form = leader.locator("details.hand-over")
    assert form.get_attribute("open") is not None  # open: the page says these cases need a new hand
    leader.select_option("#f-to", label=NEWCOMER_NAME)
    leader.fill("#f-hand-reason", "赵专干调任石桥村")
    shoot(leader, f"oversight-hand-over-{size}")
    leader.click("text=确认移交 2 件")
    leader.wait_for_selector("#notice")
    assert leader.locator("#notice").inner_text() == "已移交 2 件事项"
    assert leader.locator("#open-cases .case-card").count() == 0

    # Each case names its new assignee and says why in its history.
    cases = served.api("GET", "/api/v1/cases?limit=50", "leader")["items"]
    handed = [c for c in cases if c["number"] in ("QS-2026-0004", "QS-2026-0005")]
    newcomer = next(u for u in served.api("GET", "/api/v1/users?limit=100", "admin")["items"]
                    if u["username"] == "qian")
    assert {c["assignee_id"] for c in handed} == {newcomer["id"]}
    for case in handed:
        leader.goto(served.url(f"/cases/{case['id']}"))
        assert NEWCOMER_NAME in leader.locator(".case-head").inner_text()
        history = leader.locator(".timeline").inner_text()
        assert "改派" in history and "赵专干调任石桥村" in history
    shoot(leader, f"oversight-handed-over-case-{size}")
    admin_context.close()
    leader_context.close()


def test_a_plan_is_previewed_corrected_and_imported(chromium, served):
    context = _context(chromium, "desktop")
    page = context.new_page()
    sign_in(page, served, "leader")
    page.click(".tabs >> text=导入")
    page.click("text=导入工作方案")
    page.fill("textarea[name=text]", PLAN)
    page.click("button:has-text('预览')")
    page.wait_for_selector("#summary")
    assert page.locator("#summary").inner_text().startswith("新建 1 项,更新 0 项,未变 0 项")
    item = page.locator(".plan-item")
    assert item.count() == 1 and "饮水安全" in item.inner_text()
    item.locator("summary", has_text="原文").click()
    assert "排查农户饮水是否安全" in item.locator(".source").inner_text()  # the text it came from
    shoot(page, "oversight-plan-preview-desktop")

    # A correction to the text, looked at again, then committed.
    page.fill("#correct textarea[name=text]", PLAN.replace("1.饮水安全", "1.饮水安全保障"))
    page.click("button:has-text('重新预览')")
    page.wait_for_selector(".plan-item:has-text('饮水安全保障')")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("h1:has-text('方案已导入')")
    assert page.locator("#summary").inner_text().startswith("新建 1 项")
    shoot(page, "oversight-plan-imported-desktop")

    items = served.api("GET", "/api/v1/campaigns/1/items?limit=100", "leader")["items"]
    assert [i["title"] for i in items if i["title"].startswith("饮水安全")] == ["饮水安全保障"]
    # The same plan again changes nothing.
    page.goto(served.url("/imports/plan"))
    page.fill("textarea[name=text]", PLAN.replace("1.饮水安全", "1.饮水安全保障"))
    page.click("button:has-text('预览')")
    assert page.locator("#summary").inner_text().startswith("新建 0 项,更新 0 项,未变 1 项")
    context.close()


OVERSIGHT_PAGES = {
    "leader": ["/dashboard", "/people", "/households", "/imports", "/imports/plan", "/imports/households",
               "/imports/findings"],
    "auditor": ["/audit", "/audit/admin-log", "/audit/access-log", f"/audit/find?number={VERIFIED_NUMBER}"],
    "admin": ["/admin/units", "/admin/workflows", "/admin/workflows/default", "/people/new"],
}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_oversight_pages_have_no_serious_accessibility_problems(chromium, served, axe, size):
    context = _context(chromium, size, bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    found = {}
    for who, paths in OVERSIGHT_PAGES.items():
        context.clear_cookies()
        sign_in(page, served, who)
        for path in paths:
            page.goto(served.url(path))
            name = f"oversight-{who}-" + (re.sub(r"[^a-z0-9]+", "-", page.url.split("//")[1].split("/", 1)[1]).strip("-"))
            page.add_script_tag(path=str(axe))
            result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            found[name] = [{"id": v["id"], "impact": v["impact"], "where": [n["target"] for n in v["nodes"]],
                            "why": v["nodes"][0]["failureSummary"]} for v in result["violations"]]
            unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
            assert unlabelled == [], (name, unlabelled)
            # Nothing wider than a phone: the page scrolls down, never sideways.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
            shoot(page, f"{name}-{size}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-oversight-{size}.json").write_text(json.dumps(found, indent=2, ensure_ascii=False))
    serious = {name: [v for v in violations if v["impact"] in ("serious", "critical")]
               for name, violations in found.items()}
    assert all(not v for v in serious.values()), serious
    context.close()
