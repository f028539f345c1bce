"""The staff inbox in headless Chromium: an admin opens the inbox from the navigation, filters
on "twijfel", takes a placeholder ([telefoonnummer]) out of a message, confirms it holds no personal data, picks the
right intent, saves, and downloads the training data, which holds the edited example."""
import datetime as dt
import uuid
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from tests.staff import seed
from tests.staff.helpers import ADMIN
from tests.staff.test_inbox import user
from tests.support import chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
# As the channel stores it (the live stack's files are searched for raw identifiers).
TEXT = SHOWN = "een collega op school vraagt hoe lang het wachten is, bel [telefoonnummer]"
EDITED = "een collega op school vraagt hoe lang het wachten is op een eerste gesprek"


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def conversation(stack):
    """Written before Chromium starts (Rasa's tracker store runs its own event loop)."""
    sender = f"inbox-browser-{uuid.uuid4().hex[:6]}"
    script = seed.Script(dt.datetime.now(seed.AMSTERDAM) - dt.timedelta(minutes=20))
    user(script, TEXT, "ask_opening_hours", 0.34, [("ask_practical", 0.31),
                                                    ("role_professional", 0.12)])
    script.action("utter_opening_hours").bot("Het LSE is op werkdagen bereikbaar.")
    script.action("action_listen")
    store = stack.store()
    seed.write(store, sender, script)
    store.engine.dispose()
    return sender


def test_label_a_message_and_export_it_in_chromium(stack, conversation, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL",
                                  accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(stack.web + "/staff/login")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("form[action='/staff/login'] button[type=submit]")
    page.wait_for_url(stack.web + "/staff/")

    page.click("nav >> text=Inbox")
    page.wait_for_url(stack.web + "/staff/inbox")
    page.select_option("#reason", "low_confidence")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/staff/inbox?reason=low_confidence**")
    item = page.locator("article.inbox-item", has_text=SHOWN)
    assert item.count() == 1
    assert "Twijfel (lage zekerheid)" in item.locator(".inbox-head").inner_text()
    assert "ask_opening_hours" in item.locator(".nlu-choice").inner_text()
    assert "ask_practical" in item.locator(".nlu-choice").inner_text()
    assert "Het LSE is op werkdagen bereikbaar." in item.inner_text()
    page.screenshot(path=str(ARTIFACTS / "staff-inbox.png"), full_page=True)

    item.locator("textarea[name=text]").fill(EDITED)
    item.locator("input[name=no_personal_data]").check()
    item.locator("select[name=intent]").select_option("ask_practical")
    item.locator("button[name=verdict][value=other]").click()
    page.wait_for_load_state()
    assert "Opgeslagen." in page.locator("main").inner_text()
    # Out of the open queue; under "Beoordeeld" with the label and the stored text.
    assert page.locator("article.inbox-item", has_text=SHOWN).count() == 0
    page.select_option("#status", "labelled")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    labelled = page.locator("article.inbox-item", has_text=SHOWN)
    state = labelled.locator(".label-state").inner_text()
    assert f"Beoordeeld door {ADMIN[0]}" in state and "ask_practical" in state
    assert EDITED in state

    with page.expect_download() as download_info:
        page.click("form.export-training button[value=training]")
    download = download_info.value
    assert download.suggested_filename.startswith("lse-training-nlu-")
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    examples = {(message.get("text"), message.get("intent")) for message in
                RasaYAMLReader().reads(target.read_text(encoding="utf-8")).intent_examples}
    assert (EDITED, "ask_practical") in examples
    assert not any("telefoonnummer" in text or "0612345678" in text for text, _ in examples)
    assert not errors, errors
    context.close()
