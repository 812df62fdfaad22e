"""Who may call which route, for every route in the app's route table.

The routes come from `app.url_map`, so a new route without a row in EXPECTED fails here until
someone writes down who may call it. Each route is called by each actor against an object in
village T-V1: actors hold their role at T-V1 (in scope) or only at the sibling village T-V2
(`*_out`, out of scope). Outside one's scope an object is 404, never 403.

Pages (`pages.*`) are in the same table: their actors sign in at a browser (tests/pages/matrix.py),
someone not signed in is sent to sign in (302, or 303 after a form), and a form that succeeds
redirects (303).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from itertools import count

import pytest
from flask import Flask

from casework import demo_files
from casework.audit import checkpoints
from casework.campaigns import service as campaigns
from casework.cases.models import Case
from casework.units.models import Unit
from casework.web import rules

from tests.factories import PASSWORD
from tests.pages.matrix import call_page, is_page
from tests.web.helpers import assert_error, build_town, route_table_app, routes, sign_in

ACTORS = ("anonymous", "admin", "leader", "unit", "auditor", "admin_out", "leader_out", "unit_out", "auditor_out")
PEOPLE = {
    "admin": ("admin", "village"), "leader": ("leader", "village"), "unit": ("unit", "village"),
    "auditor": ("auditor", "village"),
    "admin_out": ("admin", "village2"), "leader_out": ("leader", "village2"), "unit_out": ("unit", "village2"),
    "auditor_out": ("auditor", "village2"),
    "target": ("unit", "village"),  # the user whom /users/{id} routes look at
}


def row(*statuses: int) -> dict[str, int]:
    assert len(statuses) == len(ACTORS)
    return dict(zip(ACTORS, statuses))


# (endpoint, method) → expected status per actor.
#                                               anon admin lead unit audit | admin lead unit audit (out)
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("auth.token", "POST"):                   row(200, 200, 200, 200, 200,   200, 200, 200, 200),
    ("api-docs.openapi_json", "GET"):         row(200, 200, 200, 200, 200,   200, 200, 200, 200),
    ("api-docs.openapi_swagger_ui", "GET"):   row(200, 200, 200, 200, 200,   200, 200, 200, 200),
    ("swagger_static", "GET"):                row(200, 200, 200, 200, 200,   200, 200, 200, 200),
    ("audit.start_verification", "POST"):     row(401, 202, 403, 403, 202,   202, 403, 403, 202),
    ("audit.verification", "GET"):            row(401, 200, 403, 403, 200,   200, 403, 403, 200),
    ("audit.checkpoint_log", "GET"):          row(401, 200, 403, 403, 200,   200, 403, 403, 200),
    ("audit.checkpoint", "GET"):              row(401, 200, 403, 403, 200,   200, 403, 403, 200),
    ("cases.verify", "GET"):                  row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("evidence.upload", "POST"):              row(401, 403, 201, 201, 403,   403, 404, 404, 403),
    ("evidence.list_evidence", "GET"):        row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("evidence.download", "GET"):             row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("evidence.withdraw", "POST"):            row(401, 403, 200, 200, 403,   403, 404, 404, 403),
    # the world's case is open: no pack yet for those who see it, not found for the others
    ("evidence.closure_pack", "GET"):         row(401, 404, 404, 404, 404,   404, 404, 404, 404),
    ("calendar.list_overrides", "GET"):       row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("reports.ledger_xlsx", "GET"):           row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("reports.ledger_csv", "GET"):            row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("reports.get_stats", "GET"):             row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("reports.daily_report", "GET"):          row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("reports.rectification_report", "GET"):  row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    # the calendar is the whole install's: only an admin over the whole tree sets a day
    ("calendar.set_day", "POST"):             row(401, 403, 403, 403, 403,   403, 403, 403, 403),
    ("notifications.inbox", "GET"):           row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("notifications.mark_all_read", "POST"):  row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    # someone else's notification: not found, whoever asks
    ("notifications.mark_read", "POST"):      row(401, 404, 404, 404, 404,   404, 404, 404, 404),
    ("audit.list_admin_log", "GET"):          row(401, 200, 403, 403, 200,   200, 403, 403, 200),
    ("audit.list_access_log", "GET"):         row(401, 200, 403, 403, 200,   200, 403, 403, 200),
    # a wrong old password: 422 shows the route is open to everyone signed in (and changes nothing)
    ("auth.change_password", "POST"):         row(401, 422, 422, 422, 422,   422, 422, 422, 422),
    ("campaigns.list_campaigns", "GET"):      row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("campaigns.create_campaign", "POST"):    row(401, 201, 201, 403, 403,   404, 404, 403, 403),
    ("campaigns.get_campaign", "GET"):        row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("campaigns.list_items", "GET"):          row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("campaigns.create_item", "POST"):        row(401, 201, 201, 403, 403,   404, 404, 403, 403),
    ("campaigns.import_plan", "POST"):        row(401, 200, 200, 403, 403,   404, 404, 403, 403),
    ("campaigns.update_item", "PATCH"):       row(401, 200, 200, 403, 403,   404, 404, 403, 403),
    ("cases.list_cases", "GET"):              row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("cases.open_case", "POST"):              row(401, 403, 201, 201, 403,   403, 404, 404, 403),
    ("cases.get_case", "GET"):                row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("cases.fire_event", "POST"):             row(401, 403, 200, 200, 403,   403, 404, 404, 403),
    ("cases.history", "GET"):                 row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("units.list_units", "GET"):              row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("units.create_unit", "POST"):            row(401, 201, 403, 403, 403,   404, 403, 403, 403),
    ("units.get_unit", "GET"):                row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("users.list_users", "GET"):              row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("users.create_user", "POST"):            row(401, 201, 403, 403, 403,   404, 403, 403, 403),
    ("users.get_user", "GET"):                row(401, 200, 200, 200, 200,   404, 404, 404, 404),
    ("users.update_user", "PATCH"):           row(401, 200, 403, 403, 403,   404, 403, 403, 403),
    ("users.set_memberships", "PUT"):         row(401, 200, 403, 403, 403,   404, 403, 403, 403),
    # the target has no open case: the leader's hand-over hands nothing over, and that is all right
    ("users.hand_over", "POST"):              row(401, 403, 200, 403, 403,   403, 404, 403, 403),
    ("units.update_unit", "PATCH"):           row(401, 200, 403, 403, 403,   404, 403, 403, 403),
    ("workflows.list_workflows", "GET"):      row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("workflows.get_workflow", "GET"):        row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("households.list_households", "GET"):    row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    ("households.create_household", "POST"):  row(401, 201, 201, 403, 403,   404, 404, 403, 403),
    # read with ?full=1: leaders and auditors over the village; whoever is neither, anywhere, is refused
    ("households.get_household", "GET"):      row(401, 403, 200, 403, 200,   403, 404, 403, 404),
    # a register naming no village: who may import at all (whose villages: tests/web/test_households_api.py)
    ("households.import_register", "POST"):   row(401, 200, 200, 403, 403,   200, 200, 403, 403),
    ("households.register_template", "GET"): row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    # a findings list with its headers and no rows, as a dry run, into the village's campaign
    ("imports.import_cases", "POST"):         row(401, 403, 200, 200, 403,   403, 404, 404, 403),
    ("imports.cases_template", "GET"):        row(401, 403, 200, 200, 403,   403, 200, 200, 403),
    ("sources.list_sources", "GET"):          row(401, 200, 200, 200, 200,   200, 200, 200, 200),
    # the list is the whole install's: only an admin over the whole tree adds to it
    ("sources.add_source", "POST"):           row(401, 403, 403, 403, 403,   403, 403, 403, 403),
    # notification channels: admins over the unit they belong to (the test button's target is refused
    # as private by this install: a 200 saying so)
    ("channels.list_channels", "GET"):        row(401, 200, 403, 403, 403,   200, 403, 403, 403),
    ("channels.create_channel", "POST"):      row(401, 201, 403, 403, 403,   404, 403, 403, 403),
    ("channels.get_channel", "GET"):          row(401, 200, 403, 403, 403,   404, 403, 403, 403),
    ("channels.update_channel", "PATCH"):     row(401, 200, 403, 403, 403,   404, 403, 403, 403),
    ("channels.delete_channel", "DELETE"):    row(401, 204, 403, 403, 403,   404, 403, 403, 403),
    ("channels.test_channel", "POST"):        row(401, 200, 403, 403, 403,   404, 403, 403, 403),
    ("channels.list_deliveries", "GET"):      row(401, 200, 403, 403, 403,   404, 403, 403, 403),
    # pages: signed in with a session cookie; anonymous people are sent to sign in
    ("pages.sign_in", "GET"):                 row(200, 302, 302, 302, 302,   302, 302, 302, 302),
    ("pages.sign_in", "POST"):                row(303, 303, 303, 303, 303,   303, 303, 303, 303),
    ("pages.sign_out", "POST"):               row(303, 303, 303, 303, 303,   303, 303, 303, 303),
    ("pages.change_password", "GET"):         row(302, 200, 200, 200, 200,   200, 200, 200, 200),
    # a wrong old password: 422 shows the page is open to everyone signed in (and changes nothing)
    ("pages.change_password", "POST"):        row(303, 422, 422, 422, 422,   422, 422, 422, 422),
    ("pages.choose_language", "POST"):        row(303, 303, 303, 303, 303,   303, 303, 303, 303),
    ("pages.static_file", "GET"):             row(200, 200, 200, 200, 200,   200, 200, 200, 200),
    ("pages.my_work", "GET"):                 row(302, 200, 200, 200, 200,   200, 200, 200, 200),
    ("pages.mark_read", "POST"):              row(303, 404, 404, 404, 404,   404, 404, 404, 404),
    ("pages.mark_all_read", "POST"):          row(303, 303, 303, 303, 303,   303, 303, 303, 303),
    ("pages.case_list", "GET"):               row(302, 200, 200, 200, 200,   200, 200, 200, 200),
    # out of scope, the chosen case is said not to be found on the page itself
    ("pages.bulk_assign_form", "GET"):        row(302, 403, 200, 403, 403,   403, 200, 403, 403),
    ("pages.bulk_assign", "POST"):            row(303, 403, 200, 403, 403,   403, 200, 403, 403),
    ("pages.case_page", "GET"):               row(302, 200, 200, 200, 200,   404, 404, 404, 404),
    ("pages.fire_event", "POST"):             row(303, 403, 303, 303, 403,   403, 404, 404, 403),
    ("pages.upload_evidence", "POST"):        row(303, 403, 303, 303, 403,   403, 404, 404, 403),
    ("pages.evidence_thumb", "GET"):          row(302, 200, 200, 200, 200,   404, 404, 404, 404),
    ("pages.evidence_file", "GET"):           row(302, 200, 200, 200, 200,   404, 404, 404, 404),
    # oversight pages: the dashboard for leaders, auditors and admins; the audit desk for auditors and admins
    ("pages.dashboard", "GET"):               row(302, 200, 200, 403, 200,   200, 200, 403, 200),
    ("pages.audit_desk", "GET"):              row(302, 200, 403, 403, 200,   200, 403, 403, 200),
    ("pages.audit_start", "POST"):            row(303, 303, 403, 403, 303,   303, 403, 403, 303),
    ("pages.audit_progress", "GET"):          row(302, 200, 403, 403, 200,   200, 403, 403, 200),
    ("pages.audit_case", "GET"):              row(302, 200, 403, 403, 200,   404, 403, 403, 404),
    ("pages.audit_find", "GET"):              row(302, 302, 403, 403, 302,   404, 403, 403, 404),
    ("pages.checkpoint_log_file", "GET"):     row(302, 200, 403, 403, 200,   200, 403, 403, 200),
    ("pages.public_key_file", "GET"):         row(302, 200, 403, 403, 200,   200, 403, 403, 200),
    ("pages.admin_log", "GET"):               row(302, 200, 403, 403, 200,   200, 403, 403, 200),
    ("pages.access_log", "GET"):              row(302, 200, 403, 403, 200,   200, 403, 403, 200),
    # downloads: the ledger in one's scope; the village's campaign's report; the open case has no pack
    ("pages.ledger_file", "GET"):             row(302, 200, 200, 200, 200,   200, 200, 200, 200),
    ("pages.daily_report_file", "GET"):       row(302, 200, 200, 200, 200,   404, 404, 404, 404),
    ("pages.closure_pack_file", "GET"):       row(302, 404, 404, 404, 404,   404, 404, 404, 404),
    # administration: admins over the unit or person; people: leaders (hand-over) and admins
    ("pages.admin_units", "GET"):             row(302, 200, 403, 403, 403,   200, 403, 403, 403),
    ("pages.admin_unit_create", "POST"):      row(303, 303, 403, 403, 403,   404, 403, 403, 403),
    ("pages.admin_unit_update", "POST"):      row(303, 303, 403, 403, 403,   404, 403, 403, 403),
    ("pages.admin_workflows", "GET"):         row(302, 200, 403, 403, 403,   200, 403, 403, 403),
    ("pages.admin_workflow", "GET"):          row(302, 200, 403, 403, 403,   200, 403, 403, 403),
    ("pages.admin_channels", "GET"):          row(302, 200, 403, 403, 403,   200, 403, 403, 403),
    ("pages.admin_channel_create", "POST"):   row(303, 303, 403, 403, 403,   404, 403, 403, 403),
    ("pages.admin_channel_test", "POST"):     row(303, 303, 403, 403, 403,   404, 403, 403, 403),
    ("pages.people", "GET"):                  row(302, 200, 200, 403, 403,   200, 200, 403, 403),
    ("pages.person", "GET"):                  row(302, 200, 200, 403, 403,   404, 404, 403, 403),
    ("pages.person_new", "GET"):              row(302, 200, 403, 403, 403,   200, 403, 403, 403),
    ("pages.person_new", "POST"):             row(303, 303, 403, 403, 403,   404, 403, 403, 403),
    ("pages.person_update", "POST"):          row(303, 303, 403, 403, 403,   404, 403, 403, 403),
    ("pages.person_roles", "POST"):           row(303, 303, 403, 403, 403,   404, 403, 403, 403),
    ("pages.hand_over", "POST"):              row(303, 403, 303, 403, 403,   403, 404, 403, 403),
    ("pages.households", "GET"):              row(302, 200, 200, 200, 200,   200, 200, 200, 200),
    ("pages.household", "GET"):               row(302, 200, 200, 200, 200,   404, 404, 404, 404),
    # imports, previewed: the plan and the register for leaders and admins, findings for those who work cases
    ("pages.imports", "GET"):                 row(302, 200, 200, 200, 403,   200, 200, 200, 403),
    ("pages.plan_import", "GET"):             row(302, 200, 200, 403, 403,   200, 200, 403, 403),
    ("pages.plan_import", "POST"):            row(303, 200, 200, 403, 403,   404, 404, 403, 403),
    ("pages.register_import", "GET"):         row(302, 200, 200, 403, 403,   200, 200, 403, 403),
    ("pages.register_import", "POST"):        row(303, 200, 200, 403, 403,   200, 200, 403, 403),
    ("pages.register_template_file", "GET"):  row(302, 200, 200, 403, 403,   200, 200, 403, 403),
    ("pages.findings_import_page", "GET"):    row(302, 403, 200, 200, 403,   403, 200, 200, 403),
    ("pages.findings_import_page", "POST"):   row(303, 403, 200, 200, 403,   403, 404, 404, 403),
    ("pages.findings_template_file", "GET"):  row(302, 403, 200, 200, 403,   403, 200, 200, 403),
}

OWN_ACCOUNT = {"auth.change_password", "notifications.mark_read", "notifications.mark_all_read",
               "pages.sign_out", "pages.change_password", "pages.mark_read", "pages.mark_all_read"}
CHECKS = {"audit.start_verification", "pages.audit_start"}  # a POST that starts a read of the whole record
PUBLIC_ENDPOINTS = {"auth.token", "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "swagger_static",
                    "pages.sign_in", "pages.choose_language", "pages.static_file"}
ROUTE_APP = route_table_app()
ROUTES = routes(ROUTE_APP)
_unique = count(1)


class World:
    """The objects every route is called on, all in village T-V1, and a token per actor."""

    def __init__(self, runtime, app):
        self.runtime, self.app, self.client = runtime, app, app.test_client()
        self.town = build_town(runtime, PEOPLE)
        with runtime.transaction() as session:
            village = session.get(Unit, self.town.unit("village"))
            self.village_campaign_id = campaigns.create(session=session, name="青山村自查", code="QS",
                                                        starts_on=date(2026, 11, 1), leader_unit=village).id
        leader = sign_in(self.client, "leader")
        response = self.client.post("/api/v1/cases", headers=leader, json={
            "campaign_id": self.town.campaign_id, "unit_id": self.town.unit("village"), "title": "危房未改造"})
        assert response.status_code == 201, response.get_json()
        self.case_id = response.get_json()["id"]
        self.tokens = {name: sign_in(self.client, name) for name in ACTORS if name != "anonymous"}
        self.tokens["anonymous"] = {}
        self.evidence_id = self.fresh_evidence(0)
        with runtime.transaction() as session:
            from casework.campaigns.models import Campaign

            self.item_id = campaigns.add_item(session=session, campaign=session.get(Campaign, self.village_campaign_id),
                                              title="住房安全").id
        for auditing in ("admin", "auditor", "admin_out", "auditor_out"):  # each has a run to read
            assert self.client.post("/api/v1/audit/verify", headers=self.tokens[auditing]).status_code == 202
        with runtime.transaction() as session:
            checkpoints.make(session=session, key_path=runtime.settings.checkpoint_key_path)

    def fresh_evidence(self, seed: int) -> int:
        """A photo attached (by the case's unit) just for this call, to be withdrawn."""
        from casework.cases import evidence
        from casework.users.models import User

        with self.runtime.transaction() as session:
            attached = evidence.attach(
                session=session, storage=self.runtime.storage, case_id=self.case_id,
                actor=session.get(User, self.town.user("unit")), kind="photo", filename="待撤回.jpg",
                upload=io.BytesIO(demo_files.photo(seed=1000 + seed, taken_at=datetime.now())),
                limits=evidence.Limits(10 * 2**20, 10**9), work_dir=self.runtime.settings.storage_dir)
            return attached.evidence.id

    def case_version(self) -> int:
        with self.runtime.sessions() as session:
            return session.get(Case, self.case_id).version


@pytest.fixture(scope="module")
def world(module_runtime, module_app):
    return World(module_runtime, module_app)


def call(world: World, endpoint: str, method: str, actor: str):
    """The request `actor` makes to the route, with a body that is valid for someone allowed."""
    t, n = world.town, next(_unique)
    if is_page(endpoint):
        return call_page(world, endpoint, method, actor, n)
    if endpoint.startswith("households."):
        return call_households(world, endpoint, actor, n)
    if endpoint.startswith("channels."):
        return call_channels(world, endpoint, method, actor, n)
    village = t.unit("village")
    requests = {
        ("auth.token", "POST"): ("/api/v1/auth/token",
                                 {"username": "unit" if actor == "anonymous" else actor, "password": PASSWORD}),
        ("api-docs.openapi_json", "GET"): ("/api/v1/openapi.json", None),
        ("api-docs.openapi_swagger_ui", "GET"): ("/api/docs", None),
        ("swagger_static", "GET"): ("/api/docs/static/swagger-ui.css", None),
        ("audit.start_verification", "POST"): ("/api/v1/audit/verify", {}),
        ("audit.verification", "GET"): ("/api/v1/audit/verify", None),
        ("audit.checkpoint_log", "GET"): ("/api/v1/audit/checkpoints", None),
        ("audit.checkpoint", "GET"): ("/api/v1/audit/checkpoints/1", None),
        ("cases.verify", "GET"): (f"/api/v1/cases/{world.case_id}/verify", None),
        ("evidence.list_evidence", "GET"): (f"/api/v1/cases/{world.case_id}/evidence", None),
        ("evidence.closure_pack", "GET"): (f"/api/v1/cases/{world.case_id}/closure-pack", None),
        ("evidence.download", "GET"): (f"/api/v1/cases/{world.case_id}/evidence/{world.evidence_id}", None),
        ("calendar.list_overrides", "GET"): ("/api/v1/calendar?year=2027", None),
        ("reports.ledger_xlsx", "GET"): ("/api/v1/exports/ledger.xlsx", None),
        ("reports.ledger_csv", "GET"): (f"/api/v1/exports/ledger.csv?campaign_id={world.village_campaign_id}", None),
        ("reports.get_stats", "GET"): (f"/api/v1/stats?campaign_id={world.village_campaign_id}", None),
        ("reports.daily_report", "GET"): (f"/api/v1/reports/daily.pdf?campaign_id={world.village_campaign_id}", None),
        ("reports.rectification_report", "GET"): (
            f"/api/v1/reports/rectification.docx?campaign_id={world.village_campaign_id}", None),
        ("calendar.set_day", "POST"): ("/api/v1/calendar", {"day": "2027-01-04", "is_workday": False}),
        ("notifications.inbox", "GET"): ("/api/v1/notifications", None),
        ("notifications.mark_all_read", "POST"): ("/api/v1/notifications/read-all", None),
        ("notifications.mark_read", "POST"): ("/api/v1/notifications/2147483647/read", None),
        ("audit.list_access_log", "GET"): (f"/api/v1/audit/access-log?actor_id={t.user('target')}", None),
        ("auth.change_password", "POST"): ("/api/v1/auth/password", {"old_password": "Not-the-password-1",
                                                                      "new_password": "Brand-new-secret-2"}),
        ("audit.list_admin_log", "GET"): (f"/api/v1/audit/admin-log?target_type=user&target_id={t.user('target')}",
                                          None),
        ("campaigns.list_campaigns", "GET"): ("/api/v1/campaigns", None),
        ("campaigns.create_campaign", "POST"): ("/api/v1/campaigns", {
            "name": "人居环境整治", "code": f"M{n}", "starts_on": "2026-12-01", "leader_unit_id": village}),
        ("campaigns.get_campaign", "GET"): (f"/api/v1/campaigns/{world.village_campaign_id}", None),
        ("campaigns.list_items", "GET"): (f"/api/v1/campaigns/{world.village_campaign_id}/items", None),
        ("campaigns.create_item", "POST"): (f"/api/v1/campaigns/{world.village_campaign_id}/items",
                                            {"title": "住房安全有保障"}),
        ("campaigns.import_plan", "POST"): (f"/api/v1/campaigns/{world.village_campaign_id}/plan",
                                            {"text": "三、内容\n(一)住房\n1.危房 排查内容。危房。整改措施。改造。责任单位:村(社区)"}),
        ("campaigns.update_item", "PATCH"): (f"/api/v1/campaigns/{world.village_campaign_id}/items/{world.item_id}",
                                             {"title": f"住房安全{n}"}),
        ("cases.list_cases", "GET"): ("/api/v1/cases", None),
        ("cases.open_case", "POST"): ("/api/v1/cases", {
            "campaign_id": t.campaign_id, "unit_id": village, "title": "饮水安全问题"}),
        ("cases.get_case", "GET"): (f"/api/v1/cases/{world.case_id}", None),
        ("cases.fire_event", "POST"): (f"/api/v1/cases/{world.case_id}/events", {
            "event": "note", "version": world.case_version(), "comment": "已入户核查"}),
        ("cases.history", "GET"): (f"/api/v1/cases/{world.case_id}/history", None),
        ("units.list_units", "GET"): ("/api/v1/units", None),
        ("units.create_unit", "POST"): ("/api/v1/units", {"name": f"第{n}组", "kind": "work_team",
                                                          "parent_id": village}),
        ("units.get_unit", "GET"): (f"/api/v1/units/{village}", None),
        ("users.list_users", "GET"): ("/api/v1/users", None),
        ("users.create_user", "POST"): ("/api/v1/users", {
            "username": f"new{n}", "password": "A-long-password1",
            "memberships": [{"unit_id": village, "role": "unit"}]}),
        ("users.get_user", "GET"): (f"/api/v1/users/{t.user('target')}", None),
        ("users.update_user", "PATCH"): (f"/api/v1/users/{t.user('target')}", {"display_name": f"张{n}"}),
        ("users.set_memberships", "PUT"): (f"/api/v1/users/{t.user('target')}/memberships",
                                           {"memberships": [{"unit_id": village, "role": "unit"}]}),
        ("users.hand_over", "POST"): (f"/api/v1/users/{t.user('target')}/hand-over",
                                      {"to_user_id": t.user("unit"), "reason": "调岗"}),
        ("units.update_unit", "PATCH"): (f"/api/v1/units/{village}", {"name": "青山村"}),
        ("workflows.list_workflows", "GET"): ("/api/v1/workflows", None),
        ("workflows.get_workflow", "GET"): ("/api/v1/workflows/default", None),
        ("imports.cases_template", "GET"): ("/api/v1/imports/cases/template.xlsx", None),
        ("sources.list_sources", "GET"): ("/api/v1/sources", None),
        ("sources.add_source", "POST"): ("/api/v1/sources", {"name": f"来源{n}"}),
    }
    if endpoint == "imports.import_cases":
        data = {"file": (io.BytesIO("责任单位,问题描述\r\n".encode()), "问题清单.csv"),
                "campaign_id": str(world.village_campaign_id)}
        return world.client.post("/api/v1/imports/cases", data=data, content_type="multipart/form-data",
                                 headers=world.tokens[actor])
    if endpoint == "evidence.upload":  # a multipart upload, a fresh photo each time
        data = {"kind": "photo", "file": (io.BytesIO(demo_files.photo(seed=n, taken_at=datetime.now())), "照片.jpg")}
        return world.client.post(f"/api/v1/cases/{world.case_id}/evidence", data=data,
                                 content_type="multipart/form-data", headers=world.tokens[actor])
    if endpoint == "evidence.withdraw":  # a photo of its own for each call to withdraw
        url = f"/api/v1/cases/{world.case_id}/evidence/{world.fresh_evidence(n)}/withdraw"
        return world.client.post(url, json={"reason": "拍错了"}, headers=world.tokens[actor])
    url, body = requests[(endpoint, method)]
    return world.client.open(url, method=method, json=body, headers=world.tokens[actor])


def world_household(world: World) -> int:
    """A household of village T-V1, registered the first time a household route is called."""
    if not hasattr(world, "household_id"):
        from casework import personal_data
        from casework.households import service as households
        from casework.users.models import User

        with world.runtime.transaction() as session:
            world.household_id = households.create(
                session=session, actor=session.get(User, world.town.user("leader")), number="QS01-0001",
                key=personal_data.load(world.runtime.settings.data_key_path), head_name="王建国",
                village_id=world.town.unit("village"), id_number="430124195608120035", phone="13812345678").id
    return world.household_id


def call_households(world: World, endpoint: str, actor: str, n: int):
    headers = world.tokens[actor]
    if endpoint == "households.import_register":  # a register with its headers and no rows, as a preview
        data = {"file": (io.BytesIO("户编号,户主姓名,村(社区)\r\n".encode()), "花名册.csv")}
        return world.client.post("/api/v1/imports/households", data=data, content_type="multipart/form-data",
                                 headers=headers)
    if endpoint == "households.create_household":
        return world.client.post("/api/v1/households", headers=headers, json={
            "number": f"QS01-M{n}", "head_name": "李秀英", "village_id": world.town.unit("village")})
    url = {"households.list_households": "/api/v1/households",
           "households.get_household": f"/api/v1/households/{world_household(world)}?full=1",
           "households.register_template": "/api/v1/imports/households/template.xlsx"}[endpoint]
    return world.client.get(url, headers=headers)


def world_channel(world: World) -> int:
    """A new webhook channel of village T-V1 (made as an operator would)."""
    from casework import personal_data
    from casework.channels import service as channels

    with world.runtime.transaction() as session:
        return channels.create(session=session, key=personal_data.load(world.runtime.settings.data_key_path),
                               actor=None, kind="webhook", target="http://127.0.0.1:9/hook",
                               unit_id=world.town.unit("village"), private_ok=True).id


def call_channels(world: World, endpoint: str, method: str, actor: str, n: int):
    if not hasattr(world, "channel_id"):
        world.channel_id = world_channel(world)
    channel = world_channel(world) if endpoint == "channels.delete_channel" else world.channel_id
    url, body = {
        "channels.list_channels": ("/api/v1/channels", None),
        "channels.create_channel": ("/api/v1/channels", {"kind": "email", "target": f"qs{n}@example.gov.cn",
                                                         "unit_id": world.town.unit("village")}),
        "channels.get_channel": (f"/api/v1/channels/{channel}", None),
        "channels.update_channel": (f"/api/v1/channels/{channel}", {"name": f"青山村工作群{n}"}),
        "channels.delete_channel": (f"/api/v1/channels/{channel}", None),
        "channels.test_channel": (f"/api/v1/channels/{channel}/test", None),
        "channels.list_deliveries": (f"/api/v1/channels/{channel}/deliveries", None),
    }[endpoint]
    return world.client.open(url, method=method, json=body, headers=world.tokens[actor])


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint,method", [(e, m) for e, m, _ in ROUTES], ids=[f"{m} {r}" for _, m, r in ROUTES])
def test_each_route_answers_each_actor_as_the_matrix_says(world, endpoint, method, actor):
    if (endpoint, method) not in EXPECTED:
        pytest.fail(f"{method} {endpoint} has no row in EXPECTED: write down who may call it")
    expected = EXPECTED[(endpoint, method)][actor]
    response = call(world, endpoint, method, actor)
    if expected >= 400 and not is_page(endpoint):
        error = assert_error(response, expected)
        if expected == 404:
            assert error["code"].endswith("_not_found"), error
    else:
        assert response.status_code == expected, (response.status_code, response.get_data(as_text=True)[:300])


LISTS = {
    # list endpoint → (url, what the in-scope object is called in the items)
    "cases.list_cases": ("/api/v1/cases", lambda w: w.case_id),
    "units.list_units": ("/api/v1/units", lambda w: w.town.unit("village")),
    "users.list_users": ("/api/v1/users", lambda w: w.town.user("target")),
    "campaigns.list_campaigns": ("/api/v1/campaigns", lambda w: w.village_campaign_id),
    "households.list_households": ("/api/v1/households", world_household),
}


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "anonymous"])
@pytest.mark.parametrize("endpoint", sorted(LISTS))
def test_lists_hold_the_object_only_for_actors_in_scope(world, endpoint, actor):
    url, object_id = LISTS[endpoint]
    response = world.client.get(url, headers=world.tokens[actor])
    assert response.status_code == 200
    ids = {item["id"] for item in response.get_json()["items"]}
    assert (object_id(world) in ids) == (not actor.endswith("_out"))


def test_the_matrix_has_no_rows_for_routes_that_do_not_exist():
    assert set(EXPECTED) - {(e, m) for e, m, _ in ROUTES} == set()


def test_every_route_declares_an_access_rule():
    missing = [endpoint for endpoint, _, _ in ROUTES if rules.rule_of(ROUTE_APP, endpoint) is None]
    assert missing == []


def test_only_sign_in_and_the_api_docs_are_public():
    public = {endpoint for endpoint, _, _ in ROUTES if not rules.rule_of(ROUTE_APP, endpoint).signed_in}
    assert public == PUBLIC_ENDPOINTS


def test_the_matrix_follows_the_design():
    for (endpoint, method), expected in EXPECTED.items():
        if endpoint not in PUBLIC_ENDPOINTS:
            signed_out = (302 if method == "GET" else 303) if is_page(endpoint) else 401
            assert expected["anonymous"] == signed_out, endpoint
        if method in ("POST", "PATCH", "PUT", "DELETE") and endpoint not in PUBLIC_ENDPOINTS | OWN_ACCOUNT | CHECKS:
            # auditors read everything and change nothing (but their own password)
            assert expected["auditor"] == expected["auditor_out"] == 403, endpoint
        for role in ("admin", "leader", "unit", "auditor"):
            inside, outside = expected[role], expected[f"{role}_out"]
            # Scope never turns a 404 into a 403: what the rule forbids is forbidden everywhere,
            # and what it allows is either the same outside one's scope or not found there.
            if inside == 403:
                assert outside == 403, (endpoint, role)
            else:
                assert outside in (inside, 404), (endpoint, role)

def test_an_app_with_a_route_without_a_rule_refuses_to_start():
    app = Flask("unruly")
    app.add_url_rule("/api/v1/secret", "secret", lambda: "no rule here")
    with pytest.raises(RuntimeError, match="secret"):
        rules.check_every_route_has_a_rule(app)
