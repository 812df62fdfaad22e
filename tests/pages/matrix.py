"""The pages' part of the authorization matrix (tests/web/test_authorization_matrix.py): each actor
at a browser of their own, signed in with a session cookie, posting forms with its CSRF token."""

from __future__ import annotations

import io
import weakref
from datetime import datetime

from casework import demo_files
from tests.pages.helpers import Browser

PAGES = "pages."
_browsers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def is_page(endpoint: str) -> bool:
    return endpoint.startswith(PAGES)


def browser_of(world, actor: str, *, fresh: bool = False) -> Browser:
    """The actor's browser (signed in unless anonymous); `fresh` for a call that ends its session."""
    kept = _browsers.setdefault(world, {})
    if fresh or actor not in kept:
        person = Browser(world.app)
        if actor != "anonymous":
            response = person.sign_in(actor)
            assert response.status_code == 303, response.get_data(as_text=True)[:300]
        if fresh:
            return person
        kept[actor] = person
    return kept[actor]


def _found_case(world) -> int:
    response = world.client.post("/api/v1/cases", headers=world.tokens["leader"], json={
        "campaign_id": world.town.campaign_id, "unit_id": world.town.unit("village"), "title": "村道破损"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _case_number(world) -> str:
    response = world.client.get(f"/api/v1/cases/{world.case_id}", headers=world.tokens["leader"])
    return response.get_json()["number"]


def _oversight_get(world, endpoint: str) -> str | None:
    """The address of each oversight page (dashboard, audit, administration, people, households,
    imports), on the world's objects in village T-V1."""
    from tests.web.test_authorization_matrix import world_household

    t, case = world.town, world.case_id
    urls = {
        "pages.dashboard": "/dashboard",
        "pages.audit_desk": "/audit",
        "pages.audit_progress": "/audit/verify",
        "pages.audit_case": f"/audit/cases/{case}",
        "pages.checkpoint_log_file": "/audit/checkpoints.json",
        "pages.public_key_file": "/audit/public-key.pem",
        "pages.admin_log": "/audit/admin-log",
        "pages.access_log": "/audit/access-log",
        "pages.ledger_file": "/exports/ledger?format=csv",
        "pages.daily_report_file": f"/reports/daily?campaign_id={world.village_campaign_id}",
        "pages.closure_pack_file": f"/cases/{case}/closure-pack",
        "pages.admin_units": "/admin/units",
        "pages.admin_workflows": "/admin/workflows",
        "pages.admin_workflow": "/admin/workflows/default",
        "pages.admin_channels": "/admin/channels",
        "pages.people": "/people",
        "pages.person": f"/people/{t.user('target')}",
        "pages.person_new": "/people/new",
        "pages.households": "/households",
        "pages.imports": "/imports",
        "pages.plan_import": "/imports/plan",
        "pages.register_import": "/imports/households",
        "pages.register_template_file": "/imports/households/template.xlsx",
        "pages.findings_import_page": "/imports/findings",
        "pages.findings_template_file": "/imports/findings/template.xlsx",
    }
    if endpoint == "pages.audit_find":
        return f"/audit/find?number={_case_number(world)}"
    if endpoint == "pages.household":
        return f"/households/{world_household(world)}"
    return urls.get(endpoint)


def _oversight_post(world, person: Browser, endpoint: str, n: int):
    """A valid form for each oversight page that takes one (None: not one of them)."""
    t, village = world.town, str(world.town.unit("village"))
    target = t.user("target")
    if endpoint == "pages.audit_start":
        return person.post("/audit/verify")
    if endpoint == "pages.admin_unit_create":
        return person.post("/admin/units", {"parent_id": village, "name": f"第{n}组", "kind": "work_team"})
    if endpoint == "pages.admin_unit_update":
        return person.post(f"/admin/units/{village}", {"name": "青山村"})
    if endpoint == "pages.admin_channel_create":
        return person.post("/admin/channels", {"kind": "email", "unit_id": village, "target": f"qs{n}@example.gov.cn"})
    if endpoint == "pages.admin_channel_test":
        from tests.web.test_authorization_matrix import world_channel

        return person.post(f"/admin/channels/{world_channel(world)}/test")
    if endpoint == "pages.person_new":
        return person.post("/people/new", {"username": f"page{n}", "password": "A-long-password1",
                                           "unit_id": village, "role": "unit"})
    if endpoint == "pages.person_update":
        return person.post(f"/people/{target}", {"action": "rename", "display_name": f"张{n}"})
    if endpoint == "pages.person_roles":
        return person.post(f"/people/{target}/roles", {"unit_id": village, "role": "unit"})
    if endpoint == "pages.hand_over":
        return person.post(f"/people/{target}/hand-over", {"to_user_id": str(t.user("unit")), "reason": "调岗"})
    if endpoint == "pages.plan_import":
        return person.post("/imports/plan", {"campaign_id": str(world.village_campaign_id), "step": "preview",
                                             "text": "三、内容\n(一)住房\n1.危房 排查内容。危房。整改措施。改造。责任单位:村(社区)"})
    if endpoint == "pages.register_import":
        return person.post("/imports/households", {"file": (io.BytesIO("户编号,户主姓名,村(社区)\r\n".encode()),
                                                            "花名册.csv")})
    if endpoint == "pages.findings_import_page":
        return person.post("/imports/findings", {"campaign_id": str(world.village_campaign_id),
                                                 "file": (io.BytesIO("责任单位,问题描述\r\n".encode()), "问题清单.csv")})
    return None


def call_page(world, endpoint: str, method: str, actor: str, n: int):
    """The request `actor` makes to a page, with a form that is valid for someone allowed."""
    case, evidence = world.case_id, world.evidence_id
    if endpoint == "pages.sign_in" and method == "POST":
        return browser_of(world, "anonymous", fresh=True).sign_in("unit" if actor == "anonymous" else actor)
    if endpoint in ("pages.sign_out", "pages.change_password") and method == "POST":
        person = browser_of(world, actor, fresh=True)
        if endpoint == "pages.sign_out":
            return person.post("/sign-out")
        return person.post("/password", {"old_password": "Not-the-password-1", "new_password": "Brand-new-secret-2",
                                         "new_password_again": "Brand-new-secret-2"})
    person = browser_of(world, actor)
    if method == "GET":
        urls = {
            "pages.sign_in": "/sign-in",
            "pages.change_password": "/password",
            "pages.static_file": f"/static/{world.app.extensions['casework.assets'].files['app.css'].version}/app.css",
            "pages.my_work": "/",
            "pages.case_list": "/cases?state=found",
            "pages.bulk_assign_form": f"/cases/assign?case={case}",
            "pages.case_page": f"/cases/{case}",
            "pages.evidence_thumb": f"/cases/{case}/evidence/{evidence}/thumb",
            "pages.evidence_file": f"/cases/{case}/evidence/{evidence}",
        }
        return person.get(urls.get(endpoint) or _oversight_get(world, endpoint))
    oversight = _oversight_post(world, person, endpoint, n)
    if oversight is not None:
        return oversight
    if endpoint == "pages.choose_language":
        return person.post("/language", {"lang": "zh", "next": "/"})
    if endpoint == "pages.mark_read":
        return person.post("/notifications/2147483647/read")
    if endpoint == "pages.mark_all_read":
        return person.post("/notifications/read-all")
    if endpoint == "pages.fire_event":
        return person.post(f"/cases/{case}/events", {"event": "note", "version": str(world.case_version()),
                                                     "comment": "已入户核查"})
    if endpoint == "pages.upload_evidence":
        photo = demo_files.photo(seed=500 + n, taken_at=datetime.now())
        return person.post(f"/cases/{case}/evidence", {"kind": "photo", "file": (io.BytesIO(photo), "照片.jpg")})
    if endpoint == "pages.bulk_assign":
        fresh = _found_case(world)
        return person.post("/cases/assign", {"case": str(fresh), f"version_{fresh}": "1"})
    raise AssertionError(f"no page call written for {method} {endpoint}")
