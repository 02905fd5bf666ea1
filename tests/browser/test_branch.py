"""Practice branches in a real browser, on a laptop and on a 390x844 phone: a trainee picks a weaker response, uses
"Try another response here", plays the branch to its ending, goes back to the conversation they paused and
finishes it; Review lists the branch under that conversation and Progress counts the first try only. Screenshots of
each state are kept under artifacts/screenshots/."""

from __future__ import annotations

from records import Store
from tests.browser.helpers import Page, sign_in
from tests.helpers import PASSWORD, make_user
from ui.render import WORD_JOINER

MIXED = "I hear you. You should start with the math test."
REFLECT = "You keep coming back to it, and you're not sure yet."
PEN = "What would a first small step look like to you?"
JUDGE = "With your hours, maybe wait a year. Here's what you should do instead."
BRANCH_FROM = "Practice branch from Sam's message “I keep thinking about finishing my GED…”"


def main_text(page: Page) -> str:
    return str(page.page.inner_text("[data-testid=stMain]")).replace(WORD_JOINER, "")  # type: ignore[attr-defined]


def nav(page: Page, name: str) -> None:
    """Open an app page from the navigation, as a person would: on a phone the sidebar is opened first and closed
    again once the page is chosen."""
    p = page.page
    link = p.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name, exact=True)  # type: ignore[attr-defined]
    box = link.bounding_box() if link.is_visible() else None
    opened = box is None or box["x"] < 0
    if opened:
        p.get_by_test_id("stExpandSidebarButton").click()  # type: ignore[attr-defined]
        link.wait_for(state="visible")
    link.click()
    page.settle()
    sidebar = p.get_by_test_id("stSidebar")  # type: ignore[attr-defined]
    if opened and sidebar.get_attribute("data-collapsed") == "false":
        p.get_by_test_id("stSidebarCollapseButton").locator("button").click(force=True)  # type: ignore[attr-defined]
        p.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'true'")  # type: ignore[attr-defined]
        page.settle()


def shot(page: Page, label: str, near: str | None = None) -> None:
    """A screenshot of this state, scrolled to the button or text ``near`` (the app scrolls inside its own main
    area, so a screenshot shows one screenful)."""
    if near is not None:
        p = page.page
        target = p.get_by_role("button", name=near, exact=True)  # type: ignore[attr-defined]
        if not target.count():
            target = p.get_by_text(near, exact=False)  # type: ignore[attr-defined]
        target.first.scroll_into_view_if_needed()
        page.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")  # type: ignore[attr-defined]
    page.shot(label)


def press(page: Page, name: str) -> None:
    page.page.get_by_role("button", name=name, exact=True).click()  # type: ignore[attr-defined]
    page.settle()


def journey(page: Page, url: str, email: str) -> None:
    sign_in(page, url, email, PASSWORD)
    nav(page, "Practice")
    press(page, "Choose “A short check-in”")
    press(page, "Start the conversation")
    press(page, MIXED)  # helpful in part: a pitfall too
    shown = main_text(page)
    assert "Mixed: helpful in part:" in shown
    assert "Try another response here" in shown
    assert (
        "Trying another response starts a practice branch at this moment; this conversation stays as it is, paused, "
        "so you can come back to it."
    ) in shown
    shot(page, "feedback", "Try another response here")

    press(page, "Try another response here")
    shown = main_text(page)
    assert f"{BRANCH_FROM}: this run is kept apart from your first tries." in shown
    assert "The conversation you came from is paused where you left it" in shown
    assert "Sam: I keep thinking about finishing my GED. Not sure, though." in shown
    assert "Practice branch · decision 1 · feedback after each choice" in shown
    shot(page, "branch-start", REFLECT)

    press(page, REFLECT)
    assert "Strong response:" in main_text(page)
    assert "Try another response here" not in main_text(page)
    press(page, "Continue the conversation")
    press(page, PEN)
    press(page, "See how it ended")
    shown = main_text(page)
    metrics = page.page.locator("[data-testid=stMetricValue]").all_inner_texts()  # type: ignore[attr-defined]
    assert metrics == ["100%", "2 of 2", "0"]
    assert "This score covers only the decisions of this practice branch." in shown
    shot(page, "branch-summary", "Go back to the conversation you paused")

    press(page, "Go back to the conversation you paused")
    shown = main_text(page)
    assert "Back to the conversation you paused, where you left it." in shown
    assert "Sam: Okay. I think I want to do it. Where would I even start?" in shown
    press(page, JUDGE)
    press(page, "See how it ended")
    metrics = page.page.locator("[data-testid=stMetricValue]").all_inner_texts()  # type: ignore[attr-defined]
    assert metrics == ["8%", "0 of 2", "2"]

    nav(page, "Review")
    shown = main_text(page)
    assert "You tried one moment of this conversation again in practice branches, kept apart from your first tries:" in shown
    assert shown.count("Try this moment again") == 2  # beside each decision point of the first try
    shot(page, "review", f"{BRANCH_FROM} · 100%")
    press(page, f"{BRANCH_FROM} · 100%")
    shown = main_text(page)
    assert f"{BRANCH_FROM}: this run is kept apart from your first tries. Its score covers only its own decisions." in shown
    assert "A short check-in · practice branch · score 100%" in shown
    shot(page, "review-branch", "Open the conversation it came from")

    nav(page, "Progress")
    shown = main_text(page)
    assert (
        "You have finished one conversation, with a score of 8%. You also tried one moment again in practice "
        "branches; they are kept apart from these figures."
    ) in shown
    page.page.locator(".js-plotly-plot svg.main-svg").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
    points = page.page.evaluate(  # type: ignore[attr-defined]
        "() => document.querySelector('.js-plotly-plot').data[0].y"
    )
    assert list(points) == [8]  # the score chart: the first try only
    shot(page, "progress", "Score per attempt")
    assert page.console_errors() == []
    assert page.accessibility == []


def test_try_another_response_here_on_a_laptop_and_a_phone(servers, open_page):  # type: ignore[no-untyped-def]
    store = Store.open(servers.database_url)
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    make_user(store, "Uma")
    store.close()
    server = servers.start()
    journey(open_page("laptop"), server.url, "tia@example.org")
    journey(open_page("phone", phone=True), server.url, "uma@example.org")
