"""The website chat widget: its assets, its JSON endpoints and two demo pages.

Routes (registered on the web app by `register(app, settings)`):
- `/` and `/over-ons`: plain pages of an LSE-style site with the widget on them;
- `/widget/lse-widget.js`: the widget in one file, with the socket.io client from
  node_modules (`npm ci` in web/widget) wrapped inside it, so nothing comes from a CDN
  and the embedding page gets no global `io`;
- `/widget/lse-widget.css`, `/site/...`: style sheets and the demo site's icon;
- `/api/widget-config`: interface texts (nl, en) with facts from bot/lse_facts.yml,
  the message length limit, and the phone numbers and e-mail addresses to link;
- `/api/status?lang=nl`: open or closed right now, from bot.lse.opening_hours, the
  same schedule code the actions use.

Our pages get a Content-Security-Policy without inline script or style; the API
answers cross-origin requests only from `settings.allowed_origins`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, empty, html, json, raw

from bot.lse import opening_hours
from bot.lse.facts import Facts, format_clock, load_facts
from web.settings import Settings

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
TEXTS_PATH = HERE / "texts.yml"
SOCKET_IO_CLIENT = HERE / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
LANGUAGES = ("nl", "en")
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@lru_cache(maxsize=2)
def load_texts(path: Path = TEXTS_PATH) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "nl"


def interface_texts(facts: Facts, language: str) -> dict[str, str]:
    """All widget texts in one language, with facts filled in ({count} etc. stay)."""
    values = facts.template_values()
    result = {}
    for key, versions in load_texts().items():
        template = versions[language]
        # Only fact placeholders are filled here; the widget fills {count} itself.
        result[key] = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    return result


def status_payload(now: dt.datetime, facts: Facts, language: str) -> dict[str, Any]:
    """What the widget header says about now: open, or closed and when it opens again."""
    texts = interface_texts(facts, language)
    state = opening_hours.status(now, facts)
    if state.open:
        return {
            "open": True,
            "text": texts["status_open"],
            "phone": facts.phone,
            "closes_at": state.closes_at.isoformat() if state.closes_at else None,
            "next_opening": None,
            "language": language,
        }
    moment = state.next_opening
    assert moment is not None  # a closed line opens again
    if moment.date() == state.local_now.date():
        day = texts["today"]
    else:
        day = opening_hours.format_day(moment, language)
    text = texts["status_closed"].replace("{day}", day).replace(
        "{time}", format_clock(moment.time(), language))
    return {
        "open": False,
        "text": text,
        "phone": facts.phone,
        "closes_at": None,
        "next_opening": moment.isoformat(),
        "language": language,
    }


def _language_markers() -> dict[str, str]:
    """Bot texts that tell which language the conversation is in now.

    The language slot is not sent to the client; when the bot says it switched
    language (utter_language_switched), the widget follows.
    """
    markers: dict[str, str] = {}
    try:
        with open(HERE.parent.parent / "domain.yml", encoding="utf-8") as handle:
            domain = yaml.safe_load(handle)
        for variation in domain["responses"]["utter_language_switched"]:
            language = "nl"
            for condition in variation.get("condition") or []:
                if condition.get("name") == "language":
                    language = condition.get("value")
            if variation.get("text") and language in LANGUAGES:
                markers[variation["text"].strip()] = language
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        logger.warning("no language markers: utter_language_switched not found in domain.yml")
    return markers


def widget_config(facts: Facts) -> dict[str, Any]:
    emergency = facts.emergency
    return {
        "max_message_length": facts.max_message_length,
        "texts": {language: interface_texts(facts, language) for language in LANGUAGES},
        # Phone numbers in bot text become tel: links, e-mail addresses mailto: links.
        "phones": [facts.phone, facts.phone_international, emergency["acute"], emergency["police"],
                   emergency["suicide_prevention_free"], emergency["suicide_prevention"]],
        "emails": [facts.email],
        "language_markers": _language_markers(),
    }


def build_widget_script(widget_js: str, client_js: str) -> str:
    """One file: the socket.io client (UMD) as a local module, then the widget."""
    client_js = re.sub(r"//# sourceMappingURL=\S+\s*$", "", client_js.strip())
    return (
        "/* LSE chat widget. Contains the socket.io client (MIT License, "
        "(c) 2014-2024 Guillermo Rauch). */\n"
        "(function () {\n"
        "var module = { exports: {} }; var exports = module.exports; var define;\n"
        f"{client_js}\n"
        ";var io = module.exports;\n"
        f"{widget_js}\n"
        "})();\n"
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    rasa = origin_of(settings.rasa_public_url)
    rasa_ws = "ws" + rasa[4:] if rasa.startswith("http") else rasa
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        f"connect-src 'self' {rasa} {rasa_ws}",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ])


def page_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cache-Control": "no-store",
    }


class WidgetApp:
    """State of the widget routes: settings, facts, templates and the built script."""

    def __init__(self, settings: Settings, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.facts = load_facts()
        self.templates = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                                     autoescape=select_autoescape(["html"]))
        self.script, self.script_error = self._build_script()
        self.script_etag = '"%s"' % hashlib.sha256(self.script.encode()).hexdigest()[:32]

    def _build_script(self):
        widget_js = (STATIC / "widget.js").read_text(encoding="utf-8")
        try:
            client_js = SOCKET_IO_CLIENT.read_text(encoding="utf-8")
        except OSError:
            message = ("The socket.io client is missing: run `make install` "
                       "(npm ci in web/widget).")
            logger.error(message)
            return f"console.error({message!r});\n", message
        return build_widget_script(widget_js, client_js), None

    # --- helpers -------------------------------------------------------------

    def api_headers(self, request: Request) -> dict[str, str]:
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
            "Vary": "Origin",
        }
        origin = request.headers.get("origin")
        if origin and origin in self.settings.allowed_origins:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
            headers["Access-Control-Max-Age"] = "600"
        return headers

    def page(self, template: str, **context: Any) -> HTTPResponse:
        facts = self.facts
        body = self.templates.get_template(template).render(
            facts=facts,
            hours=opening_hours.weekly_hours(facts, "nl"),
            phone_href="tel:" + re.sub(r"[^\d+]", "", facts.phone_international),
            rasa_url=self.settings.rasa_public_url,
            **context,
        )
        return html(body, headers=page_headers(self.settings))

    def asset(self, path: Path, content_type: str) -> HTTPResponse:
        body = path.read_bytes()
        return raw(body, content_type=content_type, headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
            "Cross-Origin-Resource-Policy": "cross-origin",
        })


def register(app: Sanic, settings: Settings, clock: Clock = utc_now) -> WidgetApp:
    state = WidgetApp(settings, clock)
    bp = Blueprint("widget")

    @bp.get("/")
    async def home(_request: Request) -> HTTPResponse:
        return state.page("home.html", current="home")

    @bp.get("/over-ons")
    async def about(_request: Request) -> HTTPResponse:
        return state.page("about.html", current="about")

    @bp.get("/widget/lse-widget.js")
    async def widget_script(request: Request) -> HTTPResponse:
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
            "ETag": state.script_etag,
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if state.script_error:
            return raw(state.script.encode(), status=503,
                       content_type="text/javascript; charset=utf-8", headers=headers)
        if request.headers.get("if-none-match") == state.script_etag:
            return empty(status=304, headers=headers)
        return raw(state.script.encode(), content_type="text/javascript; charset=utf-8",
                   headers=headers)

    @bp.get("/widget/lse-widget.css")
    async def widget_style(_request: Request) -> HTTPResponse:
        return state.asset(STATIC / "widget.css", "text/css; charset=utf-8")

    @bp.get("/site/site.css")
    async def site_style(_request: Request) -> HTTPResponse:
        return state.asset(STATIC / "site.css", "text/css; charset=utf-8")

    @bp.get("/favicon.ico")  # type: ignore[arg-type]  # Sanic's stacked route decorators
    @bp.get("/site/icon.svg")
    async def icon(_request: Request) -> HTTPResponse:
        return state.asset(STATIC / "icon.svg", "image/svg+xml")

    @bp.get("/api/widget-config")
    async def config(request: Request) -> HTTPResponse:
        return json(widget_config(state.facts), headers=state.api_headers(request))

    @bp.get("/api/status")
    async def status(request: Request) -> HTTPResponse:
        language = language_of(request.args.get("lang"))
        return json(status_payload(state.clock(), state.facts, language),
                    headers=state.api_headers(request))

    @bp.route("/api/<_name:path>", methods=["OPTIONS"])
    async def preflight(request: Request, _name: str) -> HTTPResponse:
        return empty(status=204, headers=state.api_headers(request))

    app.blueprint(bp)
    app.ctx.widget = state
    return state
