"""History and co-authoring in a real browser: two instructors edit one shared draft at once; the second save is
refused with who saved since and the difference, and the History tab compares versions (laptop and phone)."""

from __future__ import annotations

from records import Store
from scenarios.studio import starter_text
from tests.browser.helpers import fill_form
from tests.helpers import PASSWORD, make_user

STARTER = starter_text()
OMARS = STARTER.replace("title: A first conversation", "title: A conversation after work")
INES = STARTER + "# Ines: a second ending would help here\n"


def open_draft(open_page, url: str, name: str, email: str, *, phone: bool = False):  # type: ignore[no-untyped-def]
    view = open_page(name, phone=phone)
    view.page.goto(url + "/")
    fill_form(view, email=email, password=PASSWORD)
    view.page.goto(url + "/studio")
    view.settle()
    pick(view, "A first conversation")
    view.page.get_by_text("Plain text box", exact=True).click()  # the plain box, which a test can fill at once
    view.settle()
    return view


def pick(view, title: str) -> None:  # type: ignore[no-untyped-def]
    view.page.get_by_role("combobox", name="Open a scenario").click()
    view.page.keyboard.type(title)
    view.page.keyboard.press("Enter")
    view.settle()


def save_text(view, text: str) -> None:  # type: ignore[no-untyped-def]
    editor = view.page.get_by_role("textbox", name="Scenario YAML")
    editor.fill(text)
    editor.press("Control+Enter")
    view.settle()
    view.page.get_by_role("button", name="Save draft").click()
    view.settle()


def test_a_second_save_is_told_who_saved_since_and_sees_the_difference(servers, open_page):
    store = Store.open(servers.database_url)
    make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    omar = make_user(store, "Omar Instructor", "instructor")
    draft = store.authored.create(ines, STARTER, name="A first conversation", scenario_id=None, checked_hash=None)
    store.authored.share(ines, draft.id, [omar.id])
    store.close()
    server = servers.start()

    hers = open_draft(open_page, server.url, "ines", "ines.instructor@example.org")
    his = open_draft(open_page, server.url, "omar", "omar.instructor@example.org", phone=True)
    save_text(his, OMARS)
    his.page.get_by_text("Draft saved.").wait_for(timeout=30_000)

    save_text(hers, INES)
    p = hers.page
    p.get_by_text("Omar Instructor saved this draft at").wait_for(timeout=30_000)
    main = p.inner_text("[data-testid=stMain]")
    assert "after you opened it. Your text is kept below; see the difference, then save again" in main
    assert "--- Version 2, saved by Omar Instructor" in main
    assert "+# Ines: a second ending would help here" in main
    assert p.get_by_role("textbox", name="Scenario YAML").input_value() == INES
    p.get_by_text("Omar Instructor saved this draft at").scroll_into_view_if_needed()
    hers.shot("studio-conflict")

    p.get_by_role("button", name="Save draft").click()
    hers.settle()
    p.get_by_text("Draft saved.").wait_for(timeout=30_000)
    p.get_by_role("tab", name="History").click()
    hers.settle()
    history = p.inner_text("[data-testid=stMain]")
    assert "Omar Instructor" in history and "Restore a version" in history
    p.get_by_text("Restore a version").scroll_into_view_if_needed()
    hers.shot("studio-history")

    his.page.reload()
    his.settle()
    pick(his, "A first conversation")
    his.page.get_by_role("tab", name="History").click()
    his.settle()
    his.page.get_by_text("Restore a version").scroll_into_view_if_needed()
    his.shot("studio-history")
