"""Fixtures for the HTTP API: an app over the test database, a client, a township, signing in.

`town` builds the township of tests/factories.py in a committed transaction, so the app (which
opens its own sessions) sees it. People are named by what they do:

| name | roles |
| --- | --- |
| admin | admin at the township (sees everything) |
| leader | leader at the township |
| village_leader | leader at village T-V1 |
| clerk | unit at village T-V1 |
| team_member | unit at the work team T-V1-T (under T-V1) |
| officer | unit at the assistance officer T-V1-P (under T-V1) |
| auditor | auditor at the township |
| outsider | leader and unit at village T-V2 only (T-V1 is out of their scope) |
| both | leader at the township and unit at T-V1 (for separation of duties) |
"""

from __future__ import annotations

import pytest

from casework.web.app import create_app

from tests.conftest import BACKENDS, make_runtime
from tests.web.helpers import Api, Town, build_town, sign_in


@pytest.fixture
def app(runtime):
    return create_app(runtime=runtime)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def town(runtime) -> Town:
    return build_town(runtime)


@pytest.fixture
def login(client):
    """`login("clerk")` → headers with that user's bearer token (one sign-in per user and test)."""
    tokens: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            tokens[username] = sign_in(client, username)
        return dict(tokens[username])

    return headers


@pytest.fixture
def as_(client, login):
    """`as_("leader").open_case(...)`: calls made by a signed-in person."""
    return lambda username: Api(client, login(username))


# Module-scoped twins, for modules whose tests only read (paging, list filters, the matrix): the
# database is built once per module and backend. Such a module must not also use `runtime`, which
# empties the PostgreSQL database under it.

@pytest.fixture(scope="module", params=BACKENDS)
def module_runtime(request, tmp_path_factory):
    runtime = make_runtime(request.param, tmp_path_factory.mktemp(f"module-{request.param}"), request)
    runtime.sync_workflows()
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def module_app(module_runtime):
    return create_app(runtime=module_runtime)


@pytest.fixture(scope="module")
def module_town(module_runtime) -> Town:
    return build_town(module_runtime)


@pytest.fixture(scope="module")
def module_as(module_app):
    """Like `as_`, for the whole module."""
    client, people = module_app.test_client(), {}

    def api(username: str) -> Api:
        if username not in people:
            people[username] = Api(client, sign_in(client, username))
        return people[username]

    return api
