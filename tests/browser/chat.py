"""A small driver for the chat widget in a Playwright page (locators pierce its shadow root)."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from bot.lse import opening_hours
from bot.lse.facts import load_facts

EXIT_URL = "https://www.google.nl/"
EXIT_URL_PATTERN = re.compile(r"^https://www\.google\.nl/.*")
STORAGE_KEY = "lse-chat"
REPLY_TIMEOUT_MS = 25_000

# The script that finds the element focused inside the widget's shadow root.
FOCUSED = """() => {
  const host = document.getElementById('lse-chat-widget');
  const inner = host && host.shadowRoot && host.shadowRoot.activeElement;
  if (!inner) return null;
  return {tag: inner.tagName.toLowerCase(), cls: inner.className, text: inner.textContent.trim(),
          outline: getComputedStyle(inner).outlineStyle,
          outlineWidth: getComputedStyle(inner).outlineWidth};
}"""


class Chat:
    def __init__(self, page: Page, site: str) -> None:
        self.page = page
        self.site = site

    # --- parts of the widget ---
    @property
    def launcher(self) -> Locator:
        return self.page.locator(".lse-launcher")

    @property
    def panel(self) -> Locator:
        return self.page.locator(".lse-panel")

    @property
    def input(self) -> Locator:
        return self.page.locator(".lse-input")

    @property
    def log(self) -> Locator:
        return self.page.locator(".lse-log")

    @property
    def status(self) -> Locator:
        return self.page.locator(".lse-status")

    @property
    def bot_messages(self) -> Locator:
        return self.page.locator(".lse-msg--bot")

    @property
    def user_messages(self) -> Locator:
        return self.page.locator(".lse-msg--user")

    def choice(self, title: str) -> Locator:
        return self.page.locator(".lse-choice", has_text=title)

    def button(self, name: str) -> Locator:
        return self.page.locator(f".lse-{name}")

    # --- actions ---
    def visit(self, path: str = "/") -> Chat:
        self.page.goto(self.site + path)
        return self.ready()

    def ready(self) -> Chat:
        """Waits until the widget is built: its launcher or its panel shows."""
        expect(self.page.locator(".lse-launcher, .lse-panel").locator("visible=true").first) \
            .to_be_visible()
        return self

    def open(self) -> Chat:
        self.ready()
        if self.launcher.is_visible():
            self.launcher.click()
        expect(self.panel).to_be_visible()
        return self

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def wait_for_bot(self, text: str, after: int = 0) -> Locator:
        """The first bot message after the first `after` ones that contains `text`."""
        message = self.page.locator(".lse-msg--bot").filter(has_text=text)
        expect(message.last).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        found = self.bot_texts()
        assert any(text in item for item in found[after:]), (text, found[after:])
        return message.last

    def bot_texts(self) -> list[str]:
        return [self._strip(text) for text in self.bot_messages.all_inner_texts()]

    def user_texts(self) -> list[str]:
        return [self._strip(text) for text in self.user_messages.all_inner_texts()]

    @staticmethod
    def _strip(text: str) -> str:
        # The screen-reader prefix ("Assistent: ", "Jij: ") is the first line.
        return text.split("\n", 1)[1] if "\n" in text else text

    def stored(self) -> Any | None:
        raw = self.page.evaluate(f"() => sessionStorage.getItem({STORAGE_KEY!r})")
        return json.loads(raw) if raw else None

    def assert_no_chat_stored(self) -> None:
        stored = self.stored()
        assert stored is None or stored["messages"] == [], stored

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def contact_expectations() -> list[list[str]]:
    """What the contact answer must contain, for now and a little later (a clock edge)."""
    facts = load_facts()
    options = []
    for moment in (now(), now() + dt.timedelta(seconds=60)):
        state = opening_hours.status(moment, facts)
        if state.open:
            options.append(["Je kunt nu bellen", facts.phone])
        else:
            assert state.next_opening is not None
            options.append(["nu gesloten", opening_hours.format_moment(
                state.next_opening, "nl", today=state.local_now.date()),
                            facts.phone])
    return options
