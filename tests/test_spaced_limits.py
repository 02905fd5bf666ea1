"""Spaced review's daily limits and learning steps: the day's arithmetic (scoring.spaced_queue), today's queue in
the records (new items oldest first up to the day's new items, reviews up to the day's reviews, items in learning
steps always), first studies and undoing them, the limits themselves (checked, refused, access), and the page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from records import AccessDenied, Store, User
from records.spaced import LimitRefused, ReviewItem
from records.tables import review_items
from scoring.review import RatingName, new_card, rate
from scoring.spaced_queue import (
    Limits,
    Tallies,
    Today,
    headline,
    limit_problems,
    limits_words,
    plan,
    rest_message,
    span_words,
    waiting_note,
)
from tests.helpers import MovingClock, app_for, make_user, refused
from ui.spaced import stage

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # noon UTC: the next day starts in 12 hours
NEW_RULE = "New items a day must be a whole number from 0 to 200."
REVIEW_RULE = "Reviews a day must be a whole number from 1 to 500."


# The day's arithmetic (pure)


@pytest.mark.parametrize(
    ("limits", "tallies", "expected"),
    [
        # 16 new items after one session: the day's 10, the rest wait.
        (Limits(10, 50), Tallies(16, 0, 0, 0, 0), Today(10, 0, 0, 6, 0, 0, 10, 50)),
        # 4 already started today: 6 more today.
        (Limits(10, 50), Tallies(12, 4, 0, 0, 0), Today(6, 0, 0, 6, 0, 0, 6, 50)),
        # The day's new items all started: new ones wait; items in learning steps are always shown.
        (Limits(10, 50), Tallies(6, 10, 0, 0, 3, 7), Today(0, 0, 3, 6, 0, 7, 0, 50)),
        # A lowered limit below what was started today: nothing new, never a negative count.
        (Limits(2, 50), Tallies(5, 4, 0, 0, 0), Today(0, 0, 0, 5, 0, 0, 0, 50)),
        # Reviews: 60 due, 45 done today, limit 50: 5 more today, 55 wait.
        (Limits(10, 50), Tallies(0, 0, 60, 45, 0), Today(0, 5, 0, 0, 55, 0, 10, 5)),
        # New items paused.
        (Limits(0, 50), Tallies(3, 0, 2, 0, 1), Today(0, 2, 1, 3, 0, 0, 0, 50)),
    ],
)
def test_plan_keeps_the_daily_limits_and_always_shows_learning_steps(limits, tallies, expected):
    assert plan(limits, tallies) == expected


@pytest.mark.parametrize(
    ("new", "reviews", "problems"),
    [
        (0, 1, []),
        (200, 500, []),
        (10, 50, []),
        (-1, 50, [NEW_RULE]),
        (201, 50, [NEW_RULE]),
        (10, 0, [REVIEW_RULE]),
        (10, 501, [REVIEW_RULE]),
        (2.5, 50, [NEW_RULE]),
        (True, 50, [NEW_RULE]),
        ("10", 50, [NEW_RULE]),
        (None, None, [NEW_RULE, REVIEW_RULE]),
    ],
)
def test_limit_problems_name_the_rule_that_would_work(new, reviews, problems):
    assert limit_problems(new, reviews) == problems


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(seconds=10), "1 minute"),
        (timedelta(minutes=10), "10 minutes"),
        (timedelta(minutes=59), "59 minutes"),
        (timedelta(minutes=70), "about 1 hour"),
        (timedelta(hours=11, minutes=50), "about 12 hours"),
        (timedelta(days=1, hours=2), "1 day"),
        (timedelta(days=8), "8 days"),
    ],
)
def test_span_words(span, words):
    assert span_words(span) == words


def test_limits_words_count_in_plain_english():
    assert limits_words(Limits(10, 50)) == "10 new items and 50 reviews a day"
    assert limits_words(Limits(1, 1)) == "1 new item and 1 review a day"


def test_the_headline_hides_nothing():
    assert headline(Today(3, 10, 2, 40, 0, 0, 7, 40)) == "Today: 3 new · 12 to review · 40 more waiting"
    assert headline(Today(1, 0, 0, 0, 0, 2, 9, 50)) == "Today: 1 new · 0 to review · 2 back later today"
    assert headline(Today(0, 0, 0, 0, 0, 0, 10, 50)) == "Today: 0 new · 0 to review"


def test_the_messages_say_kindly_when_more_will_come():
    limits = Limits(10, 50)
    shown = Today(2, 0, 0, 6, 0, 0, 2, 50)
    assert waiting_note(shown, limits, T0) == (
        "Beyond today's limits, 6 more items wait and start coming at midnight UTC, in about 12 hours."
    )
    assert rest_message(shown, limits, T0, None) is None  # items are shown: no resting message
    assert waiting_note(Today(1, 0, 0, 0, 0, 0, 9, 50), limits, T0) is None

    done = Today(0, 0, 0, 6, 0, 10, 0, 50)
    assert rest_message(done, limits, T0, T0 + timedelta(minutes=10)) == (
        "Well done: you have done today's new items. 6 more items wait and start coming at midnight UTC, in about "
        "12 hours. An item you are learning comes back sooner, in 10 minutes. To do more today, raise your limits "
        "under Daily limits."
    )
    one_review = Today(0, 0, 0, 0, 1, 0, 10, 0)
    assert rest_message(one_review, limits, T0 + timedelta(hours=11, minutes=30), None) == (
        "Well done: you have done today's reviews. 1 more item waits and starts coming at midnight UTC, in 30 "
        "minutes. To do more today, raise your limits under Daily limits."
    )
    both = Today(0, 0, 0, 2, 3, 0, 0, 0)
    assert rest_message(both, limits, T0, T0 + timedelta(days=2)).startswith(  # type: ignore[union-attr]
        "Well done: you have done today's new items and reviews. 5 more items wait and start coming at midnight UTC"
    )

    paused = Today(0, 0, 0, 3, 0, 0, 0, 50)
    assert waiting_note(Today(0, 1, 0, 3, 0, 0, 0, 49), Limits(0, 50), T0) == (
        "3 items not yet studied wait: new items are paused (your daily limit for new items is 0)."
    )
    assert rest_message(paused, Limits(0, 50), T0, None) == (
        "Well done: you are up to date. 3 items not yet studied wait, and new items are paused (your daily limit "
        "for new items is 0). To start them, raise that limit under Daily limits."
    )

    nothing = Today(0, 0, 0, 0, 0, 0, 10, 50)
    assert rest_message(nothing, limits, T0, None) == "Nothing is due right now. Well done; come back later."
    assert rest_message(nothing, limits, T0, T0 + timedelta(days=3)) == (
        "Nothing is due right now. Well done; come back later. The next item comes back in 3 days."
    )


# Today's queue in the records


def queue_items(store: Store, user: User, count: int, start: datetime) -> list[str]:
    """``count`` new question items, added in the reverse of the order they were met (so the oldest has the
    highest id): the refs oldest first."""
    refs = [f"q-{n:02}" for n in range(1, count + 1)]
    card = new_card(start)
    for n, ref in reversed(list(enumerate(refs))):
        met = start - timedelta(minutes=count - n)
        store.reviews.add(user, "question", ref, card.card, met, card.state, met)
    return refs


def rate_item(store: Store, user: User, item: ReviewItem, rating: RatingName, moment: datetime) -> None:
    after = rate(item.card, rating, moment, fuzz=False)
    store.reviews.record(user, item.id, after.card, after.due, after.state, after.lapsed, moment)


def test_a_day_introduces_the_daily_new_items_oldest_first_and_learning_steps_always_come_back(store):
    tia = make_user(store, "Tia")
    refs = queue_items(store, tia, 16, T0)  # e.g. one session's pitfalls and an exam's misses
    queue = store.reviews.today(tia, T0)
    assert [i.ref for i in queue.items] == refs[:10]  # the day's 10 new items, oldest first, not all 16
    assert headline(queue.today) == "Today: 10 new · 0 to review · 6 more waiting"
    assert (queue.limits, queue.total, queue.next_due) == (Limits(10, 50), 16, None)
    counts = store.reviews.counts(tia, tia.id, T0)
    assert (counts.due, counts.new, counts.to_review, counts.waiting, counts.total) == (10, 10, 0, 6, 16)

    # Good on a new item: FSRS's first learning step, back in 10 minutes (not graduated, not gone for days).
    first = queue.items[0]
    rate_item(store, tia, first, "good", T0)
    queue = store.reviews.today(tia, T0)
    assert [i.ref for i in queue.items] == refs[1:10]
    assert headline(queue.today) == "Today: 9 new · 0 to review · 1 back later today · 6 more waiting"
    assert queue.next_due == T0 + timedelta(minutes=10)

    for item in queue.items:  # the day's other new items, each rated Good at once
        rate_item(store, tia, item, "good", T0)
    queue = store.reviews.today(tia, T0)
    assert queue.items == []
    assert headline(queue.today) == "Today: 0 new · 0 to review · 10 back later today · 6 more waiting"
    assert rest_message(queue.today, queue.limits, T0, queue.next_due) == (
        "Well done: you have done today's new items. 6 more items wait and start coming at midnight UTC, in about "
        "12 hours. An item you are learning comes back sooner, in 10 minutes. To do more today, raise your limits "
        "under Daily limits."
    )

    # Ten minutes on, the items in learning steps come back, the day's new limit notwithstanding.
    later = T0 + timedelta(minutes=10)
    queue = store.reviews.today(tia, later)
    assert [i.ref for i in queue.items] == refs[:10]
    assert headline(queue.today) == "Today: 0 new · 10 to review · 6 more waiting"
    for item in queue.items:
        rate_item(store, tia, item, "good", later)  # the last learning step: learned, back in 2 days
    assert headline(store.reviews.today(tia, later).today) == "Today: 0 new · 0 to review · 6 more waiting"

    # The next day brings the six that waited, still oldest first.
    tomorrow = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    queue = store.reviews.today(tia, tomorrow)
    assert [i.ref for i in queue.items] == refs[10:]
    assert headline(queue.today) == "Today: 6 new · 0 to review"


def test_first_study_is_recorded_once_and_undoing_it_makes_the_item_new_again(store):
    tia = make_user(store, "Tia")
    queue_items(store, tia, 2, T0)
    [item, _] = store.reviews.today(tia, T0).items
    assert item.first_reviewed_at is None
    rate_item(store, tia, item, "good", T0)
    [studied] = [i for i in store.reviews.due(tia, T0 + timedelta(minutes=10)) if i.id == item.id]
    assert studied.first_reviewed_at == T0
    rate_item(store, tia, studied, "good", T0 + timedelta(minutes=10))
    [again] = [i for i in store.reviews.due(tia, T0 + timedelta(days=5)) if i.id == item.id]
    assert again.first_reviewed_at == T0  # the first study stays
    assert store.reviews.today(tia, T0 + timedelta(minutes=10)).today.new_left == 9

    store.reviews.restore(tia, studied)  # undo the second rating: still studied
    [back] = [i for i in store.reviews.due(tia, T0 + timedelta(minutes=10)) if i.id == item.id]
    assert (back.first_reviewed_at, back.reviews) == (T0, 1)
    store.reviews.restore(tia, item)  # undo the first rating: new again, and the day's new item given back
    [new_again] = [i for i in store.reviews.due(tia, T0) if i.id == item.id]
    assert new_again == item
    assert store.reviews.today(tia, T0).today.new_left == 10
    assert headline(store.reviews.today(tia, T0).today) == "Today: 2 new · 0 to review"


def test_reviews_done_today_count_against_the_daily_reviews_and_an_undo_gives_one_back(store):
    tia = make_user(store, "Tia")
    yesterday = T0 - timedelta(days=1)
    queue_items(store, tia, 3, yesterday)
    for item in store.reviews.today(tia, yesterday).items:
        rate_item(store, tia, item, "easy", yesterday)  # learned at once: back in 8 days
    store.reviews.set_limits(tia, tia.id, 10, 2)

    day = yesterday + timedelta(days=8)
    queue = store.reviews.today(tia, day)
    assert headline(queue.today) == "Today: 0 new · 2 to review · 1 more waiting"
    assert [stage(i) for i in queue.items] == ["review", "review"]
    first = queue.items[0]
    rate_item(store, tia, first, "good", day)
    queue = store.reviews.today(tia, day)
    assert headline(queue.today) == "Today: 0 new · 1 to review · 1 more waiting"  # one of the day's two done
    assert queue.today.reviews_left == 1
    store.reviews.restore(tia, first)
    assert headline(store.reviews.today(tia, day).today) == "Today: 0 new · 2 to review · 1 more waiting"

    # Forgotten: Again sends the item into a relearning step, which comes back whatever the limit.
    rate_item(store, tia, first, "again", day)
    soon = day + timedelta(minutes=10)
    queue = store.reviews.today(tia, soon)
    assert queue.items[0].id == first.id  # in its relearning step: first, whatever the limit
    assert [stage(i) for i in queue.items] == ["learning", "review"]
    assert headline(queue.today) == "Today: 0 new · 2 to review · 1 more waiting"
    for item in queue.items:
        rate_item(store, tia, item, "good", soon)
    queue = store.reviews.today(tia, soon)
    assert queue.items == []
    assert rest_message(queue.today, queue.limits, soon, queue.next_due) == (
        "Well done: you have done today's reviews. 1 more item waits and starts coming at midnight UTC, in about "
        "12 hours. To do more today, raise your limits under Daily limits."
    )


def test_new_items_paused_with_a_limit_of_zero(store):
    tia = make_user(store, "Tia")
    queue_items(store, tia, 3, T0)
    store.reviews.set_limits(tia, tia.id, 0, 50)
    queue = store.reviews.today(tia, T0)
    assert (queue.items, headline(queue.today)) == ([], "Today: 0 new · 0 to review · 3 more waiting")
    assert rest_message(queue.today, queue.limits, T0, queue.next_due) == (
        "Well done: you are up to date. 3 items not yet studied wait, and new items are paused (your daily limit "
        "for new items is 0). To start them, raise that limit under Daily limits."
    )


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def on_statement(connection, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", on_statement)


def test_todays_queue_reads_in_a_fixed_number_of_statements(store):
    small, large = make_user(store, "Tia"), make_user(store, "Uma")
    queue_items(store, small, 3, T0)
    queue_items(store, large, 60, T0)
    with statements(store) as few:
        store.reviews.today(small, T0)
    with statements(store) as many:
        store.reviews.today(large, T0)
    assert len(few) == len(many) <= 6


# The limits: checked, refused, only the trainee's own


@pytest.mark.parametrize(
    ("new", "reviews", "message"),
    [
        (-1, 50, NEW_RULE),
        (201, 50, NEW_RULE),
        (10, 0, REVIEW_RULE),
        (10, 501, REVIEW_RULE),
        (2.5, 50, NEW_RULE),
        ("ten", 50, NEW_RULE),
        (250, 900, f"{NEW_RULE} {REVIEW_RULE}"),
    ],
)
def test_a_bad_limit_is_refused_with_a_clear_message_and_changes_nothing(store, new, reviews, message):
    tia = make_user(store, "Tia")
    store.reviews.set_limits(tia, tia.id, 12, 40)
    with refused(LimitRefused, message):
        store.reviews.set_limits(tia, tia.id, new, reviews)
    assert store.reviews.limits(tia, tia.id) == Limits(12, 40)


def test_limits_start_at_the_defaults_and_keep_the_edges(store):
    tia = make_user(store, "Tia")
    assert store.reviews.limits(tia, tia.id) == Limits(10, 50)
    assert store.reviews.set_limits(tia, tia.id, 0, 1) == Limits(0, 1)
    assert store.reviews.set_limits(tia, tia.id, 200, 500) == Limits(200, 500)
    assert store.reviews.limits(tia, tia.id) == Limits(200, 500)


def test_only_the_trainee_changes_their_limits_and_queue(store):
    tia, uma = make_user(store, "Tia"), make_user(store, "Uma")
    ivy = make_user(store, "Ivy", "instructor")
    cohort = store.cohorts.create(ivy, "Tuesday evenings")
    store.cohorts.join(tia, cohort.join_code)
    queue_items(store, tia, 2, T0)
    [item, _] = store.reviews.today(tia, T0).items

    for other in (uma, ivy):  # another trainee, and Tia's own instructor
        with refused(AccessDenied, "Only the trainee can change their own practice record."):
            store.reviews.set_limits(other, tia.id, 5, 5)
        with refused(AccessDenied, "Only the trainee can change their own practice record."):
            store.reviews.restore(other, item)
        with refused(AccessDenied, "Only the trainee can change their own practice record."):
            rate_item(store, other, item, "good", T0)
    assert store.reviews.limits(tia, tia.id) == Limits(10, 50)
    assert store.reviews.today(uma, T0).items == []  # today's queue is always the actor's own
    assert store.reviews.limits(ivy, tia.id) == Limits(10, 50)  # the instructor may see them
    assert store.reviews.counts(ivy, tia.id, T0).due == 2
    with refused(AccessDenied, "You can only see your own practice records."):
        store.reviews.limits(uma, tia.id)
    with refused(AccessDenied, "You can only see your own practice records."):
        store.reviews.counts(uma, tia.id, T0)
    with store.engine.connect() as connection:
        untouched = connection.execute(select(review_items.c.reviews, review_items.c.first_reviewed_at)).all()
    assert [tuple(r) for r in untouched] == [(0, None), (0, None)]


# The page


@pytest.mark.usefixtures("exam_bank")
def test_the_page_shows_the_day_and_changes_the_limits(isolated_data, monkeypatch):
    MovingClock(monkeypatch, T0)
    store = Store.open(isolated_data)
    make_user(store, "Root Admin", "admin")
    tia = make_user(store, "Tia")
    token = store.accounts.start_session(tia)
    card = new_card(T0)
    for n in range(1, 4):
        store.reviews.add(tia, "question", f"x-0{n}", card.card, T0, card.state, T0 - timedelta(minutes=10 - n))
    store.close()

    at = app_for(token)
    at.switch_page("pages/spaced.py").run()
    assert at.markdown[0].value == "**Today: 3 new · 0 to review**"
    assert at.expander[0].label == "Daily limits"
    assert at.expander[0].caption[0].value == (
        "New items start a few a day, oldest first; items you are learning always come back when due. "
        "A new day starts at midnight UTC, in about 12 hours."
    )
    assert (at.number_input(key="spaced_limit_new").value, at.number_input(key="spaced_limit_reviews").value) == (10, 50)
    assert any(m.value.startswith("**Exam question.** Test question 1") for m in at.markdown)  # oldest first

    # A bad value: a clear message, and nothing changes.
    at.number_input(key="spaced_limit_new").set_value(250)
    at.number_input(key="spaced_limit_reviews").set_value(0)
    at.button[0].click().run()  # the form's one button: Save limits
    assert [e.value for e in at.error] == [
        f"{NEW_RULE} {REVIEW_RULE} Nothing was changed: your limits are still 10 new items and 50 reviews a day."
    ]
    assert at.markdown[0].value == "**Today: 3 new · 0 to review**"

    # One new item a day: the header and a note say what waits and when it comes.
    at.number_input(key="spaced_limit_new").set_value(1)
    at.number_input(key="spaced_limit_reviews").set_value(60)
    next(b for b in at.button if b.label == "Save limits").click().run()
    assert [s.value for s in at.success] == ["Saved: up to 1 new item and 60 reviews a day."]
    assert at.error == []
    assert at.markdown[0].value == "**Today: 1 new · 0 to review · 2 more waiting**"
    assert "Beyond today's limits, 2 more items wait and start coming at midnight UTC, in about 12 hours." in [
        c.value for c in at.caption
    ]

    # Study it (recall first, then the answer, then a rating); the day's limit is reached and the page says so.
    at.button(key="review_show").click().run()
    at.button(key="rate_easy").click().run()
    assert at.markdown[0].value == "**Today: 0 new · 0 to review · 2 more waiting**"
    assert [s.value for s in at.success] == [
        "Well done: you have done today's new items. 2 more items wait and start coming at midnight UTC, in about "
        "12 hours. To do more today, raise your limits under Daily limits."
    ]
    # Undo gives the day's new item back, showing its answer to rate again.
    at.button(key="review_undo").click().run()
    assert at.markdown[0].value == "**Today: 1 new · 0 to review · 2 more waiting**"
    assert [b.label for b in at.button if (b.key or "").startswith("rate_")] == [
        "Again · 1 min",
        "Hard · 6 min",
        "Good · 10 min",
        "Easy · 8 d",
    ]
    # The limits stay the trainee's: a new visit shows them.
    again = app_for(token)
    again.switch_page("pages/spaced.py").run()
    assert again.number_input(key="spaced_limit_new").value == 1
