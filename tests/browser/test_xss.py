"""Text people type is shown as text and never runs: a display name given at sign-up and a cohort name an
instructor types, each carrying a <script> and an <img onerror=...>, on every page that shows them."""

from __future__ import annotations

from records import Store
from tests.browser.helpers import Page, choose, nav, sign_in
from tests.helpers import PASSWORD, make_user

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
NAME = PAYLOAD  # 65 characters: within the 80 a name may have
COHORT = f"Night class {PAYLOAD}"

# Anything the payloads could have become in the page: the flag they set, or the elements themselves.
INJECTED = """() => ({
  flag: typeof window.__xss,
  images: document.querySelectorAll('img[src="x"], img[onerror]').length,
  scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__xss')).length,
})"""
CLEAN = {"flag": "undefined", "images": 0, "scripts": 0}


def nothing_ran(page: Page) -> None:
    assert page.page.evaluate(INJECTED) == CLEAN  # type: ignore[attr-defined]


def text_of(page: Page, test_id: str) -> str:
    return page.page.get_by_test_id(test_id).inner_text()  # type: ignore[attr-defined]


def test_names_with_markup_are_shown_as_text_and_never_run(servers, open_page, isolated_data):
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    make_user(store, "Ivan", "instructor")
    store.close()
    server = servers.start()

    instructor = open_page("instructor")
    sign_in(instructor, server.url, "ivan@example.org", PASSWORD)
    nav(instructor, "Cohorts")
    instructor.page.get_by_label("New cohort name").fill(COHORT)
    instructor.page.get_by_role("button", name="Create cohort").click()
    instructor.settle()
    code = instructor.page.locator("[data-testid=stMain] code").first.inner_text()
    assert f"Created {COHORT}. Trainees join with the code {code}." in text_of(instructor, "stMain")
    assert instructor.page.get_by_role("combobox", name="Cohort").input_value() == f"{COHORT} (0 trainees)"
    nothing_ran(instructor)
    instructor.shot("cohort-created")

    trainee = open_page("trainee")
    trainee.page.goto(server.url + "/auth/signup")
    for field, value in (("name", NAME), ("email", "tia@example.org"), ("password", "password1"), ("code", code)):
        trainee.page.fill(f"#{field}", value)
    with trainee.page.expect_navigation():
        trainee.page.click("button[type=submit]")
    assert "This is a very common password." in trainee.page.inner_text("[role=alert]")
    assert trainee.page.input_value("#name") == NAME  # the form comes back with the name as typed, inert
    nothing_ran(trainee)
    trainee.page.fill("#password", PASSWORD)
    with trainee.page.expect_navigation():
        trainee.page.click("button[type=submit]")
    trainee.settle()

    assert f"Welcome, {NAME}" in text_of(trainee, "stMain")
    assert NAME in text_of(trainee, "stSidebar").splitlines()  # the sidebar's "signed in" name, on a line of its own
    nothing_ran(trainee)
    trainee.shot("home")
    nav(trainee, "Account and privacy")
    account = text_of(trainee, "stMain")
    assert f"{NAME} · tia@example.org · trainee" in account
    assert f"{COHORT} with Ivan" in account
    nothing_ran(trainee)
    trainee.shot("account")

    instructor.page.reload()
    instructor.settle()
    assert instructor.page.get_by_role("combobox", name="Cohort").input_value() == f"{COHORT} (1 trainee)"
    choose(instructor, "Trainee", NAME)  # exactly one option, the name as typed
    assert f"Download {NAME}'s records (CSV)" in text_of(instructor, "stMain")
    nothing_ran(instructor)
    instructor.shot("trainee-picked")

    for page in (instructor, trainee):
        assert page.console_errors() == []
    assert [*instructor.accessibility, *trainee.accessibility] == []
