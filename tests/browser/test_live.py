"""A live class in a real browser: one instructor and two trainees, each in their own browser context, on one real
server. Nobody reloads: the instructor's screen and the trainees' screens follow the class on their own
(st.fragment(run_every=...))."""

from __future__ import annotations

from records import Store
from tests.browser.helpers import nav, sign_in
from tests.helpers import PASSWORD, make_user

FOLLOWS = 20_000
"""Milliseconds a screen may take to catch up by itself (it refreshes every 2 to 3 seconds)."""


def wait_for_text(page, text: str) -> None:
    """Wait, without touching the page, until its main area shows ``text``."""
    page.page.wait_for_function(
        "t => (document.querySelector('[data-testid=stMain]')?.innerText || '').includes(t)", arg=text, timeout=FOLLOWS
    )


def metrics(page) -> list[str]:
    return page.page.locator("[data-testid=stMetricValue]").all_inner_texts()


def test_a_live_class_with_an_instructor_and_two_trainees(servers, open_page, isolated_data):
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    ivan = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(ivan, "Tuesday evenings")
    for name in ("Tia", "Uma"):
        store.cohorts.join(make_user(store, name), cohort.join_code)
    store.close()
    server = servers.start()

    host = open_page("host")
    sign_in(host, server.url, "ivan@example.org", PASSWORD)
    nav(host, "Live class")
    host.shot("start")
    host.page.get_by_role("button", name="Start the live class").click()
    host.settle()
    code = host.page.locator("h3 code").first.inner_text()
    assert len(code) == 6
    host.shot("waiting")

    trainees = {}
    for name in ("Tia", "Uma"):
        page = open_page(name.lower())
        sign_in(page, server.url, f"{name.lower()}@example.org", PASSWORD)
        nav(page, "Live class")
        page.page.get_by_label("Live class code").fill(code.lower())
        page.page.get_by_role("button", name="Join").click()
        page.settle()
        wait_for_text(page, "I keep thinking about finishing my GED.")
        trainees[name] = page
    trainees["Tia"].shot("question")

    trainees["Tia"].page.get_by_role(
        "button", name="You keep coming back to it"
    ).click()  # letters follow the class's shuffled order
    trainees["Uma"].page.get_by_role("button", name="Let's sign you up for classes").click()
    for page in trainees.values():
        page.settle()
        wait_for_text(page, "Your answer is in. Waiting for Ivan to reveal the feedback.")

    # The instructor's screen shows both picks by itself: no click, no reload.
    host.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].map(e => e.innerText).join('|') === '2|2|0'",
        timeout=FOLLOWS,
    )
    host.page.wait_for_function(
        "() => (document.querySelector('.js-plotly-plot')?.textContent || '').split('1 · 50%').length === 3",
        timeout=FOLLOWS,
    )
    host.settle()
    assert metrics(host) == ["2", "2", "0"]
    host.shot("answers-in")

    host.page.get_by_role("button", name="Reveal the feedback").click()
    host.settle()
    wait_for_text(host, "Feedback on each response")
    chart = host.page.locator(".js-plotly-plot").first.text_content() or ""
    assert "strongest" in chart and "pitfall" in chart
    host.shot("revealed")
    for page in trainees.values():
        wait_for_text(page, "Waiting for Ivan to move the class on.")
        page.settle()
        page.shot("revealed")
    assert "(your response)" in trainees["Uma"].page.inner_text("[data-testid=stMain]")

    host.page.get_by_role("button", name="Move the class on").click()  # a tie: the stronger response (reflect)
    host.settle()
    wait_for_text(host, "Where would I even start?")
    for page in trainees.values():
        wait_for_text(page, "Where would I even start?")
        page.settle()
    trainees["Tia"].page.get_by_role("button", name="What would a first small step look like").click()
    trainees["Tia"].settle()
    host.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].map(e => e.innerText).join('|') === '2|1|1'",
        timeout=FOLLOWS,
    )

    host.page.get_by_text("End the live class early").click()
    host.page.get_by_role("button", name="End it for everyone").click()
    host.settle()
    wait_for_text(host, "the live class has ended")
    wait_for_text(host, "Start a live class")
    host.shot("ended")
    for page in trainees.values():
        wait_for_text(page, "the live class has ended")
        page.settle()
    assert (
        "Not scored: a class that ends early is not scored (you answered at 2 of the class's 2 decision points: 2 among "
        "the strongest, 0 pitfalls)." in trainees["Tia"].page.inner_text("[data-testid=stMain]")
    )
    assert (
        "Not scored: a class that ends early is not scored (you answered at 1 of the class's 2 decision points: 0 among "
        "the strongest, 1 pitfall)." in trainees["Uma"].page.inner_text("[data-testid=stMain]")
    )
    trainees["Tia"].shot("ended")

    for page in (host, *trainees.values()):
        assert page.console_errors() == []
    assert [*host.accessibility, *trainees["Tia"].accessibility, *trainees["Uma"].accessibility] == []
