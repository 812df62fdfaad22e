"""What the pages are made of: their own files, cached and compressed, and every text from the
catalogue."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from casework.i18n import catalogue
from tests.pages.conftest import SQLITE_ONLY
from tests.pages.helpers import text_of

WEB = Path(__file__).resolve().parents[2] / "src" / "casework" / "web"
TEMPLATES = WEB / "templates"


@SQLITE_ONLY
def test_files_are_the_apps_own_kept_a_year_and_gzipped(browser):
    person = browser("clerk")
    page = text_of(person.get("/"))
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {u.rsplit("/", 1)[1] for u in urls} == {"app.css", "htmx-2.0.11.min.js", "app.js"}
    assert not re.search(r'(?:href|src)="(?:https?:)?//', page)  # nothing from elsewhere
    for url in urls:
        response = person.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]
        assert gzip.decompress(response.data)
    old = person.get(urls[0].replace(urls[0].split("/")[2], "0" * 12))
    assert old.status_code == 200 and "no-cache" in old.headers["Cache-Control"]
    assert person.get("/static/0/nothing.js").status_code == 404


@SQLITE_ONLY
def test_text_answers_are_gzipped_when_the_client_accepts_it(browser):
    person = browser("clerk")
    page = person.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    assert "我的工作" in gzip.decompress(page.data).decode()
    assert "Content-Encoding" not in person.get("/").headers


@SQLITE_ONLY
def test_pages_say_what_they_may_load_and_are_never_cached(browser):
    response = browser("clerk").get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]


def _template_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.html")))


def test_every_text_in_the_templates_is_in_the_catalogue():
    text = _template_text()
    codes = {c for c in re.findall(r"""_\(['"]([a-z_]+)['"]""", text) if not c.endswith("_")}
    codes |= set(re.findall(r"'(page_queue_[a-z_]+|page_photo_chosen)'", text))
    missing = sorted(c for c in codes if c not in catalogue("zh"))
    assert not missing, missing
    # Codes put together from a prefix: every kind, group, reuse flag and event field has its text.
    for prefix, keys in {"page_kind_": ("photo", "signed_ack", "meeting_minutes", "ledger", "document"),
                         "page_group_": ("overdue", "this_week", "later"),
                         "page_reuse_": ("same_bytes", "near_duplicate", "old_photo"),
                         "page_field_": ("reason", "comment", "assignee_id", "unit_id", "deadline")}.items():
        assert all(prefix + key in catalogue("en") for key in keys), prefix


def test_the_scripts_messages_are_all_sent_with_the_page():
    sent = set(re.findall(r"'(page_[a-z_]+)'", (TEMPLATES / "base.html").read_text(encoding="utf-8")))
    used = set(re.findall(r'msg\("(page_[a-z_]+)"', (WEB / "static" / "app.js").read_text(encoding="utf-8")))
    assert used <= sent, used - sent


def test_templates_inline_no_script_and_no_style_attribute():
    text = _template_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert " style=" not in text and "<style" not in text
    assert not re.search(r"\bon[a-z]+=", text)
