"""Logging in, sessions, CSRF, rate limits, and that no staff route answers without a login."""
import re
import sqlite3
import time

import pytest

from conftest import ADMIN, PARENT_ID, STAFF
from web.app import create_app
from web.settings import Settings
from web.staff import auth
from web.staff.db import Databases
from web.staff.routes import ADMIN_ONLY, PUBLIC

PARAMETERS = {"conversation_id": PARENT_ID, "name": "per-dag.svg"}
PARAM_RE = re.compile(r"<([a-z_]+)(?::[a-z]+)?>")


def staff_routes(tmp_path):
    settings = Settings(tracker_db=tmp_path / "c.db", staff_db=tmp_path / "s.db")
    app = create_app(settings, name=f"routes_{int(time.time() * 1000)}")
    found = []
    for route in app.router.routes:
        path = "/" + route.path
        if not path.startswith("/staff"):
            # The only other routes: the public website with the chat widget, and /healthz.
            blueprint = route.name.split(".")[1] if route.name.count(".") >= 2 else ""
            assert blueprint == "widget" or path == "/healthz", (path, route.name)
            continue
        url = PARAM_RE.sub(lambda match: PARAMETERS[match.group(1)], path)
        for method in sorted(route.methods):
            found.append((method, url, route.name.rsplit(".", 1)[-1]))
    return found


def test_every_staff_route_needs_a_login(stack, tmp_path):
    routes = staff_routes(tmp_path)
    assert len(routes) >= 20, routes
    assert {name for _, _, name in routes} >= PUBLIC | ADMIN_ONLY
    anonymous = stack.client()
    for method, url, name in routes:
        if name in PUBLIC:
            continue
        answer = anonymous.request(method, url, data={"ids": PARENT_ID, "format": "json",
                                                      "tag": "x", "note": "x", "confirm": PARENT_ID})
        if method == "GET" and "/api/" not in url:
            assert answer.status_code == 303, (method, url, answer.status_code)
            assert answer.headers["Location"].startswith("/staff/login?next=")
        else:
            assert answer.status_code == 401, (method, url, answer.status_code)
        assert "Familieondersteuning" not in answer.text and "dochter" not in answer.text
    # Nothing was changed or deleted by those requests.
    assert stack.admin().get(f"/staff/api/conversations/{PARENT_ID}").status_code == 200


def test_a_forged_or_expired_cookie_is_no_login(stack):
    client = stack.client()
    client.cookies["lse_staff"] = "x" * 43
    assert client.get("/staff/").status_code == 303
    assert client.get("/staff/api/conversations").status_code == 401


def test_admin_routes_refuse_staff_members(stack):
    member = stack.staff()
    token = member.csrf()
    assert member.get("/staff/audit").status_code == 403
    assert member.post("/staff/purge", data={"csrf_token": token}).status_code == 403
    answer = member.post(f"/staff/conversations/{PARENT_ID}/delete",
                         data={"csrf_token": token, "confirm": PARENT_ID})
    assert answer.status_code == 403
    assert member.get(f"/staff/api/conversations/{PARENT_ID}").status_code == 200


def test_login_sets_a_safe_session_cookie(stack):
    client = stack.client()
    answer = client.login(*STAFF)
    assert answer.status_code == 303 and answer.headers["Location"] == "/staff/"
    cookie = next(h for h in client.set_cookie_headers if h.startswith("lse_staff="))
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/staff"):
        assert attribute in cookie
    assert client.get("/staff/").status_code == 200
    # Security headers on every staff page.
    page = client.get("/staff/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_passwords_are_stored_as_argon2id(stack):
    with sqlite3.connect(stack.staff_db) as connection:
        hashes = [row[0] for row in connection.execute("select password_hash from staff_users")]
    assert hashes and all(value.startswith("$argon2id$") for value in hashes)
    assert not any(ADMIN[1] in value or STAFF[1] in value for value in hashes)


def test_wrong_password_and_unknown_user(stack):
    client = stack.client()
    assert client.login(STAFF[0], "wrong-password-here").status_code == 401
    assert client.login("niemand", "wrong-password-here").status_code == 401
    assert "lse_staff" not in client.cookies


def test_login_needs_its_csrf_token_and_same_origin(stack):
    client = stack.client()
    client.get("/staff/login")
    answer = client.post("/staff/login", data={"username": STAFF[0], "password": STAFF[1],
                                               "csrf_token": "forged"})
    assert answer.status_code == 403
    form = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    answer = client.post("/staff/login", headers={"Origin": "http://evil.example"},
                         data={"username": STAFF[0], "password": STAFF[1], "csrf_token": token})
    assert answer.status_code == 403


def test_every_form_needs_the_csrf_token(stack):
    member = stack.staff()
    for path, data in ((f"/staff/conversations/{PARENT_ID}/tags", {"tag": "zonder-token"}),
                       (f"/staff/conversations/{PARENT_ID}/note", {"note": "zonder token"}),
                       (f"/staff/conversations/{PARENT_ID}/reviewed", {"reviewed": "1"}),
                       ("/staff/export", {"ids": PARENT_ID, "format": "json"}),
                       ("/staff/logout", {})):
        assert member.post(path, data=data).status_code == 403, path
        assert member.post(path, data={**data, "csrf_token": "wrong"}).status_code == 403, path
    page = member.get(f"/staff/conversations/{PARENT_ID}").text
    assert "zonder-token" not in page and "zonder token" not in page
    # Every POST form on the pages carries the token.
    for html in (page, member.get("/staff/").text):
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms and all('name="csrf_token"' in form for form in forms)


def test_login_is_rate_limited_per_account(stack):
    made = stack.cli("create-user", "slot-test", stdin="een-wachtwoord-van-lengte\n")
    assert made.returncode == 0, made.stderr
    client = stack.client()
    for _ in range(5):
        assert client.login("slot-test", "niet-het-goede-wachtwoord").status_code == 401
    locked = client.login("slot-test", "een-wachtwoord-van-lengte")
    assert locked.status_code == 429 and "Te veel mislukte pogingen" in locked.text
    # Other accounts from the same address still get in.
    assert stack.client().login(*STAFF).status_code == 303


def test_sessions_end_after_30_idle_minutes_and_at_logout(stack):
    member = stack.staff()
    assert member.get("/staff/").status_code == 200
    with sqlite3.connect(stack.staff_db) as connection:
        connection.execute("update staff_sessions set last_seen_at = last_seen_at - 31 * 60")
    assert member.get("/staff/").status_code == 303
    member = stack.staff()
    token = member.csrf()
    assert member.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert member.get("/staff/").status_code == 303


def test_login_redirects_only_within_the_staff_app(stack):
    for target in ("//evil.example/", "https://evil.example/", "/staff/\\evil", "/elders"):
        answer = stack.client().login(*STAFF, next_path=target)
        assert answer.headers["Location"] == "/staff/", target
    answer = stack.client().login(*STAFF, next_path="/staff/overview")
    assert answer.headers["Location"] == "/staff/overview"


def test_failed_logins_are_limited_per_address_too(tmp_path):
    databases = Databases.connect(tmp_path / "c.db", tmp_path / "s.db")
    auth.create_user(databases, "anna", "correct horse battery")
    policy = auth.LoginPolicy(max_failures_per_user=50, max_failures_per_ip=3)
    for name in ("a1", "a2", "a3"):
        assert auth.login(databases, name, "x", "10.0.0.1", policy)[0] == "invalid"
    assert auth.login(databases, "anna", "correct horse battery", "10.0.0.1", policy)[0] == "locked"
    assert auth.login(databases, "anna", "correct horse battery", "10.0.0.2", policy)[0] == "ok"
    # After the window the address may try again.
    later = time.time() + policy.window_seconds + 1
    assert auth.login(databases, "anna", "correct horse battery", "10.0.0.1", policy,
                      now=later)[0] == "ok"


@pytest.mark.parametrize("username", ["", "a", "Has Space", "x" * 40, "'; drop table x;--"])
def test_bad_usernames_are_refused(tmp_path, username):
    databases = Databases.connect(tmp_path / "c.db", tmp_path / "s.db")
    with pytest.raises(auth.AuthError):
        auth.create_user(databases, username, "correct horse battery")
