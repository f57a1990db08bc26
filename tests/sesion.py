"""A browser's session for tests that go through CKAN's web forms: log in with the login form
(session cookie) and take the CSRF token a rendered form carries, as a browser does."""
from __future__ import annotations

import re
from typing import Any

#: The password of CKAN's ``UserWithToken`` and ``SysadminWithToken`` factories.
PASSWORD = "correct123"
_TOKEN = re.compile(r'<input[^>]*name="_csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: Any) -> str:
    """The CSRF token of the (first) form of a rendered page; fails when there is none."""
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token in the page (status {page.status_code})"
    return found.group(1)


def log_in(app: Any, name: str, password: str = PASSWORD) -> None:
    """Log in through ``/user/login`` with the token of the form; the test client keeps the
    session cookie for the next requests."""
    token = csrf_token(app.get("/user/login"))
    answer = app.post("/user/login", data={"login": name, "password": password,
                                           "_csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    assert "/user/login" not in answer.headers["Location"], "the login was refused"


def logged_in(app: Any) -> bool:
    """Whether the session is a logged-in one: the dashboard answers it, and sends anonymous
    visitors to the login form."""
    return app.get("/dashboard/datasets", follow_redirects=False).status_code == 200
