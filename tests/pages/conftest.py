"""Fixtures for the pages: an app over the test township and people signed in at a browser (the
Flask test client), and for the browser tests the demo served by `casework serve` and Chromium.

Pages render the same services on either database; these tests run on SQLite (the embedded
default) except the "my work" query, which runs on both.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casework.web.app import create_app
from tests.pages.browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    axe_script,
    make_demo,
    serve_copy,
)
from tests.pages.helpers import Browser
from tests.web.helpers import Api, build_town, sign_in

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def app(runtime):
    return create_app(runtime=runtime)


@pytest.fixture
def town(runtime):
    return build_town(runtime)


@pytest.fixture
def browser(app, town):
    """`browser("clerk")`: a browser where that person has signed in (`browser()`: nobody has)."""

    def open_browser(username: str | None = None, **options) -> Browser:
        person = Browser(app, **options)
        if username:
            response = person.sign_in(username)
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return person

    return open_browser


@pytest.fixture
def api(app, town):
    """`api("leader")`: the JSON API with that person's bearer token, to set things up."""
    client = app.test_client()
    return lambda username: Api(client, sign_in(client, username))


# Browser tests: the demo served by `casework serve`, driven by headless Chromium.

@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright, for one test module (it keeps an event loop while open)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)"
        if os.environ.get("CASEWORK_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (CASEWORK_REQUIRE_BROWSER=1)")
        pytest.skip(message + " (set CASEWORK_REQUIRE_BROWSER=1, as .ci/run does, to fail instead)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "instance"
    folder.mkdir()
    make_demo(folder)
    return folder


@pytest.fixture
def served(demo_template, tmp_path):
    """The demo, fresh for each test, served on a free port."""
    running = serve_copy(demo_template, tmp_path / "instance")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def axe() -> Path:
    return axe_script()
