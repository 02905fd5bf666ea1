"""Every page of the navigation, for each role, in a real browser: a screenshot of each (kept as a test
artefact), axe-core's WCAG 2.1 A/AA rules with no serious or critical violation, and no console errors.
The trainee first plays a scenario in debrief mode, choosing a pitfall, so Review and Spaced review have
something to show."""

from __future__ import annotations

from records import Store
from tests.browser.helpers import nav, sign_in
from tests.helpers import PASSWORD, make_user

TRAINEE_PAGES = ["Home", "Practice", "Progress", "Review", "Mock exam", "Spaced review", "Live class", "Account and privacy"]
INSTRUCTOR_PAGES = ["Cohorts", "Class dashboard", "Scenario studio", "Live class"]
ADMIN_PAGES = ["Admin"]


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def test_every_page_for_each_role(servers, open_page):
    store = Store.open(servers.database_url)
    admin_user = make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    store.cohorts.join(make_user(store, "Tara Trainee"), cohort.join_code)
    store.close()
    server = servers.start()

    trainee = open_page("trainee")
    t = trainee.page
    sign_in(trainee, server.url, "tara.trainee@example.org", PASSWORD)
    nav(trainee, "Practice")
    t.get_by_role("button", name="Choose “A short check-in”").click()
    trainee.settle()
    t.get_by_text("Debrief: all the feedback at the end").click()
    trainee.settle()
    t.get_by_role("button", name="Start the conversation").click()
    trainee.settle()
    t.get_by_role("button", name="Let's sign you up for classes this week.").click()
    trainee.settle()
    main = t.inner_text("[data-testid=stMain]")
    assert "How it went" in main and "Yeah. Maybe some other time." in main  # debrief: straight to the summary
    trainee.shot("debrief-summary")
    for name in TRAINEE_PAGES:
        nav(trainee, name)
        trainee.shot(slug(name))

    instructor = open_page("instructor")
    sign_in(instructor, server.url, "ines.instructor@example.org", PASSWORD)
    for name in INSTRUCTOR_PAGES:
        nav(instructor, name)
        instructor.shot(slug(name))

    admin = open_page("admin")
    sign_in(admin, server.url, admin_user.email or "", PASSWORD)
    for name in ADMIN_PAGES:
        nav(admin, name)
        admin.shot(slug(name))

    for page in (trainee, instructor, admin):
        assert page.console_errors() == []
    assert [*trainee.accessibility, *instructor.accessibility, *admin.accessibility] == []
