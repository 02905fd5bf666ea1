"""The studio's form view in a real browser, on a laptop, a tablet and a phone: an instructor edits a draft without YAML,
each change is saved, and a problem shows under its field."""

from __future__ import annotations

import pytest

from records import Store
from scenarios.studio import starter_text
from tests.browser.helpers import fill_form, nav
from tests.helpers import PASSWORD, make_user


@pytest.mark.parametrize("device", ["laptop", "tablet", "phone"])
def test_an_instructor_edits_a_draft_in_the_form(servers, open_page, device):
    store = Store.open(servers.database_url)
    make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    store.authored.create(ines, starter_text(), name="A first conversation", scenario_id="my-new-scenario", checked_hash=None)
    server = servers.start()

    phone = device == "phone"
    view = open_page("instructor", phone=phone, tablet=device == "tablet")
    p = view.page
    p.goto(server.url + "/")
    fill_form(view, email="ines.instructor@example.org", password=PASSWORD)
    if phone:  # the sidebar is folded away on a phone
        p.goto(server.url + "/studio")
        view.settle()
    else:
        nav(view, "Scenario studio")
    p.get_by_role("combobox", name="Open a scenario").click()
    p.keyboard.type("A first conversation")
    p.keyboard.press("Enter")
    view.settle()
    p.get_by_text("Form", exact=True).click()
    view.settle()
    title = p.get_by_role("textbox", name="Title")
    title.wait_for(timeout=30_000)
    view.shot("studio-form")
    p.get_by_role("textbox", name="What the trainee says").first.scroll_into_view_if_needed()
    view.shot("studio-form-responses")
    p.get_by_role("textbox", name="Title").scroll_into_view_if_needed()

    title.fill("")
    title.press("Tab")
    view.settle()
    p.get_by_text("title: must not be empty").first.wait_for(timeout=30_000)
    view.shot("studio-form-problem")
    assert "title: ''" in store.authored.get(ines, 1).source  # saved, problems and all: nothing is lost

    title.fill("A talk about sleep")
    title.press("Tab")
    view.settle()
    p.get_by_role("heading", name="A talk about sleep").wait_for(timeout=30_000)
    source = store.authored.get(ines, 1).source
    assert source == starter_text().replace("title: A first conversation", "title: A talk about sleep")
    assert view.console_errors() == []
    store.close()
