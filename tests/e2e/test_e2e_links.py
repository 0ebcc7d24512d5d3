"""Links as a visitor may write them, in Chromium: a page that does not exist, and values that
cannot be used (each gets a note, and the address bar ends up with what is used)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_link_to_no_page_says_so_and_opens_the_playground_at_its_own_address(app):
    app.page.goto(app.url("/nosuchpage", f="x^2"))
    app.expect_graph({"x^2": ("1.44", "1")})  # the Playground, with the link's function
    notes = app.page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    assert any("The link's page does not exist" in n for n in notes), notes
    # The address is the Playground's, so its share link is too (Streamlit kept /nosuchpage).
    assert app.page.url.split("?")[0].rstrip("/") == app.base_url and app.query()["f"] == "x^2"
    share = app.page.locator('[data-testid="stCode"]').first.inner_text()
    assert "nosuchpage" not in share
    # Streamlit's own "Page not found" dialog says the same, and logs it: expected here, and only that.
    app.page.keyboard.press("Escape")
    assert app.console_errors and all("does not seem to exist" in e for e in app.console_errors)
    app.console_errors.clear()


def test_values_a_link_cannot_use_get_a_note_and_leave_the_address(app):
    app.open("/", f="x^2", x="abc", lo="inf", d2="1")
    notes = app.page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    assert any("The link's x is not an ordinary number: using x = 1.2 instead." in n for n in notes), notes
    assert any("The plot range must be two ordinary numbers." in n for n in notes), notes
    app.expect_graph({"x": ("1.2", "2.4")})
    query = app.query()
    assert "x" not in query and "lo" not in query and query.get("d2") == "true"


def test_a_pages_share_link_opens_that_page_with_its_settings_in_another_browser(new_app):
    first = new_app()
    first.page.goto(first.url("/network", data="xor", layers="3", units="6", seed="4", edges="gradients"))
    first.page.locator("[data-testid='stImage'] img").first.wait_for()
    first.settle()
    first.page.get_by_role("slider", name="Noise").focus()
    first.page.keyboard.press("ArrowRight")  # a setting changed on the page, not in the link
    first.page.wait_for_url(lambda url: "noise=0.11" in url)
    first.settle()
    first.page.get_by_text("Share this view").click()
    link = first.page.locator("[data-testid='stSidebar'] [data-testid='stCode']").inner_text().strip()
    assert link.startswith(first.base_url + "/network?"), link
    second = new_app()
    second.page.goto(link)
    second.page.locator("[data-testid='stImage'] img").first.wait_for()
    second.settle()
    for name in ("Noise", "Hidden layers", "Units per hidden layer"):
        assert (second.page.get_by_role("slider", name=name).get_attribute("aria-valuenow")
                == first.page.get_by_role("slider", name=name).get_attribute("aria-valuenow")), name
    assert second.page.get_by_role("radio", name="gradients").is_checked()
    assert {k: second.query().get(k) for k in first.query()} == first.query()  # the address keeps them all
    assert (second.page.locator("[data-testid='stImage'] img").first.get_attribute("src")
            == first.page.locator("[data-testid='stImage'] img").first.get_attribute("src"))  # the same picture
    second.assert_healthy()
