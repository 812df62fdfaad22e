"""A person at a browser, for the Flask test client: cookies kept, forms posted as multipart with
the page's CSRF token, HTML asked for in one language."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

CSRF = re.compile(r'data-csrf="([^"]+)"')
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Browser:
    def __init__(self, app, *, language: str = "zh-CN", https: bool = False) -> None:
        self.client = app.test_client()
        self.base_url = "https://localhost" if https else "http://localhost"
        self.headers = {"Accept": HTML, "Accept-Language": language}

    def get(self, url: str, headers: dict | None = None, **kwargs):
        return self.client.get(url, headers={**self.headers, **(headers or {})}, base_url=self.base_url, **kwargs)

    def token(self) -> str:
        """The CSRF token of the current session, as every page carries it."""
        for url in ("/", "/sign-in", "/password"):
            found = CSRF.search(self.get(url).get_data(as_text=True))
            if found:
                return found.group(1)
        raise AssertionError("no page carried a CSRF token")

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, headers: dict | None = None, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data, content_type="multipart/form-data",
                                headers={**self.headers, **(headers or {})}, base_url=self.base_url, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD, next: str = "/"):
        return self.post("/sign-in", {"username": username, "password": password, "next": next})


def text_of(response) -> str:
    return response.get_data(as_text=True)
