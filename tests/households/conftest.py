"""The web tests' fixtures (an app over the test database, the township, signing in), for the
household tests that go through HTTP."""

from tests.web.conftest import app, as_, client, login, town  # noqa: F401 - fixtures, found by name
