"""The staff app at /staff/: log in, find, read, tag, export and delete conversations.

One blueprint per area (login, conversations and transcripts, export, overview, audit, and
the inbox of web/staff/inbox.py), grouped under /staff with one request middleware. It
denies by default: every route needs a logged-in staff member unless its handler is marked
`access.public` (the login page, the login form's POST and the style sheet), and an admin
when it is marked `access.admin_only` (the audit log, deleting a conversation, the purge,
bulk export, the export of training data); see web/staff/access.py. Every POST needs the
session's CSRF token. Searching the visitors' messages (the `q` of the
list, its API and the filtered export) needs the account's search right or an admin
account (SEARCH_REFUSED); the other filters are open to all staff. Pages are Dutch,
rendered by Jinja2 with autoescape on, so visitor text is always shown as text.

Background jobs while the app runs: the conversation index is refreshed every
`staff_index_interval_seconds`, and conversations past the retention period are deleted
once a day (`staff_purge_interval_seconds`).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, json, raw, redirect

from bot.lse import opening_hours
from bot.lse.facts import load_facts
from web.settings import Settings
from web.staff import access, auth, inbox, index, queries, retention
from web.staff.db import Databases

logger = logging.getLogger("web.staff")

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_FILES = {"staff.css": "text/css; charset=utf-8",
                "staff.js": "application/javascript; charset=utf-8"}
SESSION_COOKIE = "lse_staff"
LOGIN_COOKIE = "lse_staff_login"
COOKIE_PATH = "/staff"
URL_PREFIX = "/staff"
ROLE_LABELS = {"family": "Naaste", "professional": "Professional", "individual": "Zelf betrokken",
               None: "Onbekend", "unknown": "Onbekend"}
LANGUAGE_LABELS = {"nl": "Nederlands", "en": "Engels", None: "–"}
WEEKDAYS = opening_hours.SHORT_DAY_NAMES["nl"]
AUDIT_LABELS = {"view": "bekeken", "print": "afgedrukt", "export": "geëxporteerd",
                "api_view": "opgevraagd (API)", "tag": "label toegevoegd",
                "untag": "label verwijderd", "note": "notitie opgeslagen",
                "reviewed": "gemarkeerd als bekeken", "unreviewed": "markering weggehaald",
                "delete": "verwijderd op verzoek", "purge": "opgeschoond (bewaartermijn)",
                "search": "gezocht", "list": "lijst bekeken", "api_list": "lijst opgevraagd (API)",
                "deactivate": "account uitgeschakeld",
                "search_refused": "zoeken geweigerd (geen zoekrecht)",
                "grant_search": "zoekrecht gegeven", "revoke_search": "zoekrecht ingetrokken",
                "login": "ingelogd", "logout": "uitgelogd", **inbox.AUDIT_LABELS}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    # Browsers take this only over HTTPS, as the staff app is served in production.
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


# A staff member who is no admin exports at most this many chosen conversations at once.
STAFF_EXPORT_MAX = 10
# What a staff member without the search right gets instead of search results (review M6).
SEARCH_REFUSED = ("Zoeken in de berichten van bezoekers mag alleen met zoekrecht. Filteren op "
                  "datum, rol, taal, kenmerk en label kan wel. Heb je zoekrecht nodig? Vraag "
                  "het aan een beheerder.")


def _format_time(value: dt.datetime | None, seconds: bool = False) -> str:
    if value is None:
        return ""
    return value.strftime("%H:%M:%S" if seconds else "%H:%M")


def _format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{WEEKDAYS[value.weekday()]} {value.strftime('%d-%m-%Y %H:%M')}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.0f}%"


def make_templates() -> Environment:
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(time=_format_time, datetime=_format_datetime, percent=_percent,
                               role=lambda r: ROLE_LABELS.get(r, "Onbekend"),
                               language=lambda code: LANGUAGE_LABELS.get(code, code or "–"),
                               urlpart=lambda v: quote(str(v), safe=""),
                               audit_label=lambda a: AUDIT_LABELS.get(a, a))
    environment.globals.update(flags=queries.FLAGS, role_labels=ROLE_LABELS,
                               staff_export_max=STAFF_EXPORT_MAX,
                               language_labels=LANGUAGE_LABELS)
    return environment


class StaffApp:
    """The state of the staff app: settings, databases (opened on first use), templates."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.templates = make_templates()
        self.policy = auth.LoginPolicy(
            max_failures_per_user=settings.staff_login_failures_per_user,
            max_failures_per_ip=settings.staff_login_failures_per_ip,
            idle_seconds=settings.staff_session_idle_seconds)
        self.retention_days = load_facts().retention_days
        self._databases: Databases | None = None
        self._tasks: list[asyncio.Task] = []
        self._overview_cache: dict[tuple, tuple] = {}

    async def overview(self, first: dt.date, last: dt.date) -> list:
        """Numbers per day; kept 30 seconds, since the page and its four charts ask for
        the same period within a second."""
        key = (first, last)
        cached = self._overview_cache.get(key)
        if cached and time.monotonic() - cached[0] < 30:
            return cached[1]
        stats = await self.run(queries.overview, self.databases, first, last)
        if len(self._overview_cache) > 20:
            self._overview_cache.clear()
        self._overview_cache[key] = (time.monotonic(), stats)
        return stats

    @property
    def databases(self) -> Databases:
        if self._databases is None:
            self._databases = Databases.from_settings(self.settings)
        return self._databases

    async def run(self, function: Callable, *args: Any, **kwargs: Any) -> Any:
        """Runs blocking database work in a thread, off the event loop."""
        return await asyncio.to_thread(functools.partial(function, *args, **kwargs))

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> HTTPResponse:
        session = getattr(request.ctx, "session", None)
        body = self.templates.get_template(template).render(
            staff=session.staff if session else None,
            csrf_token=session.csrf_token if session else "",
            retention_days=self.retention_days,
            idle_minutes=max(1, self.settings.staff_session_idle_seconds // 60), **values)
        return html(body, status=status)

    # --- shared by the areas' routes ------------------------------------------------------

    async def refreshed(self) -> bool:
        """Takes in what came since the last refresh of the index (bounded, the background
        job does the rest); True when the index is up to date."""
        return await self.run(index.refresh, self.databases, 5000)

    async def audit_list(self, request: Request, flt: queries.ListFilter, page: queries.Page,
                         action: str) -> None:
        # Who looked at which list when, and how much it showed; a search by the hash of
        # its words, never the words (a name typed into the search stays out of the log).
        await self.run(queries.audit, self.databases, request.ctx.session.staff.username,
                       "search" if flt.search else action, None,
                       queries.list_audit_detail(flt, page))

    async def search_refused(self, request: Request, flt: queries.ListFilter) -> bool:
        """True (and an audit row, with the hash of the words) when the filter searches
        the visitors' messages and this account may not."""
        if not flt.search or request.ctx.session.staff.can_search:
            return False
        await self.run(queries.audit, self.databases, request.ctx.session.staff.username,
                       "search_refused", None, queries.refused_search_detail(flt))
        return True

    # --- background jobs -----------------------------------------------------------

    async def index_loop(self) -> None:
        while True:
            try:
                await self.run(index.refresh, self.databases, None)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("index: refresh failed")
            await asyncio.sleep(self.settings.staff_index_interval_seconds)

    async def purge_loop(self) -> None:
        await asyncio.sleep(self.settings.staff_purge_delay_seconds)
        while True:
            try:
                result = await self.run(retention.purge, self.databases, self.retention_days,
                                        "automatisch")
                logger.info("retention: daily purge done (%d conversations)", result.conversations)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("retention: purge failed")
            await asyncio.sleep(self.settings.staff_purge_interval_seconds)

    def start_jobs(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self.index_loop()), loop.create_task(self.purge_loop())]

    async def stop_jobs(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks = []
        if self._databases is not None:
            self._databases.dispose()


def _set_cookie(response: HTTPResponse, name: str, value: str, max_age: int | None = None) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["path"] = COOKIE_PATH
    cookie["httponly"] = True
    cookie["secure"] = True
    cookie["samesite"] = "Strict"
    if max_age is not None:
        cookie["max-age"] = max_age


def _safe_next(value: str | None) -> str:
    if (value and value.startswith("/staff/") and not value.startswith("//")
            and "\\" not in value and "\n" not in value and "\r" not in value):
        return value
    return "/staff/"


def _wants_json(request: Request) -> bool:
    return request.path.startswith("/staff/api/")


def _denied(request: Request, status: int, message: str) -> HTTPResponse:
    if _wants_json(request):
        return json({"error": message}, status=status)
    return html(f"<!doctype html><html lang=\"nl\"><meta charset=\"utf-8\"><title>{status}</title>"
                f"<p>{Markup.escape(message)}</p><p><a href=\"/staff/\">Naar de gesprekken</a></p>"
                f"</html>", status=status)


def client_address(request: Request) -> str:
    """The visitor's address: the one a configured proxy passes (Sanic's PROXIES_COUNT,
    REAL_IP_HEADER or FORWARDED_SECRET, see Settings.proxies_count), else the peer of the
    connection. Without that configuration forwarded headers are ignored, so nobody can
    choose his own address."""
    return request.remote_addr or request.ip or "unknown"


def _origin_ok(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def _log_to_stderr() -> None:
    """Our log lines (logins refused, deletions: counts and ids, never content) at INFO,
    also when nothing configured logging (Sanic configures only its own loggers)."""
    staff_logger = logging.getLogger("web.staff")
    if staff_logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s  %(message)s"))
    staff_logger.addHandler(handler)
    staff_logger.setLevel(logging.INFO)
    staff_logger.propagate = False


def register(app: Sanic, settings: Settings) -> StaffApp:
    _log_to_stderr()
    # Which proxy may say who the client is (only when configured; see client_address).
    if settings.proxies_count:
        app.config.PROXIES_COUNT = settings.proxies_count
    if settings.real_ip_header:
        app.config.REAL_IP_HEADER = settings.real_ip_header
    if settings.forwarded_secret:
        app.config.FORWARDED_SECRET = settings.forwarded_secret
    staff = StaffApp(settings)
    app.ctx.staff = staff
    # One blueprint per area, all under /staff, sharing the middleware below.
    group = Blueprint.group(login_routes(staff), conversation_routes(staff),
                            export_routes(staff), overview_routes(staff), audit_routes(staff),
                            inbox.inbox_routes(staff), url_prefix=URL_PREFIX)

    @group.on_request
    async def require_staff(request: Request) -> HTTPResponse | None:
        # Deny by default: a route needs a session unless its handler is marked public,
        # and an admin when it is marked admin_only (web/staff/access.py).
        level = access.access_of(request.route.handler if request.route else None)
        if request.method not in ("GET", "HEAD", "POST"):
            return _denied(request, 405, "Methode niet toegestaan.")
        if request.method == "POST" and not _origin_ok(request):
            return _denied(request, 403, "Verzoek van een andere site geweigerd.")
        if level == access.PUBLIC:
            return None
        session = await staff.run(auth.session_for, staff.databases,
                                  request.cookies.get(SESSION_COOKIE), staff.policy)
        if session is None:
            if _wants_json(request) or request.method != "GET":
                return _denied(request, 401, "Log eerst in.")
            target = request.path + (f"?{request.query_string}" if request.query_string else "")
            return redirect("/staff/login?" + urlencode({"next": target}), status=303)
        request.ctx.session = session
        if request.method == "POST" and not auth.csrf_ok(session.csrf_token,
                                                         request.form.get("csrf_token")):
            return _denied(request, 403, "Het formulier is verlopen; laad de pagina opnieuw.")
        if level == access.ADMIN and not session.staff.is_admin:
            return _denied(request, 403, "Alleen voor beheerders.")
        return None

    @group.on_response
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)

    app.blueprint(group)

    async def start_staff_jobs(_app: Sanic, _loop: Any) -> None:
        staff.start_jobs()

    async def stop_staff_jobs(_app: Sanic, _loop: Any) -> None:
        await staff.stop_jobs()

    app.register_listener(start_staff_jobs, "after_server_start")
    app.register_listener(stop_staff_jobs, "before_server_stop")

    return staff


# --- login ---------------------------------------------------------------------------------

def login_routes(staff: StaffApp) -> Blueprint:
    """The login page and form, logout, and the style sheet and script."""
    bp = Blueprint("staff_login")

    def login_form(request: Request, error: str = "", status: int = 200,
                   username: str = "") -> HTTPResponse:
        import secrets
        token = secrets.token_urlsafe(32)
        wanted = request.form.get("next") if request.method == "POST" else request.args.get("next")
        response = staff.page(request, "login.html", status=status, error=error,
                              login_token=token, username=username, next=_safe_next(wanted))
        _set_cookie(response, LOGIN_COOKIE, token, max_age=3600)
        return response

    @bp.get("/login")
    @access.public
    async def login_page(request: Request) -> HTTPResponse:
        return login_form(request)

    @bp.post("/login")
    @access.public
    async def login_submit(request: Request) -> HTTPResponse:
        form = request.form
        if not auth.csrf_ok(request.cookies.get(LOGIN_COOKIE), form.get("csrf_token")):
            return login_form(request, "Het formulier is verlopen. Probeer het nog eens.", 403)
        username = (form.get("username") or "")[:64]
        outcome, token, session, retry_after = await staff.run(
            auth.login, staff.databases, username, form.get("password") or "",
            client_address(request), staff.policy)
        if outcome == "locked":
            logger.warning("login: too many failures (account or address), refused")
            minutes = max(1, int(retry_after + 59) // 60)
            wait = ("over een minuut" if minutes == 1 else f"over {minutes} minuten")
            return login_form(request, f"Te veel mislukte pogingen. Probeer het {wait} "
                                       "opnieuw.", 429, username)
        if outcome != "ok":
            return login_form(request, "Gebruikersnaam of wachtwoord klopt niet.", 401, username)
        response = redirect(_safe_next(form.get("next")), status=303)
        _set_cookie(response, SESSION_COOKIE, token)
        _set_cookie(response, LOGIN_COOKIE, "", max_age=0)
        return response

    @bp.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        await staff.run(auth.logout, staff.databases, request.ctx.session)
        response = redirect("/staff/login", status=303)
        _set_cookie(response, SESSION_COOKIE, "", max_age=0)
        return response

    @bp.get("/static/<name:str>")
    @access.public
    async def static_file(request: Request, name: str) -> HTTPResponse:
        if name not in STATIC_FILES:
            return _denied(request, 404, "Niet gevonden.")
        return raw((STATIC / name).read_bytes(), content_type=STATIC_FILES[name],
                   headers={"Cache-Control": "no-cache"})

    return bp


# --- the list and one conversation ----------------------------------------------------------

def conversation_routes(staff: StaffApp) -> Blueprint:
    """The list (page and API), a transcript (page, print, API), tags, note, reviewed,
    deleting a conversation (admins)."""
    bp = Blueprint("staff_conversations")

    @bp.get("/")
    async def conversation_list(request: Request) -> HTTPResponse:
        flt = queries.ListFilter.from_args(request.args)
        if await staff.search_refused(request, flt):
            tags = await staff.run(queries.all_tags, staff.databases)
            return staff.page(request, "list.html", status=403, flt=flt, search_refused=True,
                              message=SEARCH_REFUSED, page=queries.Page([], 0, 1, 1),
                              all_tags=tags, up_to_date=True, roles=queries.ROLES,
                              deleted=False, query="", prev_query="", next_query="")
        up_to_date = await staff.refreshed()
        page = await staff.run(queries.list_conversations, staff.databases, flt)
        await staff.audit_list(request, flt, page, "list")
        tags = await staff.run(queries.all_tags, staff.databases)
        return staff.page(request, "list.html", flt=flt, page=page, all_tags=tags,
                          up_to_date=up_to_date, roles=queries.ROLES,
                          deleted=request.args.get("deleted") == "1",
                          query=urlencode(flt.query_items()),
                          prev_query=urlencode(flt.query_items(page.page - 1)),
                          next_query=urlencode(flt.query_items(page.page + 1)))

    @bp.get("/api/conversations")
    async def api_list(request: Request) -> HTTPResponse:
        flt = queries.ListFilter.from_args(request.args)
        if await staff.search_refused(request, flt):
            return json({"error": SEARCH_REFUSED}, status=403, ensure_ascii=False)
        await staff.refreshed()
        page = await staff.run(queries.list_conversations, staff.databases, flt)
        await staff.audit_list(request, flt, page, "api_list")
        rows = [{
            "id": row["sender_id"], "started_at": row["started"].isoformat(),
            "role": row["role"], "language": row["language"],
            "first_message": row["first_message"], "messages": row["messages"],
            "visitor_messages": row["user_messages"],
            "danger_112": row["danger_112"], "danger_113": row["danger_113"],
            "contact_open": row["contact_open"], "contact_closed": row["contact_closed"],
            "fallbacks": row["fallbacks"], "tags": row["tags"], "reviewed": row["reviewed"],
        } for row in page.rows]
        return json({"total": page.total, "page": page.page, "pages": page.pages,
                     "conversations": rows}, ensure_ascii=False)

    # --- one conversation ------------------------------------------------------------------

    async def load_conversation(request: Request, conversation_id: str, action: str):
        items = await staff.run(queries.transcript, staff.databases, conversation_id)
        if not items:
            return None, None
        summary = await staff.run(queries.summary_row, staff.databases, conversation_id)
        await staff.run(queries.audit, staff.databases, request.ctx.session.staff.username,
                        action, conversation_id)
        return items, summary

    @bp.get("/conversations/<conversation_id:str>")
    async def transcript_page(request: Request, conversation_id: str) -> HTTPResponse:
        items, summary = await load_conversation(request, conversation_id, "view")
        if items is None:
            return staff.page(request, "missing.html", status=404, conversation_id=conversation_id)
        details = request.args.get("details") == "1"
        return staff.page(request, "transcript.html", items=items, summary=summary or {},
                          conversation_id=conversation_id, details=details,
                          saved=request.args.get("saved"), all_tags=await staff.run(
                              queries.all_tags, staff.databases))

    @bp.get("/conversations/<conversation_id:str>/print")
    async def print_page(request: Request, conversation_id: str) -> HTTPResponse:
        items, summary = await load_conversation(request, conversation_id, "print")
        if items is None:
            return staff.page(request, "missing.html", status=404, conversation_id=conversation_id)
        return staff.page(request, "print.html", items=items, summary=summary or {},
                          conversation_id=conversation_id,
                          printed_at=dt.datetime.now(queries.zone()))

    @bp.get("/api/conversations/<conversation_id:str>")
    async def api_transcript(request: Request, conversation_id: str) -> HTTPResponse:
        exists = await staff.run(queries.conversation_exists, staff.databases, conversation_id)
        if not exists:
            return json({"error": "not found"}, status=404)
        records = await staff.run(queries.export_records, staff.databases, [conversation_id])
        await staff.run(queries.audit, staff.databases, request.ctx.session.staff.username,
                        "api_view", conversation_id)
        return json(records[0], ensure_ascii=False)

    def back_to(conversation_id: str, saved: str) -> HTTPResponse:
        return redirect(f"/staff/conversations/{quote(conversation_id, safe='')}?saved={saved}",
                        status=303)

    async def known(conversation_id: str) -> bool:
        return await staff.run(queries.conversation_exists, staff.databases, conversation_id)

    @bp.post("/conversations/<conversation_id:str>/tags")
    async def add_tag(request: Request, conversation_id: str) -> HTTPResponse:
        if not await known(conversation_id):
            return _denied(request, 404, "Dit gesprek bestaat niet (meer).")
        ok = await staff.run(queries.add_tag, staff.databases, conversation_id,
                             request.form.get("tag") or "", request.ctx.session.staff.username)
        return back_to(conversation_id, "tag" if ok else "tag-invalid")

    @bp.post("/conversations/<conversation_id:str>/tags/remove")
    async def remove_tag(request: Request, conversation_id: str) -> HTTPResponse:
        await staff.run(queries.remove_tag, staff.databases, conversation_id,
                        request.form.get("tag") or "", request.ctx.session.staff.username)
        return back_to(conversation_id, "untag")

    @bp.post("/conversations/<conversation_id:str>/note")
    async def save_note(request: Request, conversation_id: str) -> HTTPResponse:
        if not await known(conversation_id):
            return _denied(request, 404, "Dit gesprek bestaat niet (meer).")
        await staff.run(queries.set_note, staff.databases, conversation_id,
                        request.form.get("note") or "", request.ctx.session.staff.username)
        return back_to(conversation_id, "note")

    @bp.post("/conversations/<conversation_id:str>/reviewed")
    async def mark_reviewed(request: Request, conversation_id: str) -> HTTPResponse:
        if not await known(conversation_id):
            return _denied(request, 404, "Dit gesprek bestaat niet (meer).")
        reviewed = request.form.get("reviewed") == "1"
        await staff.run(queries.set_reviewed, staff.databases, conversation_id, reviewed,
                        request.ctx.session.staff.username)
        return back_to(conversation_id, "reviewed" if reviewed else "unreviewed")

    @bp.post("/conversations/<conversation_id:str>/delete")
    @access.admin_only
    async def delete_conversation(request: Request, conversation_id: str) -> HTTPResponse:
        if request.form.get("confirm") != conversation_id:
            return _denied(request, 400, "Typ het gesprek-id over om te bevestigen.")
        await staff.run(retention.delete_conversation, staff.databases, conversation_id,
                        request.ctx.session.staff.username)
        return redirect("/staff/?deleted=1", status=303)

    return bp


# --- export ----------------------------------------------------------------------------------

def export_routes(staff: StaffApp) -> Blueprint:
    """Export of chosen conversations (staff: at most STAFF_EXPORT_MAX) and of everything a
    filter finds (admins: bulk export, review M6)."""
    bp = Blueprint("staff_export")

    async def export(request: Request, ids: list[str], fmt: str) -> HTTPResponse:
        ids = list(dict.fromkeys(i for i in ids if i))[:queries.MAX_EXPORT]
        if fmt not in ("json", "csv"):
            return _denied(request, 400, "Kies JSON of CSV.")
        if not ids:
            return _denied(request, 400, "Kies eerst een of meer gesprekken.")
        if len(ids) > STAFF_EXPORT_MAX and not request.ctx.session.staff.is_admin:
            return _denied(request, 403, f"Meer dan {STAFF_EXPORT_MAX} gesprekken tegelijk "
                                         "exporteren mag alleen een beheerder.")
        records = await staff.run(queries.export_records, staff.databases, ids)
        await staff.run(queries.audit_many, staff.databases, request.ctx.session.staff.username,
                        "export", [record["id"] for record in records], fmt)
        stamp = dt.datetime.now(queries.zone()).strftime("%Y%m%d-%H%M")
        if fmt == "json":
            body, content_type = queries.export_json(records), "application/json; charset=utf-8"
        else:
            body, content_type = queries.export_csv(records), "text/csv; charset=utf-8"
        return raw(body.encode("utf-8"), content_type=content_type, headers={
            "Content-Disposition": f'attachment; filename="lse-gesprekken-{stamp}.{fmt}"'})

    @bp.post("/export")
    async def export_selected(request: Request) -> HTTPResponse:
        return await export(request, request.form.getlist("ids") or [],
                            request.form.get("format") or "")

    @bp.get("/export")
    @access.admin_only
    async def export_filtered(request: Request) -> HTTPResponse:
        flt = queries.ListFilter.from_args(request.args)
        # Admins only, who may search: a second lock.
        if await staff.search_refused(request, flt):
            return _denied(request, 403, SEARCH_REFUSED)
        await staff.refreshed()
        ids = await staff.run(queries.filtered_ids, staff.databases, flt)
        return await export(request, ids, request.args.get("format") or "")

    return bp


# --- overview --------------------------------------------------------------------------------

def overview_routes(staff: StaffApp) -> Blueprint:
    """Numbers and charts per day over a period."""
    bp = Blueprint("staff_overview")

    def period(request: Request) -> tuple:
        today = dt.datetime.now(queries.zone()).date()
        last = queries.parse_date(request.args.get("to")) or today
        first = queries.parse_date(request.args.get("from")) or (last - dt.timedelta(days=29))
        if first > last:
            first, last = last, first
        first = max(first, last - dt.timedelta(days=366))
        return first, last

    @bp.get("/overview")
    async def overview_page(request: Request) -> HTTPResponse:
        await staff.refreshed()
        first, last = period(request)
        stats = await staff.overview(first, last)
        totals = {
            "conversations": sum(s.conversations for s in stats),
            "contact_open": sum(s.contact_open for s in stats),
            "contact_closed": sum(s.contact_closed for s in stats),
            "danger_112": sum(s.danger_112 for s in stats),
            "danger_113": sum(s.danger_113 for s in stats),
            "fallbacks": sum(s.fallbacks for s in stats),
            "user_messages": sum(s.user_messages for s in stats),
        }
        return staff.page(request, "overview.html", first=first, last=last, totals=totals,
                          charts=[("per-dag", "Gesprekken per dag naar rol"),
                                  ("contact", "Contactverzoeken binnen en buiten openingstijd"),
                                  ("gevaar", "Doorverwijzingen naar 112 en 113"),
                                  ("fallback", "Fallback-percentage")],
                          period_query=urlencode({"from": first.isoformat(),
                                                  "to": last.isoformat()}))

    @bp.get("/charts/<name:str>")
    async def chart(request: Request, name: str) -> HTTPResponse:
        from web.staff import charts
        name = name[:-4] if name.endswith(".svg") else name
        if name not in charts.CHARTS:
            return _denied(request, 404, "Onbekende grafiek.")
        first, last = period(request)
        stats = await staff.overview(first, last)
        svg = await staff.run(charts.render, name, stats)
        return raw(svg, content_type="image/svg+xml")

    return bp


# --- audit log and purge (admins) ------------------------------------------------------------

def audit_routes(staff: StaffApp) -> Blueprint:
    bp = Blueprint("staff_audit")

    @bp.post("/purge")
    @access.admin_only
    async def purge_now(request: Request) -> HTTPResponse:
        result = await staff.run(retention.purge, staff.databases, staff.retention_days,
                                 request.ctx.session.staff.username)
        return redirect(f"/staff/audit?purged={result.conversations}", status=303)

    @bp.get("/audit")
    @access.admin_only
    async def audit_page(request: Request) -> HTTPResponse:
        try:
            page = max(1, int(request.args.get("page") or 1))
        except ValueError:
            page = 1
        entries, total = await staff.run(queries.audit_entries, staff.databases, 100,
                                         (page - 1) * 100)
        users = await staff.run(queries.list_users, staff.databases)
        return staff.page(request, "audit.html", entries=entries, total=total, page=page,
                          pages=max(1, (total + 99) // 100), users=users,
                          purged=request.args.get("purged"))

    return bp
