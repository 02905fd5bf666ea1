"""The class dashboard in a real browser: its tabs (figures, an assignment set with a due date, item analysis, a
trainee's drill-down), and the assignment on a trainee's phone; screenshotted and checked with axe, with no
console errors."""

from __future__ import annotations

from records import Store
from scenarios import load_scenario_file
from scoring import default_rubric
from tests.browser.helpers import nav, sign_in
from tests.helpers import FIXTURES, PASSWORD, make_user, play

# Each trainee's second choice at 'ready', after 'reflect': the strongest response, and two pitfalls.
SECOND = {"Tara": "pen", "Uma": "explore", "Vic": "judge"}


def pick(page, box: str, option: str) -> None:
    # Type to filter and press Enter: the charts above can shift the page and close an open list under a click.
    page.page.get_by_role("combobox", name=box, exact=True).click()
    page.page.keyboard.type(option)
    page.page.keyboard.press("Enter")
    page.settle()


def tab(page, name: str) -> None:
    page.page.get_by_role("tab", name=name, exact=True).click()
    page.settle()


def main_text(page) -> str:
    return str(page.page.inner_text("[data-testid=stMain]"))


def test_an_instructor_reads_the_class_dashboard(servers, open_page):
    rubric = default_rubric()
    mini = load_scenario_file(FIXTURES / "good" / "mini.yaml", rubric)
    store = Store.open(servers.database_url)
    make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    for name, choice in SECOND.items():
        trainee = make_user(store, name)
        store.cohorts.join(trainee, cohort.join_code)
        play(store, trainee, mini, rubric, [("open", "reflect"), ("ready", choice)])
    store.close()
    server = servers.start()

    instructor = open_page("instructor")
    p = instructor.page
    sign_in(instructor, server.url, "ines.instructor@example.org", PASSWORD)
    nav(instructor, "Class dashboard")
    instructor.shot("choose-cohort")
    pick(instructor, "Cohort", "Tuesday evenings (3 trainees)")
    p.get_by_text("Completion per trainee").wait_for(timeout=30_000)
    instructor.shot("figures")
    tab(instructor, "Assignments")
    assert "Nothing is assigned to Tuesday evenings yet." in main_text(instructor)
    pick(instructor, "Scenario (for a scenario to practice)", "A short check-in")
    p.get_by_label("Note to the class (optional)").fill("Notice where the peer pauses.")
    p.get_by_role("button", name="Assign", exact=True).click()
    instructor.settle()
    shown = main_text(instructor)
    assert "Assigned A short check-in to Tuesday evenings, due" in shown
    assert "Done by 0 of 3 trainees" in shown
    instructor.shot("assignment-set")
    tab(instructor, "Item analysis")
    pick(instructor, "Scenario", "A short check-in")
    p.get_by_text("Decision point open").first.wait_for(timeout=30_000)
    instructor.settle()
    instructor.shot("item-analysis")
    tab(instructor, "One trainee")
    pick(instructor, "Trainee", "Uma")
    pick(instructor, "Conversation", "A short check-in")
    assert "Uma: Let's keep talking about how school felt back then." in p.inner_text("[data-testid=stMain]")
    instructor.shot("transcript")
    assert instructor.console_errors() == []
    assert instructor.accessibility == []

    phone = open_page("trainee-phone", phone=True)
    sign_in(phone, server.url, "tara@example.org", PASSWORD)
    home = main_text(phone)
    assert "Assigned to you" in home
    assert "A short check-in · Tuesday evenings" in home
    assert "From your instructor: Notice where the peer pauses." in home
    phone.shot("home-assigned")
    phone.page.get_by_role("button", name="Start: A short check-in").click()
    phone.settle()
    phone.page.get_by_text("How would you like feedback?").first.wait_for(timeout=30_000)
    phone.shot("assigned-start")
    assert phone.console_errors() == []
    assert phone.accessibility == []
