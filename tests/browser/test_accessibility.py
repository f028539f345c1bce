"""WCAG 2.1 AA checks: an axe-core scan, touch targets, small screens, zoom, reduced motion,
the message limit; and the screenshots (artifacts/) that a person looks at."""
from pathlib import Path

from playwright.sync_api import expect

from bot.lse.facts import load_facts
from tests.browser.chat import Chat
from web.widget.routes import interface_texts

AXE = Path(__file__).resolve().parents[2] / "web" / "widget" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           AXE_TAGS)
    return result["violations"]


def serious(violations):
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in violations if v["impact"] in ("serious", "critical")]


def conversation(chat: Chat) -> None:
    chat.open()
    chat.say("Mijn zoon van 17 kijkt steeds IS-filmpjes")
    chat.wait_for_bot("Familieondersteuning")
    expect(chat.choice("Contact met een medewerker")).to_be_visible(timeout=25_000)
    chat.page.wait_for_timeout(500)


def test_axe_finds_no_serious_violations(page, site):
    chat = Chat(page, site).visit("/")
    assert serious(axe_violations(page)) == []          # launcher only
    chat.open()
    assert serious(axe_violations(page)) == []          # before the first message
    conversation(chat)
    assert serious(axe_violations(page)) == []          # with messages, links and buttons
    page.set_viewport_size({"width": 360, "height": 740})
    assert serious(axe_violations(page)) == []


def test_log_and_controls_are_labelled(page, site):
    chat = Chat(page, site).visit("/")
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    chat.open()
    expect(chat.log).to_have_attribute("role", "log")
    expect(chat.log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Je bericht")).to_be_visible()
    expect(page.get_by_role("button", name="Chat verbergen")).to_be_visible()
    expect(page.get_by_role("button", name="Switch to English")).to_be_visible()
    expect(page.get_by_role("button", name="Snel weg")).to_be_visible()


def test_touch_targets_are_at_least_44_px(page, site):
    chat = Chat(page, site).visit("/")
    conversation(chat)
    sizes = page.evaluate("""() => {
      const root = document.getElementById('lse-chat-widget').shadowRoot;
      return [...root.querySelectorAll('button, textarea')]
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect();
                    return [e.className, e.textContent.trim(), r.width, r.height]; });
    }""")
    assert len(sizes) >= 6
    small = [s for s in sizes if s[2] < 44 or s[3] < 44]
    assert small == []


def test_small_screen_and_200_percent_zoom(page, site):
    # 360 px wide (a phone) and 640 x 400 CSS px (1280 x 800 at 200% zoom).
    for width, height in ((360, 740), (640, 400)):
        page.set_viewport_size({"width": width, "height": height})
        chat = Chat(page, site).visit("/")
        chat.open()
        chat.say("hallo")
        chat.wait_for_bot("digitale assistent")
        box = chat.panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, box
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        overflow = page.evaluate("""() => {
          const panel = document.getElementById('lse-chat-widget').shadowRoot.querySelector('.lse-panel');
          return panel.scrollWidth - panel.clientWidth; }""")
        assert overflow <= 0
        for part in ("exit", "send", "input", "restart"):
            locator = page.locator(f".lse-{part}")
            locator.scroll_into_view_if_needed()
            part_box = locator.bounding_box()
            assert part_box["x"] >= 0 and part_box["x"] + part_box["width"] <= width + 0.5, part
        chat.button("restart").click()


def test_reduced_motion_is_respected(browser, site):
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        Chat(page, site).visit("/").open()
        animation = page.evaluate("""() => getComputedStyle(document.getElementById('lse-chat-widget')
            .shadowRoot.querySelector('.lse-dot')).animationName""")
        assert animation == "none"
    finally:
        context.close()


def test_message_limit_matches_the_server(page, site):
    limit = load_facts().max_message_length
    chat = Chat(page, site).visit("/")
    chat.open()
    expect(chat.input).to_have_attribute("maxlength", str(limit))
    counter = page.locator(".lse-counter")
    chat.input.fill("a" * (limit - 200))
    expect(counter).to_be_hidden()
    chat.input.fill("a" * (limit - 50))
    expect(counter).to_have_text("Nog 50 tekens")
    chat.input.press_sequentially("b" * 60)
    assert len(chat.input.input_value()) == limit
    expect(counter).to_have_text(interface_texts(load_facts(), "nl")["counter_full"])


def test_screenshots(page, site, artifacts):
    chat = Chat(page, site).visit("/")
    chat.open()
    page.screenshot(path=str(artifacts / "widget-1280-start.png"))
    conversation(chat)
    chat.page.locator(".lse-choices").last.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "widget-1280.png"))
    page.set_viewport_size({"width": 360, "height": 740})
    chat.page.locator(".lse-choices").last.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "widget-360.png"))
    # 1280 x 800 at 200% zoom is 640 x 400 CSS pixels.
    page.set_viewport_size({"width": 640, "height": 400})
    chat.page.locator(".lse-choices").last.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "widget-zoom-200.png"))
    for name in ("widget-1280-start.png", "widget-1280.png", "widget-360.png", "widget-zoom-200.png"):
        assert (artifacts / name).stat().st_size > 10_000
