"""The pages' sections, as the navigation lists them: one list for the top bar and one for the
administration's own tabs, each section shown only to those whose roles can use it (the same rule
its page declares).

A new section is one more entry here (and its page): administration's notification channels, say,
go at the end of ADMIN_SECTIONS.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.web.rules import ADMIN, AUDITS, IMPORTS, LEADS, OVERSEES, SIGNED_IN, Rule


@dataclass(frozen=True)
class Section:
    key: str  # what a page sets as `active` to be marked current
    endpoint: str
    label: str  # catalogue code
    rule: Rule


ADMIN_SECTIONS = (
    Section("units", "pages.admin_units", "page_admin_units", ADMIN),
    Section("workflows", "pages.admin_workflows", "page_admin_workflows", ADMIN),
    Section("channels", "pages.admin_channels", "page_admin_channels", ADMIN),
)

SECTIONS = (
    Section("home", "pages.my_work", "page_nav_my_work", SIGNED_IN),
    Section("cases", "pages.case_list", "page_nav_cases", SIGNED_IN),
    Section("dashboard", "pages.dashboard", "page_nav_dashboard", OVERSEES),
    Section("households", "pages.households", "page_nav_households", SIGNED_IN),
    Section("imports", "pages.imports", "page_nav_imports", IMPORTS),
    Section("audit", "pages.audit_desk", "page_nav_audit", AUDITS),
    Section("people", "pages.people", "page_nav_people", LEADS),
    Section("admin", ADMIN_SECTIONS[0].endpoint, "page_nav_admin", ADMIN),
)


def for_user(user, sections=SECTIONS) -> list[Section]:
    """The sections `user` can use, in order."""
    return [s for s in sections if user is not None and s.rule.check(user)]
