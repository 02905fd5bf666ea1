"""Markdown people type stays text in a real browser, on every page, for every role (issue 11, finding 6).

The world of tests/test_markdown_injection.py (accounts of every role, a cohort, and a studio scenario whose
title, summary, peer, choices, feedback and ending are all Markdown payloads pointing at 127.0.0.2:9, played,
in spaced review, and running as a live class) is opened in Debian's chromium. Each role walks every page it may
see, opening every expander and tab, picking what brings typed text on screen. Throughout, the browser must make
no request to any host but the app server, the page must hold no image, link, colour or math made from a payload,
and each payload must read back, on screen, exactly as typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import playwright.sync_api as playwright_api
import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.helpers import SHOTS, Page, nav, sign_in
from tests.helpers import PASSWORD
from tests.test_markdown_injection import (
    COHORT,
    DEBRIEF,
    ENDING,
    INSTRUCTOR,
    NOTE,
    OUTSIDER,
    PEER,
    SAY,
    SCENARIO_ID,
    SUMMARY,
    TITLE,
    TRAINEE,
    WHY,
    World,
    build_world,
)
from ui.render import WORD_JOINER

# What a payload could have become in the page: images or links to its host, coloured text, typeset math.
MADE = """() => ({
  images: [...document.querySelectorAll('img')].map((i) => i.src).filter((s) => s.includes('127.0.0.2')),
  links: [...document.querySelectorAll('a')].map((a) => a.href).filter((h) => h.includes('127.0.0.2')),
  // The app's own fixed badges (spaced review's New, Learning, Review: ui.spaced.STAGE_BADGES) are not payloads.
  colours: [...document.querySelectorAll('.stMarkdownColoredText, .stMarkdownColoredBackground, .stMarkdownBadge')]
    .filter((e) => !/^([a-z_]+\\s*)?(New|Learning|Review)$/.test(e.innerText.trim())).length,
  math: document.querySelectorAll('.katex').length,
})"""
NOTHING_MADE = {"images": [], "links": [], "colours": 0, "math": 0}


class Walker:
    """One signed-in browser: records every request to another host, and checks the page after each step."""

    def __init__(self, page: Page, server_url: str) -> None:
        self.page = page
        self.server = urlsplit(server_url).netloc
        self.outside: list[str] = []
        self.steps: list[str] = []
        page.page.context.on("request", self._record)  # type: ignore[attr-defined]

    def _record(self, request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.server:
            self.outside.append(url)

    def text(self) -> str:
        """The main area's text as a reader sees it (the invisible word joiners of ui.render.esc dropped)."""
        return self.page.page.get_by_test_id("stMain").inner_text().replace(WORD_JOINER, "")  # type: ignore[attr-defined]

    def open_all(self) -> None:
        """Open every closed expander in view (those in other tabs open when their tab does), so whatever it
        holds is drawn (and would be fetched)."""
        self.page.settle()
        closed = self.page.page.locator("[data-testid=stExpander] details:not([open]) > summary:visible")  # type: ignore[attr-defined]
        for _ in range(50):
            if closed.count() == 0:
                break
            try:
                summary = closed.first.element_handle()
                summary.click()
                self.page.page.wait_for_function("summary => summary.parentElement.open", arg=summary)  # type: ignore[attr-defined]
            except PlaywrightError:  # a rerun drew the page anew under the click: wait for it, then look again
                self.page.settle()
        self.page.settle()

    def check(self, step: str, *expected: str) -> None:
        self.open_all()
        self.page.page.wait_for_timeout(300)  # type: ignore[attr-defined]  # any image request would have left by now
        self.steps.append(step)
        assert self.page.page.evaluate(MADE) == NOTHING_MADE, step  # type: ignore[attr-defined]
        assert self.outside == [], step
        shown = self.text()
        for text in expected:
            assert text in shown, (step, text)
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.page.screenshot(path=str(SHOTS / f"{self.page.name}-{len(self.steps):02d}.png"), full_page=True)  # type: ignore[attr-defined]

    def click_key(self, key: str) -> None:
        """Click the button Streamlit drew for widget ``key`` (its label is escaped Markdown, so find it by key)."""
        self.page.page.locator(f".st-key-{key} button").first.click()  # type: ignore[attr-defined]
        self.page.settle()

    def pick(self, box: str, option: str, *, ending: bool = False) -> None:
        """Choose ``option`` in the select box labelled ``box`` (options are plain text: typed as they are), or,
        with ``ending``, the first option that ends with it."""
        p = self.page.page
        options = p.locator("[role=option]")  # type: ignore[attr-defined]
        for _ in range(5):  # a rerun drawing the page anew can close a list that was just opened
            p.get_by_role("combobox", name=box, exact=True).click()  # type: ignore[attr-defined]
            try:
                options.first.wait_for(timeout=3_000)
                break
            except playwright_api.TimeoutError:
                self.page.settle()
        texts = options.all_inner_texts()
        if ending:
            option = next((t for t in texts if t.endswith(option)), option)
        assert option in texts, (box, option, texts)  # drawn as plain text: exactly as typed
        options.nth(texts.index(option)).click()
        self.page.settle()

    def playtest(self, key_part: str) -> None:
        """Click the studio play-test button whose key holds ``key_part`` (keys carry the version's hash)."""
        self.page.page.locator(f'[class*="st-key-playtest_"][class*="{key_part}"] button').click()  # type: ignore[attr-defined]
        self.page.settle()

    def tabs(self, names: Iterable[str]) -> None:
        for name in names:
            self.page.page.get_by_role("tab", name=name, exact=True).click()  # type: ignore[attr-defined]
            self.page.settle()
            self.check(f"tab {name}")


@pytest.fixture
def world(servers) -> World:  # type: ignore[no-untyped-def]
    return build_world(servers.database_url)


def walker_for(open_page, server_url: str, name: str, email: str) -> Walker:  # type: ignore[no-untyped-def]
    page = open_page(name)
    walker = Walker(page, server_url)
    sign_in(page, server_url, email, PASSWORD)
    return walker


def test_a_trainee_walks_every_page_and_every_payload_stays_text(servers, open_page, world):
    server = servers.start()
    w = walker_for(open_page, server.url, "trainee", "tia@example.org")
    w.check("home", f"Welcome, {TRAINEE}")

    nav(w.page, "Practice")
    w.check("library", TITLE, SUMMARY, NOTE, f"Choose “{TITLE}”")
    w.click_key(f"choose_{SCENARIO_ID}")
    w.check("start", TITLE, f"You will be talking with {PEER}", NOTE)
    w.click_key("start")
    w.check("first point", PEER, SAY)
    w.click_key("choice_open_plan")
    w.check("feedback", SAY, f"Why: {WHY}")
    w.click_key("continue")
    w.check("summary", f"1. {SAY}")

    nav(w.page, "Progress")
    w.check("progress", TITLE)
    nav(w.page, "Review")
    w.check("review", TITLE, PEER)
    nav(w.page, "Spaced review")
    w.check("spaced", f"From “{TITLE}”.")
    w.click_key("review_show")
    w.check("spaced answer", SAY, WHY)
    nav(w.page, "Mock exam")
    w.check("exam")
    nav(w.page, "Live class")
    w.page.page.get_by_label("Live class code").fill(world.live_code)
    w.click_key("live_join_submit")
    w.check("live class", TITLE, PEER)
    nav(w.page, "Account and privacy")
    w.check("account", TRAINEE, COHORT)
    assert w.page.console_errors() == []


def test_a_trainee_joining_with_only_a_live_code_sees_the_cohort_as_typed_and_fetches_nothing(servers, open_page, world):
    """One code joins: a trainee in no cohort types the live code and is in (records/live.py adds them to the
    cohort); the cohort's name, a payload, shows as typed and makes nothing."""
    server = servers.start()
    w = walker_for(open_page, server.url, "outsider", "otto@example.org")
    w.check("home", f"Welcome, {OUTSIDER}")
    nav(w.page, "Live class")
    w.page.page.get_by_label("Live class code").fill(world.live_code)
    w.click_key("live_join_submit")
    w.check("live joined with one code", f"You joined the cohort {COHORT} with this code.")


def test_an_instructor_walks_every_page_and_every_payload_stays_text(servers, open_page, world):
    server = servers.start()
    w = walker_for(open_page, server.url, "instructor", "ivan@example.org")
    w.check("home", f"Welcome, {INSTRUCTOR}")

    nav(w.page, "Cohorts")
    w.check("cohorts", f"instructor: {INSTRUCTOR}")
    w.pick("Trainee", TRAINEE)
    w.check("cohorts trainee", f"Download {TRAINEE}'s records (CSV)")

    nav(w.page, "Class dashboard")
    w.pick("Cohort", f"{COHORT} (1 trainee)")
    w.check("dashboard", TRAINEE, TITLE)
    w.tabs(["Assignments", "Pitfalls and domains", "Mock exam items", "Export", "Item analysis"])
    w.pick("Scenario", TITLE)
    w.check("item analysis", PEER, SAY)
    w.tabs(["One trainee"])
    w.pick("Trainee", TRAINEE)
    w.check("drill-down", f"{TRAINEE} has finished")
    w.pick("Conversation", f"{TITLE} · finished · 0%", ending=True)  # the one with the payload choice
    w.check("transcript", f"{TRAINEE}: {SAY}", WHY)

    nav(w.page, "Scenario studio")
    w.check("studio", TITLE)
    w.pick("Open a scenario", f"Yours: {TITLE}")
    w.check("studio scenario", TITLE)
    w.tabs(["Graph", "Play-test", "Publish"])
    w.page.page.get_by_role("tab", name="Play-test", exact=True).click()
    w.page.settle()
    w.playtest("_0_plan")
    w.check("play-test: a pitfall", SAY, WHY)
    w.playtest("playtest_restart_")
    w.playtest("_0_reflect")
    w.playtest("_1_pen")
    w.check("play-test: the ending", ENDING, DEBRIEF)

    nav(w.page, "Live class")
    w.check("live host", TITLE, PEER)
    for page in ("Practice", "Progress", "Review", "Mock exam", "Spaced review", "Account and privacy"):
        nav(w.page, page)
        w.check(page)
    assert w.page.console_errors() == []


def test_an_admin_walks_every_page_and_every_payload_stays_text(servers, open_page, world):
    server = servers.start()
    w = walker_for(open_page, server.url, "admin", "ada@example.org")
    nav(w.page, "Admin")
    w.check("admin")
    w.pick("Account", f"{TRAINEE} (tia@example.org) · trainee")
    w.pick("New role", "instructor")
    w.page.page.get_by_role("button", name="Change role", exact=True).click()
    w.page.settle()
    w.check("role changed", f"{TRAINEE} is now instructor.")
    nav(w.page, "Cohorts")
    w.check("cohorts", f"instructor: {INSTRUCTOR}")
    assert w.page.page.get_by_role("combobox", name="Cohort").input_value() == f"{COHORT} (1 trainee)"
    nav(w.page, "Class dashboard")
    w.pick("Cohort", f"{COHORT} (1 trainee)")
    w.check("dashboard", TRAINEE, TITLE)
    w.tabs(["Assignments", "One trainee"])
    nav(w.page, "Scenario studio")
    w.check("studio", TITLE, INSTRUCTOR)
    for page in ("Home", "Practice", "Progress", "Review", "Mock exam", "Spaced review", "Live class", "Account and privacy"):
        nav(w.page, page)
        w.check(page)
    assert w.page.console_errors() == []
