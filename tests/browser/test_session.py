"""Where the conversation lives: the tab's session storage, never a URL or local storage."""
import re

from playwright.sync_api import expect

from tests.browser.chat import EXIT_URL, Chat

FIRST = "Ik werk als docent en een leerling zegt extreme dingen"


def start_conversation(chat: Chat) -> None:
    chat.open()
    chat.say(FIRST)
    chat.wait_for_bot("Consultatie")
    chat.page.wait_for_timeout(300)


def test_reload_and_navigation_keep_the_conversation(page, site):
    chat = Chat(page, site).visit("/")
    start_conversation(chat)
    bot_before, user_before = chat.bot_texts(), chat.user_texts()
    stored = chat.stored()
    assert stored["messages"] and stored["sessionId"]

    page.reload()
    expect(chat.panel).to_be_visible()
    assert chat.user_texts() == user_before
    assert chat.bot_texts() == bot_before
    # The same conversation goes on at the server: no second opening.
    before = chat.bot_messages.count()
    chat.say("Wat kost het?")
    chat.wait_for_bot("betalen", after=before)
    assert not any("digitale assistent" in text for text in chat.bot_texts()[before:])

    page.locator("nav a", has_text="Over ons").click()
    expect(page).to_have_url(re.compile(r"/over-ons$"))
    expect(chat.panel).to_be_visible()
    assert chat.user_texts()[:2] == user_before + ["Wat kost het?"]
    assert chat.stored()["sessionId"] == stored["sessionId"]
    # Only the tab's session storage: nothing in local storage or cookies.
    assert page.evaluate("() => localStorage.length") == 0
    assert page.context.cookies() == []


def test_new_tab_starts_fresh(page, context, site):
    chat = Chat(page, site).visit("/")
    start_conversation(chat)
    other = Chat(context.new_page(), site).visit("/")
    assert other.stored() is None
    other.open()
    expect(other.bot_messages).to_have_count(0)
    expect(other.user_messages).to_have_count(0)


def test_restart_starts_a_new_conversation(page, site):
    chat = Chat(page, site).visit("/")
    start_conversation(chat)
    old_session = chat.stored()["sessionId"]
    chat.button("restart").click()
    expect(chat.bot_messages).to_have_count(0)
    expect(chat.user_messages).to_have_count(0)
    expect(page.locator(".lse-notice-block")).to_be_visible()
    stored = chat.stored()
    assert stored["messages"] == [] and stored["sessionId"] != old_session
    # A new conversation at the server: the assistant opens again, and forgot the role.
    chat.say("Wat kost het?")
    chat.wait_for_bot("digitale assistent")
    page.reload()
    expect(chat.bot_messages.first).to_contain_text("digitale assistent")


def test_quick_exit_button_leaves_and_clears(page, site):
    chat = Chat(page, site).visit("/")
    start_conversation(chat)
    page.locator("nav a", has_text="Over ons").click()
    expect(chat.panel).to_be_visible()
    chat.button("exit").click()
    expect(page).to_have_url(EXIT_URL)
    expect(page.locator("h1")).to_have_text("Het weer")
    # Back does not return to the page the visitor left (it was replaced), and the site
    # has no chat left in storage.
    page.go_back()
    assert not page.url.endswith("/over-ons")
    if page.url.startswith(site):
        expect(chat.launcher).to_be_visible()
        assert chat.stored() is None
        chat.open()
        expect(chat.user_messages).to_have_count(0)
    chat.visit("/")
    chat.assert_no_chat_stored()
    chat.open()
    expect(chat.user_messages).to_have_count(0)


def test_escape_twice_is_a_quick_exit(page, site):
    chat = Chat(page, site).visit("/")
    start_conversation(chat)
    page.locator("h1").click()   # the focus is on the page, not in the chat
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(page).to_have_url(EXIT_URL)
    chat.visit("/")
    assert chat.stored() is None


def test_quick_exit_is_the_first_focusable_element(page, site):
    chat = Chat(page, site).visit("/")
    chat.open()
    first = page.evaluate("""() => {
      const root = document.getElementById('lse-chat-widget').shadowRoot;
      const all = root.querySelectorAll('button, a[href], textarea, input, select, [tabindex]');
      const visible = [...all].filter(e => e.offsetParent !== null && e.tabIndex >= 0);
      return visible[0].className;
    }""")
    assert "lse-exit" in first
    expect(chat.button("exit")).to_have_text("Snel weg")
