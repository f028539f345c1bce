"""The staff app in headless Chromium: log in, find the worried parent from last night with
the filters, open the transcript with the technical details, tag it, take a screenshot."""
import datetime as dt
from pathlib import Path

import pytest

from tests.staff import seed
from tests.staff.helpers import PARENT_ID, STAFF
from tests.support import chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def test_log_in_find_read_and_tag_in_chromium(stack, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(stack.web + "/staff/")
    assert page.url.startswith(stack.web + "/staff/login")
    page.fill("#username", STAFF[0])
    page.fill("#password", STAFF[1])
    page.click("form[action='/staff/login'] button[type=submit]")
    page.wait_for_url(stack.web + "/staff/")
    cookie = next(c for c in context.cookies() if c["name"] == "lse_staff")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"

    yesterday = (dt.datetime.now(seed.AMSTERDAM).date() - dt.timedelta(days=1)).isoformat()
    page.fill("#from", yesterday)
    page.fill("#to", yesterday)
    page.select_option("#role", "family")
    page.check("input[name=flag][value=contact_closed]")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table.conversations tbody tr")
    assert rows.count() == 1
    page.screenshot(path=str(ARTIFACTS / "staff-list.png"), full_page=True)

    rows.first.locator("td.message a").click()
    page.wait_for_url(f"**/staff/conversations/{PARENT_ID}")
    assert page.locator(".bubble.visitor").count() == 2
    assert "Knop gekozen" in page.locator(".bubble.visitor").nth(1).inner_text()
    page.click("#show-details")
    page.wait_for_url("**details=1")
    assert "role_family" in page.locator(".bubble.visitor").first.inner_text()
    page.fill("#tag", "nazorg")
    page.click("form.add-tag button[type=submit]")
    page.wait_for_load_state()
    assert "nazorg" in page.locator(".side .tags").inner_text()
    page.goto(stack.web + f"/staff/conversations/{PARENT_ID}?details=1")
    page.screenshot(path=str(ARTIFACTS / "staff-transcript.png"), full_page=True)

    page.goto(stack.web + "/staff/overview")
    page.wait_for_load_state("networkidle")
    widths = page.eval_on_selector_all(".chart img", "images => images.map(i => i.naturalWidth)")
    # four charts of the conversations and the inbox's quality per week
    assert len(widths) == 5 and all(width > 0 for width in widths)
    page.screenshot(path=str(ARTIFACTS / "staff-overview.png"), full_page=True)
    assert not errors, errors
    context.close()
    assert (ARTIFACTS / "staff-transcript.png").stat().st_size > 10_000
