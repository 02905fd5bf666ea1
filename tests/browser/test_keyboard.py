"""A whole scenario and a whole mock exam with the keyboard alone: Tab, Shift+Tab, Enter, Space and the arrow keys
through ``page.keyboard``; no mouse click and no element.click() anywhere. Where focus lands it must be visible."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from records import Store
from tests.browser.helpers import Page
from tests.helpers import PASSWORD, ROOT, make_user

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return '';
  const label = e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].innerText : '') || e.innerText || '';
  return label.replace(/\\s+/g, ' ').trim();
}"""

# Visible focus: an outline or a box-shadow ring on the focused element. A radio's input is clipped out of sight
# and its option draws the focus instead, as a background no other option has.
RING = """() => {
  const e = document.activeElement;
  const ring = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (!!s.boxShadow && s.boxShadow !== 'none');
  if (e.type === 'radio') {
    const option = e.closest('[data-testid=stRadioOption]');
    const other = [...e.closest('[role=radiogroup]').querySelectorAll('[data-testid=stRadioOption]')].find((o) => o !== option);
    const mine = getComputedStyle(option);
    return ring(mine) || mine.backgroundColor !== getComputedStyle(other).backgroundColor;
  }
  return ring(getComputedStyle(e));
}"""

CHECKED = """() => [...document.activeElement.closest('[role=radiogroup]').querySelectorAll('input[type=radio]')]
  .map((r) => r.checked)"""
LABELS = """() => [...document.activeElement.closest('[role=radiogroup]').querySelectorAll('label')]
  .map((l) => l.innerText.trim())"""


def named(now: str, name: str | re.Pattern[str]) -> bool:
    """Whether an accessible name is ``name`` (material icons read as their ligature words first), or matches it."""
    if isinstance(name, re.Pattern):
        return name.search(now) is not None
    icon, _, rest = now.partition(" ")
    return now == name or (rest == name and re.fullmatch(r"[a-z_]+", icon) is not None)


def focus(page: Page, name: str | re.Pattern[str], *, back: bool = False, limit: int = 120) -> str:
    """Press Tab (or Shift+Tab) until the element called ``name`` has the focus; return its full name."""
    seen: list[str] = []
    for _ in range(limit):
        page.page.keyboard.press("Shift+Tab" if back else "Tab")  # type: ignore[attr-defined]
        now = page.page.evaluate(FOCUSED)  # type: ignore[attr-defined]
        if named(now, name):
            return str(now)
        seen.append(now[:60])
    raise AssertionError(f"{'Shift+Tab' if back else 'Tab'} never reached {name!r}; focus went through {seen[:40]}")


def press(page: Page, key: str) -> None:
    page.page.keyboard.press(key)  # type: ignore[attr-defined]
    page.settle()


def assert_focus_visible(page: Page, where: str) -> None:
    assert page.page.evaluate(RING), f"no visible focus ring on {page.page.evaluate(FOCUSED)!r} ({where})"  # type: ignore[attr-defined]


def keyboard_sign_in(page: Page, url: str, email: str) -> None:
    p = page.page
    p.goto(url + "/")  # type: ignore[attr-defined]
    p.wait_for_url("**/auth/signin")  # type: ignore[attr-defined]
    focus(page, "Email")
    assert_focus_visible(page, "the sign-in form")
    p.keyboard.type(email)  # type: ignore[attr-defined]
    focus(page, "Password")
    p.keyboard.type(PASSWORD)  # type: ignore[attr-defined]
    with p.expect_navigation(timeout=30_000):  # type: ignore[attr-defined]
        p.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.settle()


def main_text(page: Page) -> str:
    return page.page.inner_text("[data-testid=stMain]")  # type: ignore[attr-defined]


def make_accounts(isolated_data: str) -> None:
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    store.close()


def test_a_whole_coached_scenario_with_the_keyboard_alone(servers, open_page, isolated_data):
    make_accounts(isolated_data)
    server = servers.start()
    page = open_page("keyboard-practice")
    keyboard_sign_in(page, server.url, "tia@example.org")
    assert page.page.get_by_text("Welcome, Tia").count() == 1

    focus(page, "Practice")
    press(page, "Enter")
    assert page.page.get_by_role("heading", name="Scenario library").count() == 1
    # Focus stays on the link, now the current page's: it must still show, not blend into the current-page tint.
    assert_focus_visible(page, "the sidebar link of the current page")
    focus(page, "Choose “A short check-in”")
    assert_focus_visible(page, "a library card's button")
    press(page, "Enter")
    assert page.page.get_by_role("heading", name="A short check-in").count() == 1

    focus(page, "Coached: feedback after each choice")  # Tab lands on the group's checked radio
    assert_focus_visible(page, "the feedback mode radio")
    press(page, "ArrowDown")
    assert page.page.evaluate(CHECKED) == [False, True]  # Debrief
    press(page, "ArrowUp")
    assert page.page.evaluate(CHECKED) == [True, False]  # back to Coached
    page.shot("start")
    focus(page, "Start the conversation")
    press(page, " ")  # Space works a button too

    focus(page, "I hear you. You should start with the math test.")
    assert_focus_visible(page, "a response button")
    press(page, "Enter")
    assert page.page.get_by_text("Mixed: helpful in part").count() == 1
    page.shot("feedback")
    focus(page, "Continue the conversation")
    press(page, "Enter")
    # From the end of the page back up to the responses: Leave, Pause, then the responses in reverse.
    focus(page, "What would a first small step look like to you?", back=True)
    press(page, "Enter")
    assert page.page.get_by_text("Strong response").count() == 1
    focus(page, "See how it ended")
    press(page, "Enter")

    assert page.page.get_by_role("heading", name="How it went").count() == 1
    # (1/3 + 1) ÷ (2 decisions + 1 pitfall) = 44%: mixed, then the strongest. The metrics can be drawn a moment
    # after the heading on a loaded machine: wait for them to show these values, up to 15 s.
    expect(page.page.get_by_test_id("stMetricValue")).to_have_text(["44%", "1 of 2", "1"], timeout=15_000)
    page.shot("summary")
    focus(page, "Back to the library")
    assert_focus_visible(page, "the summary's button")
    press(page, "Enter")
    assert page.page.get_by_role("heading", name="Scenario library").count() == 1

    store = Store.open(isolated_data)
    tia = store.accounts.sign_in("tia@example.org", PASSWORD)
    finished = store.attempts_of(tia, tia.id, status="finished")
    assert [(a.mode, a.points, a.score) for a in finished] == [("coached", 2, 44)]
    assert [(d.node_id, d.choice_id) for d in store.decisions(tia, finished[0].id)] == [("open", "mixed"), ("ready", "pen")]
    store.close()
    assert page.console_errors() == []
    assert page.accessibility == []


def answer(page: Page, option: int) -> None:
    """With focus on a radio of the current question: check it with Space, then walk with the arrow keys to the
    radio of option number ``option`` (1-4 in the bank; each form shows the options in its own order), each step
    saved by the server."""
    press(page, " ")
    labels = page.page.evaluate(LABELS)  # type: ignore[attr-defined]
    option = next(i for i, label in enumerate(labels, start=1) if re.search(rf"Option {option} of question", label))
    checked = page.page.evaluate(CHECKED)  # type: ignore[attr-defined]
    at = checked.index(True) + 1
    while at != option:
        press(page, "ArrowDown" if option > at else "ArrowUp")
        at += 1 if option > at else -1
        assert page.page.evaluate(CHECKED).index(True) + 1 == at  # type: ignore[attr-defined]


def test_a_whole_mock_exam_with_the_keyboard_alone(servers, open_page, isolated_data):
    make_accounts(isolated_data)
    server = servers.start(PEERSIM_BANK_DIR=str(ROOT / "tests" / "fixtures" / "exam-bank"))
    page = open_page("keyboard-exam")
    p = page.page
    keyboard_sign_in(page, server.url, "tia@example.org")
    focus(page, "Mock exam")
    press(page, "Enter")
    focus(page, "Exam settings")
    assert_focus_visible(page, "the settings expander")
    press(page, "Enter")
    for label, value in (("Questions", "4"), ("Minutes", "20")):
        focus(page, label)
        p.keyboard.press("Control+A")
        p.keyboard.type(value)
        press(page, "Enter")
    assert p.get_by_label("Questions").input_value() == "4"
    assert p.get_by_label("Minutes").input_value() == "20"
    page.shot("settings")
    focus(page, "Start the exam")
    press(page, "Enter")
    assert p.get_by_text("Time left:").count() == 1

    wrong = 2  # one question answered wrongly on purpose: 3 of 4 right
    for number in range(1, 5):
        found = re.search(r"Test question (\d) \(", main_text(page))
        assert found, main_text(page)
        key = (int(found.group(1)) - 1) % 4 + 1  # the fixture bank's keys run 1, 2, 3, 4, 1, 2, 3, 4
        # Tab into the group lands on its first radio; Shift+Tab back from Next lands on its last.
        landed = focus(page, re.compile(rf"^[A-D]\. Option \d of question {found.group(1)}\.$"), back=number > 1)
        assert landed.startswith("D." if number > 1 else "A.")
        if number == 1:
            assert_focus_visible(page, "an answer radio")
        answer(page, key % 4 + 1 if number == wrong else key)
        if number == 4:
            focus(page, "Flag this question to come back to")
            press(page, " ")
            assert p.get_by_label("Flag this question to come back to").is_checked()
            page.shot("question")
        else:
            focus(page, "Next")
            press(page, "Enter")
    assert p.get_by_text("Question 4 of 4 · 4 answered · 1 flagged").count() == 1

    focus(page, "Submit the exam", back=True)
    assert_focus_visible(page, "the submit button")
    press(page, "Enter")
    focus(page, "Yes, submit")
    press(page, "Enter")
    assert p.get_by_role("heading", name="You passed: 75% (pass mark 70%)").count() == 1
    assert p.get_by_text("You submitted the exam. 3 of 4 right; 4 answered.").count() == 1
    focus(
        page, re.compile(rf"^([a-z_]+ )?{wrong}\. \(missed\) Test question \d \([a-z-]+\)\?$"), limit=200
    )  # the expander of the wrong answer
    press(page, "Enter")
    page.shot("review")
    assert "(your answer)" in main_text(page) and "(correct answer)" in main_text(page)
    assert page.console_errors() == []
    assert page.accessibility == []
