"""Shuffled responses in a real browser: an attempt shows its responses in one order, the same after a reload and
after the server restarts (the attempt resumed); a new attempt gets an order of its own; Review lists the
responses in the order the trainee saw them. The stored seeds are checked against the pages."""

from __future__ import annotations

from records import Store
from scoring.shuffle import choice_order
from tests.browser.helpers import nav, sign_in
from tests.helpers import PASSWORD, free_port, make_user

OPEN = {
    "You keep coming back to it, and you're not sure yet.": "reflect",
    "Let's sign you up for classes this week.": "plan",
    "I hear you. You should start with the math test.": "mixed",
}


def shown(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The 'open' point's response buttons, top to bottom, as choice ids."""
    labels = page.page.locator("[data-testid=stMain] button").all_inner_texts()
    return [OPEN[label.strip()] for label in labels if label.strip() in OPEN]


def start_mini(page) -> list[str]:  # type: ignore[no-untyped-def]
    if not page.page.get_by_role("heading", name="Scenario library").count():
        nav(page, "Practice")
    page.page.get_by_role("button", name="Choose “A short check-in”").click()
    page.settle()
    page.page.get_by_role("button", name="Start the conversation").click()
    page.settle()
    order = shown(page)
    assert sorted(order) == sorted(OPEN.values()), order
    return order


def test_an_attempt_keeps_its_order_and_review_shows_it(servers, open_page, isolated_data):
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    tia = make_user(store, "Tia")
    store.close()
    port = free_port()
    server = servers.start(port)
    page = open_page("shuffle")
    sign_in(page, server.url, "tia@example.org", PASSWORD)

    first = start_mini(page)
    page.page.reload()  # a new browser session: Practice offers to resume the conversation
    page.settle()
    page.page.get_by_role("button", name="Resume it").click()
    page.settle()
    assert shown(page) == first

    server.stop()
    server = servers.start(port)  # a restart: the attempt is resumed from the database
    page.page.goto(server.url + "/practice")
    page.settle()
    # While the server was down the open page's websocket could not reconnect: those console errors are expected.
    page.errors.clear()
    page.failed.clear()
    page.page.get_by_role("button", name="Resume it").click()
    page.settle()
    assert shown(page) == first
    page.shot("resumed")
    # A screen reader hears the peer by name: a conversation with a person, not with an "assistant".
    assert page.page.locator("[data-testid=stChatMessageContent]").first.get_attribute("aria-label") == ("Chat message from Sam")

    store = Store.open(isolated_data)
    [attempt] = store.active_attempts(tia)
    assert choice_order(attempt.shuffle_seed, "open", ["reflect", "plan", "mixed"]) == first  # the stored seed's order
    store.close()

    # Answer with the response shown second, then read the transcript in Review.
    page.page.get_by_role("button", name=next(k for k, v in OPEN.items() if v == first[1])).click()
    page.settle()
    nav(page, "Review")
    page.page.get_by_text("Feedback on decision 1").click()
    page.settle()
    seen = (
        page.page.locator("[data-testid=stExpanderDetails]")
        .filter(has_text="The responses you saw, in the order you saw them:")
        .first.inner_text()
    )
    listed = [OPEN[text] for line in seen.splitlines() for text in OPEN if line.strip().startswith(text)]
    assert listed == first
    assert "(your choice)" in next(
        line for line in seen.splitlines() if line.strip().startswith(next(k for k, v in OPEN.items() if v == first[1]))
    )
    page.shot("review")

    # New attempts get orders of their own (each 1 in 6 to repeat the first: five tries all repeating it would
    # happen about once in 7,800 runs).
    orders = []
    for _ in range(5):
        nav(page, "Practice")
        # Out of whatever is on screen: feedback to continue from, an unfinished attempt, or a summary.
        for way_out in (
            "Continue the conversation",
            "See how it ended",
            "Leave this conversation",
            "Yes, leave it",
            "Back to the library",
        ):
            if page.page.get_by_role("button", name=way_out).count():
                page.page.get_by_role("button", name=way_out).first.click()
                page.settle()
        orders.append(start_mini(page))
        if orders[-1] != first:
            break
    assert orders[-1] != first, orders

    # After an ending, another page and back: Practice opens the library, not the old summary.
    page.page.get_by_role("button", name="Let's sign you up for classes this week.").click()  # it ends at once
    page.settle()
    page.page.get_by_role("button", name="See how it ended").click()  # coached mode: the feedback first
    page.settle()
    assert page.page.get_by_role("heading", name="How it went").count() == 1
    nav(page, "Progress")
    nav(page, "Practice")
    assert page.page.get_by_role("heading", name="Scenario library").count() == 1
    assert page.console_errors() == []
    assert page.accessibility == []
