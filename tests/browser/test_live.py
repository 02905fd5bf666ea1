"""A live class in a real browser: one instructor and two trainees, each in their own browser context, on one real
server. Nobody reloads: the instructor's screen and the trainees' screens follow the class on their own
(st.fragment(run_every=...)).

The trainees are in no cohort: each types only the live class's code on the Live class page. The instructor runs
the class in projector mode on a laptop; the trainees answer on 390x844 phones. The class ties, the instructor
picks the response it follows, and the phones say so."""

from __future__ import annotations

from records import Store
from tests.browser.helpers import SHOTS, nav, sign_in
from tests.helpers import PASSWORD, make_user

FOLLOWS = 20_000
"""Milliseconds a screen may take to catch up by itself (it refreshes every 2 to 3 seconds)."""
PHONE = {"width": 390, "height": 844}
REFLECT = "You keep coming back to it, and you're not sure yet."
PLAN = "Let's sign you up for classes this week."


def wait_for_text(page, text: str) -> None:
    """Wait, without touching the page, until its main area shows ``text``."""
    page.page.wait_for_function(
        "t => (document.querySelector('[data-testid=stMain]')?.innerText || '').includes(t)", arg=text, timeout=FOLLOWS
    )


def main_text(page) -> str:
    return page.page.inner_text("[data-testid=stMain]")


SCROLLED = "document.querySelector('[data-testid=stMain]').scrollTop"


def scrolled(page) -> float:
    return page.page.evaluate(f"() => {SCROLLED}")


def metrics(page) -> list[str]:
    return page.page.locator("[data-testid=stMetricValue]").all_inner_texts()


def long_shot(page, label: str) -> None:
    """The whole page, however long: the app scrolls inside its main area, so a full-page shot shows one screen;
    the window is made as tall as the page for this shot, then set back."""
    size = page.page.viewport_size
    height = page.page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.page.screenshot(path=str(SHOTS / f"{page.name}-{label}-long.png"))
    page.page.set_viewport_size(size)


def controls_in_view(page) -> dict[str, float]:
    """Scroll to the very end of the page, then where the projector's control bar is in the window."""
    page.page.evaluate(
        "() => { for (const el of [document.scrollingElement, document.querySelector('[data-testid=stMain]')]) "
        "if (el) el.scrollTop = el.scrollHeight; }"
    )
    page.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return page.page.locator(".st-key-live_controls").bounding_box()


def test_a_live_class_with_an_instructor_and_two_trainees(servers, open_page, isolated_data):
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    ivan = make_user(store, "Ivan", "instructor")
    store.cohorts.create(ivan, "Tuesday evenings")
    for name in ("Tia", "Uma"):
        make_user(store, name)  # in no cohort yet: the live code alone lets them in
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
        page.page.set_viewport_size(PHONE)
        sign_in(page, server.url, f"{name.lower()}@example.org", PASSWORD)
        page.page.goto(f"{server.url}/live")  # on a phone the menu is folded away: open the page by its address
        page.settle()
        page.page.get_by_label("Live class code").fill(code.lower())
        page.page.get_by_role("button", name="Join").click()
        page.settle()
        wait_for_text(page, "I keep thinking about finishing my GED.")
        assert "You joined the cohort Tuesday evenings with this code." in main_text(page)
        trainees[name] = page
    wait_for_text(host, "Answered")  # a few refreshes later the note is still on the phone
    trainees["Tia"].shot("phone-question")
    assert "You joined the cohort Tuesday evenings with this code." in main_text(trainees["Tia"])

    # The instructor's screen counts both by itself: no click, no reload.
    host.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].map(e => e.innerText).join('|') === '2|0|2'",
        timeout=FOLLOWS,
    )
    host.page.get_by_text("Projector mode").click()
    host.settle()
    wait_for_text(host, "have answered.")
    assert "0 of 2 have answered." in main_text(host)
    host.shot("projector-asking")
    long_shot(host, "projector-asking")

    trainees["Tia"].page.get_by_role("button", name="You keep coming back to it").click()  # letters: the class's order
    trainees["Uma"].page.get_by_role("button", name="Let's sign you up for classes").click()
    for page in trainees.values():
        page.settle()
        wait_for_text(page, "Your answer is in. Waiting for Ivan to reveal the feedback.")
    wait_for_text(host, "2 of 2 have answered.")
    host.settle()
    # Before the reveal the projector shows every response in full and nothing about how anyone answered.
    shown = main_text(host)
    assert REFLECT in shown and PLAN in shown and "I hear you. You should start with the math test." in shown
    assert "chose it" not in shown and "strongest" not in shown and "pitfall" not in shown.lower()
    assert host.page.locator(".js-plotly-plot").count() == 0

    host.page.get_by_role("button", name="Reveal the feedback").click()
    host.settle()
    wait_for_text(host, "How the class answered (2 of 2)")
    assert "A tie: 1 chose" in main_text(host)
    host.shot("projector-tie")
    long_shot(host, "projector-tie")
    bar = controls_in_view(host)  # the controls stay at the top of the screen at the end of a long page
    assert bar is not None and 0 <= bar["y"] < 120, bar
    host.page.screenshot(path=str(SHOTS / f"{host.name}-projector-scrolled.png"))
    for page in trainees.values():
        wait_for_text(page, "Waiting for Ivan to move the class on.")
        page.settle()
    trainees["Uma"].shot("phone-revealed")
    long_shot(trainees["Uma"], "phone-revealed")
    assert "(your response)" in main_text(trainees["Uma"])

    # The host picks: the button waits until one of the tied responses is chosen.
    move_on = host.page.get_by_role("button", name="Move the class on")
    assert move_on.is_disabled()
    card = host.page.locator("[data-testid=stMain] p", has_text=REFLECT).first.inner_text()  # "B. You keep..."
    letter = card.strip()[0]
    host.page.get_by_text(f"{letter} (1 chose it)", exact=True).click()
    host.settle()
    assert move_on.is_enabled()
    assert scrolled(host) > 0  # the screen redrew and stayed where the host had scrolled
    move_on.click()
    host.settle()
    wait_for_text(host, "Where would I even start?")
    host.page.wait_for_function(f"() => ({SCROLLED}) === 0", timeout=FOLLOWS)  # a new point starts at the top
    host.shot("projector-next")
    followed = f"It was a tie at the last point, so Ivan picked the response the class followed: “{REFLECT}” (1 of 2 chose it)."
    for page in trainees.values():
        wait_for_text(page, "Where would I even start?")
        page.settle()
        assert followed in main_text(page)
    assert "That was your answer too." in main_text(trainees["Tia"])
    assert f"Your answer was: “{PLAN}”" in main_text(trainees["Uma"])
    trainees["Uma"].shot("phone-followed")

    trainees["Tia"].page.get_by_role("button", name="What would a first small step look like").click()
    trainees["Tia"].settle()
    wait_for_text(host, "1 of 2 have answered.")

    host.page.get_by_role("button", name="End the class").click()
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
        "the strongest, 0 pitfalls)." in main_text(trainees["Tia"])
    )
    assert (
        "Not scored: a class that ends early is not scored (you answered at 1 of the class's 2 decision points: 0 among "
        "the strongest, 1 pitfall)." in main_text(trainees["Uma"])
    )
    trainees["Tia"].shot("phone-ended")

    for page in (host, *trainees.values()):
        assert page.console_errors() == []
    assert [*host.accessibility, *trainees["Tia"].accessibility, *trainees["Uma"].accessibility] == []
