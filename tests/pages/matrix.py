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
        return person.get(urls[endpoint])
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
