"""Journeys in a real browser against `streamlit run serve.py`."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from records import Store
from tests.browser.helpers import choose, fill_form, nav
from tests.helpers import PASSWORD, make_user

PLAY = [("open", "reflect"), ("ready", "pen")]  # the strongest path through tests/fixtures/good/mini.yaml


def play_mini(page, mode_label: str) -> None:
    p = page.page
    nav(page, "Practice")
    p.get_by_role("button", name="Choose “A short check-in”").click()
    page.settle()
    p.get_by_text(mode_label).click()
    page.settle()
    p.get_by_role("button", name="Start the conversation").click()
    page.settle()
    page.shot("conversation")
    for _node, choice in PLAY:
        label = {"reflect": "You keep coming back to it", "pen": "What would a first small step look like"}[choice]
        p.get_by_role("button", name=label).click()
        page.settle()
        if mode_label.startswith("Coached"):
            page.shot(f"feedback-{choice}")
            p.get_by_role("button", name="Continue the conversation").or_(
                p.get_by_role("button", name="See how it ended")
            ).click()
            page.settle()


def test_new_installation_to_a_trainee_who_plays_refreshes_and_signs_out(servers, open_page):
    server = servers.start()
    admin = open_page("admin")
    admin.page.goto(server.url + "/")
    admin.settle()
    assert admin.page.url.endswith("/auth/setup")
    assert "needs the one-time set-up link that this server printed in its log" in admin.page.inner_text("main")
    assert admin.page.locator("input[name=password]").count() == 0  # no form for whoever arrives first
    admin.shot("setup-needs-link")
    link = re.search(r"http://\S+/auth/setup\?token=\S+", server.log.read_text())
    assert link is not None, server.log.read_text()[-2000:]
    admin.page.goto(link.group(0))
    admin.shot("setup")
    fill_form(admin, name="Ada Admin", email="ada@example.org", password=PASSWORD)
    nav(admin, "Admin")
    admin.page.get_by_role("textbox", name="Name", exact=True).fill("Ivan Instructor")
    admin.page.get_by_role("textbox", name="Email").fill("ivan@example.org")
    admin.page.get_by_role("textbox", name="Starting password").fill("amber kite over the bay")
    admin.page.get_by_role("button", name="Add account").click()
    admin.settle()
    assert admin.page.get_by_text("Added Ivan Instructor as instructor.").count() == 1

    instructor = open_page("instructor")
    instructor.page.goto(server.url + "/")
    fill_form(instructor, email="ivan@example.org", password="amber kite over the bay")
    nav(instructor, "Cohorts")
    instructor.page.get_by_label("New cohort name").fill("Tuesday evenings")
    instructor.page.get_by_role("button", name="Create cohort").click()
    instructor.settle()
    instructor.shot("cohorts")
    code = instructor.page.locator("code").first.inner_text()

    trainee = open_page("trainee")
    trainee.page.goto(server.url + "/")
    assert trainee.page.url.endswith("/auth/signin")
    trainee.page.get_by_role("link", name="Create an account").click()
    fill_form(trainee, name="Tia", email="tia@example.org", password="password1", code=code)
    assert "This is a very common password." in trainee.page.inner_text("[role=alert]")
    assert trainee.page.input_value("#email") == "tia@example.org"  # nothing typed is lost
    fill_form(trainee, password=PASSWORD)
    assert trainee.page.get_by_text("Welcome, Tia").count() == 1
    trainee.shot("home")

    play_mini(trainee, "Coached: feedback after each choice")
    expect(trainee.page.get_by_test_id("stMetricValue").first).to_have_text("100%", timeout=15_000)
    trainee.shot("summary")
    nav(trainee, "Progress")
    trainee.page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=30_000)
    # Score, balance and domain charts are drawn; the strongest path hit no pitfall, so no heatmap yet.
    assert trainee.page.locator("[data-testid=stPlotlyChart]").count() == 3
    assert trainee.page.get_by_text("No pitfalls so far. That is worth noticing.").count() == 1
    trainee.shot("progress")

    trainee.page.reload()
    trainee.settle()
    assert trainee.page.get_by_text("Your progress", exact=True).count() == 1  # still signed in after a refresh
    cookie = next(c for c in trainee.page.context.cookies() if c["name"] == "peersim_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    trainee.page.get_by_role("link", name="Sign out").click()
    trainee.page.wait_for_url("**/auth/signout")
    trainee.page.get_by_role("button", name="Sign out").click()
    trainee.page.wait_for_url("**/auth/signin?bye=1")
    replay = open_page("replayed-cookie", cookies=[cookie])
    replay.page.goto(server.url + "/")
    assert replay.page.url.endswith("/auth/signin")  # the old cookie no longer works

    instructor.page.reload()
    instructor.settle()
    choose(instructor, "Trainee", "Tia")
    # The instructor reads about Tia, not Tia's own "You have finished..." (one sentence, two persons).
    assert "Tia has finished one conversation, with a score of 100%." in instructor.page.inner_text("[data-testid=stMain]")
    nav(admin, "Admin")
    audit = admin.page.inner_text("[data-testid=stMain]")
    assert "Ivan Instructor" in audit and "view progress" in audit
    admin.shot("admin")
    for page in (admin, instructor, trainee, replay):
        assert page.console_errors() == []
    assert [*admin.accessibility, *instructor.accessibility, *trainee.accessibility] == []


@pytest.mark.postgres
def test_two_servers_share_one_postgresql_database(servers, open_page, isolated_data):
    if not isolated_data.startswith("postgresql"):
        pytest.skip("needs PEERSIM_TEST_DATABASE_URL (PostgreSQL)")
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    store.close()
    first, second = servers.start(), servers.start()

    on_first = open_page("first-server")
    on_first.page.goto(first.url + "/")
    fill_form(on_first, email="tia@example.org", password=PASSWORD)
    play_mini(on_first, "Debrief: all the feedback at the end")
    cookie = next(c for c in on_first.page.context.cookies() if c["name"] == "peersim_session")

    on_second = open_page("second-server", cookies=[cookie])  # cookies are per host, not per port
    on_second.page.goto(second.url + "/")
    on_second.settle()
    assert on_second.page.get_by_text("Welcome, Tia").count() == 1  # the session started on the other server
    nav(on_second, "Progress")
    assert "You have finished one conversation, with a score of 100%." in on_second.page.inner_text("[data-testid=stMain]")
    on_second.shot("progress")
    assert on_first.console_errors() == [] and on_second.console_errors() == []


def test_mock_exam_with_a_reload_in_the_middle(servers, open_page, isolated_data):
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    store.close()
    server = servers.start()
    page = open_page("exam")
    page.page.goto(server.url + "/")
    fill_form(page, email="tia@example.org", password=PASSWORD)
    nav(page, "Mock exam")
    page.shot("start")
    page.page.get_by_text("Exam settings").click()
    for label, value in (("Questions", "8"), ("Minutes", "20")):
        page.page.get_by_label(label).fill(value)
        page.page.get_by_label(label).press("Enter")
        page.settle()
    page.page.get_by_role("button", name="Start the exam").click()
    page.settle()
    assert page.page.get_by_text("Time left:").count() == 1
    page.page.locator("[data-testid=stRadio] [role=radiogroup] label").first.click()
    page.settle()
    page.page.get_by_text("Flag this question to come back to").click()
    page.settle()
    page.shot("question")
    page.page.reload()
    page.settle()
    assert page.page.get_by_text("Question 1 of 8 · 1 answered · 1 flagged").count() == 1
    page.page.get_by_role("button", name="Submit the exam").click()
    page.settle()
    page.page.get_by_role("button", name="Yes, submit").click()
    page.settle()
    assert page.page.get_by_text("Every question, with why").count() == 1
    page.shot("review")

    nav(page, "Progress")
    page.shot("progress")
    with page.page.expect_download(timeout=60_000) as download:
        page.page.get_by_role("button", name="Download my progress report (PDF)").click()
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "PeerSim progress report" in text and "Tia ·" in text and "Mock exams" in text
    assert page.console_errors() == []
    assert page.accessibility == []
