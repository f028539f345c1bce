"""Logging in, sessions, CSRF, rate limits, and that no staff route answers without a login."""
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sanic import Sanic
from sanic.request import Request

from tests.staff.helpers import ADMIN, PARENT_ID, STAFF
from web.app import create_app
from web.settings import Settings
from web.staff import access, auth
from web.staff.db import Databases
from web.staff.routes import client_address

PARAMETERS = {"conversation_id": PARENT_ID, "name": "per-dag.svg"}
PARAM_RE = re.compile(r"<([a-z_]+)(?::[a-z]+)?>")
# What the routes' own property (web/staff/access.py) must say; every other route is for
# logged-in staff. A route that loses or gains a marking fails here.
PUBLIC_ROUTES = {("GET", "/staff/login"), ("POST", "/staff/login"),
                 ("GET", "/staff/static/<name:str>")}
ADMIN_ROUTES = {("GET", "/staff/audit"), ("POST", "/staff/purge"), ("GET", "/staff/export"),
                ("POST", "/staff/conversations/<conversation_id:str>/delete"),
                ("POST", "/staff/inbox/export")}
FORM = {"ids": PARENT_ID, "format": "json", "tag": "x", "note": "x", "confirm": PARENT_ID,
        "event_id": "1", "verdict": "unusable", "kind": "training"}


def staff_routes(tmp_path):
    """(method, url to call, route path, access level from the route) of every staff route."""
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
        level = access.access_of(route.handler)
        assert getattr(route.handler, access.ATTRIBUTE, access.STAFF) in access.LEVELS
        for method in sorted(route.methods):
            found.append((method, url, path, level))
    return found


def test_the_routes_say_who_may_reach_them(tmp_path):
    routes = staff_routes(tmp_path)
    assert len(routes) >= 25, routes
    assert {(method, path) for method, _, path, level in routes
            if level == access.PUBLIC} == PUBLIC_ROUTES
    assert {(method, path) for method, _, path, level in routes
            if level == access.ADMIN} == ADMIN_ROUTES


def test_every_staff_route_needs_a_login(stack, tmp_path):
    routes = staff_routes(tmp_path)
    anonymous = stack.client()
    for method, url, _, level in routes:
        if level == access.PUBLIC:
            continue
        answer = anonymous.request(method, url, data=FORM)
        if method == "GET" and "/api/" not in url:
            assert answer.status_code == 303, (method, url, answer.status_code)
            assert answer.headers["Location"].startswith("/staff/login?next=")
        else:
            assert answer.status_code == 401, (method, url, answer.status_code)
        assert "Familieondersteuning" not in answer.text and "dochter" not in answer.text
    # Nothing was changed or deleted by those requests.
    assert stack.admin().get(f"/staff/api/conversations/{PARENT_ID}").status_code == 200


def test_every_admin_route_refuses_staff_members(stack, tmp_path):
    member = stack.staff()
    token = member.csrf()
    admin_routes = [(method, url) for method, url, _, level in staff_routes(tmp_path)
                    if level == access.ADMIN]
    assert len(admin_routes) == len(ADMIN_ROUTES)
    for method, url in admin_routes:
        answer = member.request(method, url, data={**FORM, "csrf_token": token})
        assert answer.status_code == 403, (method, url, answer.status_code)
        assert "Alleen voor beheerders." in answer.text, (method, url)
    assert member.get(f"/staff/api/conversations/{PARENT_ID}").status_code == 200


def test_every_post_route_needs_the_csrf_token(stack, tmp_path):
    posts = [url for method, url, _, level in staff_routes(tmp_path)
             if method == "POST" and level != access.PUBLIC]
    assert len(posts) >= 10, posts
    member, admin = stack.staff(), stack.admin()
    for url in posts:
        for client in (member, admin):
            for data in (FORM, {**FORM, "csrf_token": "wrong"}):
                answer = client.post(url, data=data)
                assert answer.status_code == 403, (url, answer.status_code)
                assert "Het formulier is verlopen" in answer.text, url
    # Still logged in (the logout was refused too) and nothing was deleted.
    assert admin.get(f"/staff/api/conversations/{PARENT_ID}").status_code == 200
    assert member.get("/staff/").status_code == 200


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


def _databases(tmp_path):
    databases = Databases.connect(tmp_path / "c.db", tmp_path / "s.db")
    auth.create_user(databases, "anna", "correct horse battery")
    return databases


def test_bad_passwords_from_one_address_do_not_lock_the_account_elsewhere(tmp_path):
    """Review M3 (a): 5 bad passwords for anna from A; anna herself, from B, gets in."""
    databases = _databases(tmp_path)
    policy = auth.LoginPolicy()
    now = time.time()
    for _ in range(5):
        assert auth.login(databases, "anna", "fout", "198.51.100.1", policy, now=now).outcome \
            == "invalid"
    assert auth.login(databases, "anna", "correct horse battery", "203.0.113.7", policy,
                      now=now).outcome == "ok"
    # From A: a delay, not a lock, and it doubles with every further failure.
    locked = auth.login(databases, "anna", "correct horse battery", "198.51.100.1", policy,
                        now=now + 1)
    assert locked.outcome == "locked" and 0 < locked.retry_after <= policy.backoff_seconds
    later = now + policy.backoff_seconds + 1
    assert auth.login(databases, "anna", "fout", "198.51.100.1", policy, now=later).outcome \
        == "invalid"
    again = auth.login(databases, "anna", "fout", "198.51.100.1", policy, now=later + 1)
    assert again.outcome == "locked"
    assert policy.backoff_seconds < again.retry_after <= 2 * policy.backoff_seconds
    # Capped: after many rounds the delay is never more than backoff_max_seconds.
    moment = later
    for _ in range(12):
        result = auth.login(databases, "anna", "fout", "198.51.100.1", policy, now=moment)
        moment += (result.retry_after or 0) + 1
        assert result.retry_after <= policy.backoff_max_seconds
    assert auth.login(databases, "anna", "correct horse battery", "198.51.100.1", policy,
                      now=moment + policy.backoff_max_seconds).outcome == "ok"


def test_parallel_bad_logins_get_no_more_guesses_than_the_limit_sqlite(tmp_path):
    """Review M3 (c), on SQLite: the attempt is counted before Argon2 runs."""
    databases = _databases(tmp_path)
    policy = auth.LoginPolicy()
    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(lambda _: auth.login(databases, "anna", "fout", "10.1.1.1",
                                                      policy).outcome, range(20)))
    assert outcomes.count("invalid") <= policy.max_failures_per_user
    assert outcomes.count("locked") >= 20 - policy.max_failures_per_user


def test_argon2_runs_outside_the_write_transaction(tmp_path, monkeypatch):
    databases = _databases(tmp_path)
    writable = []

    class Spy(type(auth._hasher)):
        def verify(self, hash_, password):
            # While the password is checked another process can write to the database.
            other = sqlite3.connect(tmp_path / "s.db", timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                writable.append(True)
            except sqlite3.OperationalError:
                writable.append(False)
            finally:
                other.close()
            return super().verify(hash_, password)

    monkeypatch.setattr(auth, "_hasher", Spy())
    assert auth.login(databases, "anna", "fout", "10.0.0.9", auth.LoginPolicy()).outcome == "invalid"
    assert auth.login(databases, "anna", "correct horse battery", "10.0.0.9",
                      auth.LoginPolicy()).outcome == "ok"
    assert writable == [True, True]


def test_the_typed_username_is_never_stored(tmp_path):
    """Review L9: a password typed into the username field stays nowhere."""
    databases = _databases(tmp_path)
    typed = "MijnGeheimeWachtwoord!"
    auth.login(databases, typed, "x", "192.0.2.44", auth.LoginPolicy())
    dump = "\n".join(sqlite3.connect(tmp_path / "s.db").iterdump())
    assert typed.lower() not in dump.lower() and "192.0.2.44" not in dump
    assert "staff_login_failures" not in dump


def test_an_ipv6_block_counts_as_one_address():
    assert auth.address_key("2001:db8:1:2::5") == auth.address_key("[2001:db8:1:2:ffff::1]")
    assert auth.address_key("2001:db8:1:3::5") != auth.address_key("2001:db8:1:2::5")
    assert auth.address_key("::ffff:192.0.2.1") == "192.0.2.1"


def _request(app, headers, peer="127.0.0.1"):
    request = Request(b"/staff/login", headers, "1.1", "POST", None, app)

    class ConnInfo:
        client_ip = peer

    request.conn_info = ConnInfo()
    return request


def test_forwarded_addresses_count_only_behind_a_configured_proxy():
    from sanic.compat import Header
    headers = Header({"X-Forwarded-For": "203.0.113.50"})
    direct = Sanic(f"direct_{int(time.time() * 1000)}")
    assert client_address(_request(direct, headers)) == "127.0.0.1"  # ignored: no proxy
    settings = Settings(proxies_count=1)
    proxied = create_app(settings, name=f"proxied_{int(time.time() * 1000)}")
    assert proxied.config.PROXIES_COUNT == 1
    assert client_address(_request(proxied, headers)) == "203.0.113.50"
    assert client_address(_request(proxied, Header({}))) == "127.0.0.1"
    # Only the address the proxy itself added counts, not one the client made up.
    spoofed = Header({"X-Forwarded-For": "10.9.9.9, 203.0.113.51"})
    assert client_address(_request(proxied, spoofed)) == "203.0.113.51"


def test_many_failures_behind_the_proxy_do_not_lock_out_other_staff(stack):
    """Review M3 (b): behind the proxy every request comes from 127.0.0.1; 20 failures
    from one client (for made-up accounts) block that client, not the staff member."""
    attacker = stack.client()
    for number in range(20):
        answer = attacker.request(
            "POST", "/staff/login", headers={"X-Forwarded-For": "203.0.113.9"},
            data=_login_form(attacker, f"mallory{number}", "niet-het-goede-wachtwoord"))
        assert answer.status_code == 401, number
    blocked = attacker.request("POST", "/staff/login", headers={"X-Forwarded-For": "203.0.113.9"},
                               data=_login_form(attacker, *STAFF))
    assert blocked.status_code == 429
    member = stack.client()
    answer = member.request("POST", "/staff/login", headers={"X-Forwarded-For": "198.51.100.7"},
                            data=_login_form(member, *STAFF))
    assert answer.status_code == 303
    assert stack.client().login(*STAFF).status_code == 303  # and without a forwarded address


def _login_form(client, username, password):
    form = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return {"username": username, "password": password, "csrf_token": token, "next": "/staff/"}


def test_deactivate_user_ends_the_sessions_and_the_logins(stack):
    made = stack.cli("create-user", "vertrokken", stdin="een-wachtwoord-voor-weg\n")
    assert made.returncode == 0, made.stderr
    client = stack.client().logged_in("vertrokken", "een-wachtwoord-voor-weg")
    assert client.get("/staff/").status_code == 200
    done = stack.cli("deactivate-user", "vertrokken")
    assert done.returncode == 0, done.stderr
    assert client.get("/staff/").status_code == 303
    assert client.get("/staff/api/conversations").status_code == 401
    assert stack.client().login("vertrokken", "een-wachtwoord-voor-weg").status_code == 401
    assert stack.cli("deactivate-user", "bestaat-niet").returncode == 2
    listing = stack.cli("list-users").stdout
    assert "vertrokken\tmedewerker (uitgeschakeld)" in listing
