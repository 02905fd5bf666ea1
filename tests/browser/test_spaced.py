"""Spaced review in a real browser: a practice pitfall and an exam's misses queue items; the page shows the day's
counts; recall first (pick a response), then the answer; a rating with its interval; undo; changing the daily
limits (a bad value refused, a good one saved). On a laptop and a 390x844 phone, screenshotted and checked with axe,
with no console errors."""

from __future__ import annotations

from records import Store, User
from scenarios.loader import check_paths
from scoring import default_rubric
from tests.browser.helpers import nav, sign_in
from tests.helpers import EXAM_BANK, PASSWORD, make_user

PITFALL = "Let's sign you up for classes this week."  # mini.yaml's pitfall at "open"
STRONGEST = "You keep coming back to it, and you're not sure yet."


def main_text(page) -> str:
    return str(page.page.inner_text("[data-testid=stMain]"))


def miss_an_exam(database_url: str, tia: User) -> None:
    """Tia takes the fixture bank's exam and answers every item wrongly: eight misses enter her queue."""
    bank = {q.id: q for loaded in check_paths([EXAM_BANK], default_rubric()).banks for q in loaded.bank.questions}
    store = Store.open(database_url)
    try:
        exam = store.exams.start(tia, sorted(bank), minutes=30, pass_mark=70)
        for question in bank.values():
            store.exams.answer(tia, exam.id, question.id, question.key % 4 + 1)
        store.exams.close(tia, exam.id, bank=bank, ended_by="submitted")
    finally:
        store.close()


def save_limits(page, new: str, reviews: str | None = None) -> None:
    p = page.page
    expander = p.get_by_test_id("stExpander").filter(has_text="Daily limits")
    if not expander.get_by_label("New items a day", exact=True).is_visible():
        expander.get_by_text("Daily limits").click()
        page.settle()
    expander.get_by_label("New items a day", exact=True).fill(new)
    if reviews is not None:
        expander.get_by_label("Reviews a day", exact=True).fill(reviews)
    expander.get_by_role("button", name="Save limits").click()
    page.settle()


def test_a_trainee_reviews_recalls_rates_undoes_and_sets_the_daily_limits(servers, open_page):
    store = Store.open(servers.database_url)
    make_user(store, "Root Admin", "admin")
    tia = make_user(store, "Tia")
    store.close()
    server = servers.start(PEERSIM_BANK_DIR=str(EXAM_BANK))

    laptop = open_page("laptop")
    p = laptop.page
    sign_in(laptop, server.url, "tia@example.org", PASSWORD)
    nav(laptop, "Spaced review")
    assert "Today: 0 new · 0 to review" in main_text(laptop)
    assert "Nothing is due right now. Well done; come back later." in main_text(laptop)

    # A pitfall in a conversation queues its moment; then an exam's eight misses queue theirs.
    nav(laptop, "Practice")
    p.get_by_role("button", name="Choose “A short check-in”").click()
    laptop.settle()
    p.get_by_role("button", name="Start the conversation").click()
    laptop.settle()
    p.get_by_role("button", name=PITFALL).click()
    laptop.settle()
    miss_an_exam(servers.database_url, tia)

    nav(laptop, "Spaced review")
    shown = main_text(laptop)
    assert "Today: 9 new · 0 to review" in shown
    assert "0 learned · 0 forgotten once and relearning · 9 in your queue" in shown
    assert "From “A short check-in”. What would you say this time?" in shown  # the oldest first: the pitfall
    check = p.get_by_role("button", name="Check my answer")
    assert check.is_disabled()  # recall first: choose, then check
    laptop.shot("recall")

    p.get_by_text(STRONGEST, exact=True).click()
    laptop.settle()
    check.click()
    laptop.settle()
    shown = main_text(laptop)
    assert "Strong response: among the strongest responses at this point." in shown
    assert f"The first time you said: “{PITFALL}”" in shown
    labels = [p.get_by_role("button", name=n).first.inner_text() for n in ("Again", "Hard", "Good", "Easy")]
    assert labels == ["Again · 1 min", "Hard · 6 min", "Good · 10 min", "Easy · 8 d"]
    laptop.shot("answer")

    p.get_by_role("button", name="Good · 10 min").click()
    laptop.settle()
    shown = main_text(laptop)
    assert "Rated Good: it comes back in 10 min." in shown
    assert "Today: 8 new · 0 to review · 1 back later today" in shown
    assert "Exam question." in shown
    laptop.shot("rated")

    p.get_by_role("button", name="Undo").click()
    laptop.settle()
    shown = main_text(laptop)
    assert "Today: 9 new · 0 to review" in shown
    assert "From “A short check-in”." in shown and "Good · 10 min" in shown  # back, its answer showing

    # The daily limits: a bad value is refused and changes nothing; a good one is saved and the header follows.
    save_limits(laptop, "500")
    shown = main_text(laptop)
    assert (
        "New items a day must be a whole number from 0 to 200. Nothing was changed: your limits are still "
        "10 new items and 50 reviews a day."
    ) in shown
    assert "Today: 9 new · 0 to review" in shown
    laptop.shot("limit-refused")
    save_limits(laptop, "3", "40")
    shown = main_text(laptop)
    assert "Saved: up to 3 new items and 40 reviews a day." in shown
    assert "Today: 3 new · 0 to review · 6 more waiting" in shown
    assert "Beyond today's limits, 6 more items wait and start coming at midnight UTC, in " in shown
    laptop.shot("limits-saved")
    assert laptop.console_errors() == []
    assert laptop.accessibility == []

    # On a phone: the same day, the limits reached after three items, said kindly with when more will come.
    phone = open_page("phone", phone=True)
    sign_in(phone, server.url, "tia@example.org", PASSWORD)
    phone.page.goto(server.url + "/spaced")
    phone.settle()
    assert "Today: 3 new · 0 to review · 6 more waiting" in main_text(phone)
    phone.shot("queue")
    for _ in range(3):
        phone.page.get_by_role("button", name="Show the answer").click()
        phone.settle()
        phone.page.get_by_role("button", name="Easy · 8 d").click()
        phone.settle()
    shown = main_text(phone)
    assert "Today: 0 new · 0 to review · 6 more waiting" in shown
    assert "Well done: you have done today's new items. 6 more items wait and start coming at midnight UTC, in " in shown
    phone.shot("limit-reached")
    save_limits(phone, "5")
    assert "Today: 2 new · 0 to review · 4 more waiting" in main_text(phone)
    phone.shot("limits-raised")
    assert phone.console_errors() == []
    assert phone.accessibility == []
