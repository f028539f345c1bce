"""A small HTTP client for the staff app, and the staff command line tool as a subprocess."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
import requests

from bot.lse.storage import PG_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')

# The accounts and seeded conversations of the test stack (conftest.py).
ADMIN = ("beheerder", "lange-zin-voor-de-beheerder")
STAFF = ("medewerker", "nog-een-lange-zin-123")  # may search (create-user --may-search)
READER = ("lezer", "een-lange-zin-voor-de-lezer")  # may not search the visitors' messages
PARENT_ID = "ouder-gisteravond"
EXPIRED_ID = "verlopen-40-dagen"
KEPT_ID = "bewaard-29-dagen"
FALLBACK_ID = "niet-begrepen"
FILLER_COUNT = 55  # more than one page of 50


def model_path() -> str:
    """The trained model of the tests (LSE_MODEL, else models/current.tar.gz)."""
    model = os.environ.get("LSE_MODEL") or str(ROOT / "models" / "current.tar.gz")
    if not Path(model).exists():
        pytest.fail(f"no trained model at {model}: run 'make train' first")
    return model


class StaffClient:
    """Like a browser: keeps cookies (also Secure ones on http://127.0.0.1, as browsers do
    for localhost, which Python's cookie jar does not) and follows nothing by itself."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.cookies and "Cookie" not in headers:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST" and "Origin" not in headers:
            headers["Origin"] = self.base_url
        answer = self.http.request(method, self.base_url + path, headers=headers,
                                   allow_redirects=False, timeout=60, **kwargs)
        for header in answer.raw.headers.getlist("Set-Cookie"):
            self.set_cookie_headers.append(header)
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if not value or "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def csrf(self, path: str = "/staff/") -> str:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        found = CSRF_RE.search(page.text)
        assert found, (path, "no CSRF token on the page")
        return found.group(1)

    def login(self, username: str, password: str, next_path: str = "/staff/") -> requests.Response:
        form = self.get("/staff/login")
        found = CSRF_RE.search(form.text)
        assert found, "no CSRF token on the login page"
        token = found.group(1)
        return self.post("/staff/login", data={"username": username, "password": password,
                                               "csrf_token": token, "next": next_path})

    def logged_in(self, username: str, password: str) -> StaffClient:
        answer = self.login(username, password)
        assert answer.status_code == 303, answer.text
        return self


def cli_env(tracker_db: Path | None = None, staff_db: Path | None = None,
            postgres_env: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in PG_VARIABLES}
    env["PYTHONPATH"] = str(ROOT)
    env["SQLALCHEMY_SILENCE_UBER_WARNING"] = "1"
    if postgres_env:
        env.update(postgres_env)
    if tracker_db:
        env["LSE_TRACKER_DB"] = str(tracker_db)
    if staff_db:
        env["LSE_STAFF_DB"] = str(staff_db)
    return env


def run_cli(args: Iterable[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "web.staff.cli", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)
