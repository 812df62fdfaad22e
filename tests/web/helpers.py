"""What the web tests share besides fixtures: the township, signing in, the error shape, calls."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from casework.config import Settings
from casework.paths import workflows_dir
from casework.runtime import Runtime
from casework.web.app import create_app

from tests.factories import PASSWORD, Factory

# name → (role, unit, and any more (role, unit) pairs); see tests/web/conftest.py for who is who
PEOPLE: dict[str, tuple] = {
    "admin": ("admin", "township"),
    "leader": ("leader", "township"),
    "village_leader": ("leader", "village"),
    "clerk": ("unit", "village"),
    "team_member": ("unit", "work_team"),
    "officer": ("unit", "assistance_officer"),
    "auditor": ("auditor", "township"),
    "outsider": ("leader", "village2", ("unit", "village2")),
    "both": ("leader", "township", ("unit", "village")),
}

# For tests whose subject does not depend on the database (error shapes, sign-in, admin routes):
# PostgreSQL only, the production backend, to keep the suite fast. Paging, idempotency, the case
# lifecycle, list filters, the authorization matrix and the generated requests run on both.
POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Town:
    """Ids of what `build_town` made (ORM objects would outlive their session)."""

    units: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    campaign_id: int = 0

    def unit(self, name: str) -> int:
        return self.units[name]

    def user(self, name: str) -> int:
        return self.users[name]


def build_town(runtime: Runtime, people: dict[str, tuple] = PEOPLE) -> Town:
    """The standard township (tests/factories.py), its campaign and the people, committed."""
    town = Town()
    with runtime.transaction() as session:
        make = Factory(session)
        town.units = {name: unit.id for name, unit in make.tree().items()}
        for name, (role, where, *more) in people.items():
            town.users[name] = make.user(role, where, *more, username=name).id
        town.campaign_id = make.campaign().id
    return town


def factory_for(session, town: Town) -> Factory:
    """A Factory over `session` that builds on the township `town` already made."""
    from casework.campaigns.models import Campaign
    from casework.units.models import Unit

    make = Factory(session)
    make._units = {name: session.get(Unit, unit_id) for name, unit_id in town.units.items()}
    make._campaign = session.get(Campaign, town.campaign_id)
    return make


def person(session, town: Town, name: str):
    from casework.users.models import User

    return session.get(User, town.user(name))


def add_evidence(runtime: Runtime, town: Town, case_id: int, kind: str, by: str) -> None:
    """Evidence of `kind` on the case, as if `by` had uploaded it (the upload route comes later)."""
    from casework.cases.models import Case

    with runtime.transaction() as session:
        Factory(session).evidence(session.get(Case, case_id), kind, person(session, town, by))


def sign_in(client, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is `{"error": {code, message, details}}` with `status` (and `code`); returns the error."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json", (response.mimetype, response.get_data(as_text=True)[:200])
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], dict), error
    if code is not None:
        assert error["code"] == code, error
    return error


def route_table_app():
    """An app built only to read its route table and rules (it never touches a database)."""

    class NoDatabase(Runtime):
        def sync_workflows(self) -> list:
            return []

    settings = Settings(instance_dir=Path("/nonexistent"), database_url="sqlite://", redis_url=None,
                        storage_dir=Path("/nonexistent"), secret_key="route-table-only",
                        workflows_dir=workflows_dir())
    return create_app(runtime=NoDatabase(settings=settings, engine=None, sessions=None))  # type: ignore[arg-type]


def routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route a client can call, in a stable order."""
    return sorted((rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"})


class Api:
    """Calls a person makes, with their token: `api.open_case(...)`, `api.fire(...)`."""

    def __init__(self, client, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def get(self, url: str, **kwargs):
        return self.client.get(url, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def post(self, url: str, json=None, **kwargs):
        return self.client.post(url, json=json, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def patch(self, url: str, json=None, **kwargs):
        return self.client.patch(url, json=json, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def put(self, url: str, json=None, **kwargs):
        return self.client.put(url, json=json, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def open_case(self, *, campaign_id: int, unit_id: int, title: str = "扶贫手册信息漏项", **fields) -> dict:
        response = self.post("/api/v1/cases", {"campaign_id": campaign_id, "unit_id": unit_id, "title": title,
                                               **fields})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def case(self, case_id: int) -> dict:
        response = self.get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def fire(self, case: dict | int, event: str, *, version: int | None = None, **fields):
        """POST the event at the case's current version (or the one given); returns the response."""
        case_id = case if isinstance(case, int) else case["id"]
        if version is None:
            version = self.case(case_id)["version"]
        return self.post(f"/api/v1/cases/{case_id}/events", {"event": event, "version": version, **fields})

    def fire_ok(self, case: dict | int, event: str, **fields) -> dict:
        response = self.fire(case, event, **fields)
        assert response.status_code == 200, response.get_json()
        return response.get_json()
