"""A visitor's conversation in the widget: free text, buttons by mouse and by keyboard, language."""
import datetime as dt

from playwright.sync_api import expect

from bot.lse.facts import load_facts
from tests.browser.chat import Chat, contact_expectations, now
from web.widget.routes import interface_texts, status_payload

PARENT = "Mijn zoon van 17 kijkt steeds IS-filmpjes en ik maak me zorgen"


def expected_header(language="nl"):
    facts = load_facts()
    return {status_payload(moment, facts, language)["text"]
            for moment in (now(), now() + dt.timedelta(seconds=60))}


def shown_status(chat) -> str:
    """The header's status line as a visitor reads it. The line is a flex row, so while the
    line is open (text, then the phone link) innerText puts a line break between the two
    items where the screen shows a gap: compare with the words on single spaces."""
    return " ".join(chat.status.inner_text().split())


# Records whether the typing indicator was ever shown (it can be brief).
WATCH_TYPING = """() => {
  const typing = document.getElementById('lse-chat-widget').shadowRoot.querySelector('.lse-typing');
  window.__lseTypingShown = false;
  new MutationObserver(() => { if (!typing.hidden) window.__lseTypingShown = true; })
    .observe(typing, {attributes: true, attributeFilter: ['hidden']});
}"""


def assert_contact_answer(chat: Chat, after: int) -> None:
    options = contact_expectations()
    expect(chat.bot_messages.nth(after)).to_be_visible(timeout=25_000)
    chat.page.wait_for_timeout(300)
    answers = " ".join(chat.bot_texts()[after:])
    assert any(all(part.lower() in answers.lower() for part in option) for option in options), \
        (answers, options)


def test_parent_free_text_then_contact_by_mouse(page, site):
    chat = Chat(page, site).visit("/")
    chat.open()
    # Before the first message: one line on privacy and the 112 line, no messages yet.
    notices = page.locator(".lse-notice-block")
    expect(notices).to_contain_text("geen namen")
    expect(notices).to_contain_text("30 dagen")
    expect(page.locator(".lse-danger")).to_have_text("Bij direct gevaar: bel 112")
    expect(chat.bot_messages).to_have_count(0)
    # The header tells the truth about now, from the server's schedule.
    expect(chat.status).to_be_visible()
    assert shown_status(chat) in expected_header()

    page.evaluate(WATCH_TYPING)
    chat.say(PARENT)
    expect(chat.user_messages.first).to_have_text("Jij: " + PARENT)
    chat.wait_for_bot("Familieondersteuning")
    # The typing indicator showed while the assistant worked, and is gone now.
    assert page.evaluate("() => window.__lseTypingShown") is True
    expect(page.locator(".lse-typing")).to_be_hidden()
    expect(chat.choice("Contact met een medewerker")).to_be_visible(timeout=25_000)
    before = chat.bot_messages.count()
    chat.choice("Contact met een medewerker").click()
    assert_contact_answer(chat, before)
    # Used buttons go away; the e-mail address and phone numbers in the answer are links.
    expect(chat.choice("Contact met een medewerker")).to_have_count(0)
    expect(chat.bot_messages.last.locator("a[href='mailto:info@hetlse.nl']")).to_have_count(1)
    expect(chat.bot_messages.last.locator("a[href^='tel:']").first).to_be_visible()
    assert page.console_errors == []


def press_until_focused(chat: Chat, key: str, predicate, limit: int = 40) -> dict:
    for _ in range(limit):
        chat.page.keyboard.press(key)
        focused = chat.focused()
        if focused and predicate(focused):
            return focused
    raise AssertionError(f"nothing matching was reached with {key}")


def test_buttons_work_by_keyboard_alone(page, site):
    chat = Chat(page, site).visit("/")
    # From the top of the page, Tab reaches the launcher; Enter opens the chat with the
    # cursor in the input.
    launcher = press_until_focused(chat, "Tab", lambda f: "lse-launcher" in f["cls"])
    assert launcher["outline"] != "none", "the focus must be visible"
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    assert "lse-input" in chat.focused()["cls"]
    page.keyboard.type("Ik maak me zorgen om iemand dicht bij mij")
    page.keyboard.press("Enter")
    expect(chat.choice("Contact met een medewerker")).to_be_visible(timeout=25_000)
    page.wait_for_timeout(300)
    # Shift+Tab from the input goes back to the newest buttons; Space presses one.
    focused = press_until_focused(chat, "Shift+Tab", lambda f: f["text"] == "Contact met een medewerker",
                                  limit=15)
    assert focused["tag"] == "button" and focused["outline"] != "none"
    before = chat.bot_messages.count()
    page.keyboard.press("Space")
    assert_contact_answer(chat, before)
    # After a button the cursor is back in the input, ready for the next question.
    assert "lse-input" in chat.focused()["cls"]
    # Enter on a button works too: start over by keyboard.
    press_until_focused(chat, "Tab", lambda f: f["text"] == "Opnieuw beginnen", limit=5)
    page.keyboard.press("Enter")
    expect(chat.bot_messages).to_have_count(0)
    # Esc hides the chat and gives the focus back to the launcher.
    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    assert "lse-launcher" in chat.focused()["cls"]


def test_interface_follows_the_conversation_language(page, site):
    chat = Chat(page, site).visit("/")
    chat.open()
    # Switching before the first message changes the interface and the privacy lines.
    chat.button("language").click()
    expect(page.locator(".lse-root")).to_have_attribute("lang", "en")
    expect(page.locator(".lse-danger")).to_have_text(interface_texts(load_facts(), "en")["danger"])
    expect(chat.button("send")).to_have_text("Send")
    expect(chat.status).to_contain_text("now")
    assert shown_status(chat) in expected_header("en")
    chat.say("My daughter is becoming radical, she watches extremist videos all day")
    chat.wait_for_bot("digital assistant")
    # Switching back also tells the bot, which answers in Dutch from then on.
    before = chat.bot_messages.count()
    chat.button("language").click()
    expect(chat.button("send")).to_have_text("Verstuur")
    chat.wait_for_bot("Nederlands", after=before)
    expect(chat.user_messages.last).to_contain_text("Nederlands")
    # Asking the bot by name for English: the interface follows the bot.
    before = chat.bot_messages.count()
    chat.say("English please")
    chat.wait_for_bot("English", after=before)
    expect(page.locator(".lse-root")).to_have_attribute("lang", "en")
    expect(chat.button("restart")).to_have_text("Start over")


# A WebSocket that fails the way a refused upgrade does: an error, then a close.
BLOCKED_WEBSOCKET = """
window.WebSocket = class {
  constructor() {
    this.readyState = 0;
    setTimeout(() => {
      this.readyState = 3;
      if (this.onerror) this.onerror(new Event('error'));
      if (this.onclose) this.onclose({code: 1006, reason: ''});
    }, 10);
  }
  send() {}
  close() {}
};
"""


def test_long_polling_when_websockets_are_blocked(page, site):
    # A proxy that refuses WebSockets: the widget falls back to socket.io long polling.
    page.add_init_script(BLOCKED_WEBSOCKET)
    polling = []
    page.on("request", lambda request: polling.append(request.url)
            if "transport=polling" in request.url else None)
    chat = Chat(page, site).visit("/")
    chat.open()
    chat.say(PARENT)
    chat.wait_for_bot("Familieondersteuning")
    assert polling, "the conversation must have gone over long polling"


# Sets the widget's script tag attributes as an embedding page would, before it runs.
EMBED_IN_ENGLISH = """
new MutationObserver((records, observer) => {
  const tag = document.querySelector('script[src$="/widget/lse-widget.js"]');
  if (tag) {
    tag.dataset.language = 'en';
    tag.dataset.color = '#ffd23f';
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def test_script_tag_attributes_set_language_and_colour(page, site):
    page.add_init_script(EMBED_IN_ENGLISH)
    chat = Chat(page, site).visit("/")
    expect(chat.launcher).to_have_text("Chat with the LSE")
    # Dark text on a light colour, for contrast.
    assert chat.launcher.evaluate("e => getComputedStyle(e).color") == "rgb(26, 26, 26)"
    chat.open()
    expect(page.locator(".lse-root")).to_have_attribute("lang", "en")
    expect(page.locator(".lse-danger")).to_have_text(interface_texts(load_facts(), "en")["danger"])
    chat.say("hello")
    chat.wait_for_bot("digital assistant")
    assert page.console_errors == []
