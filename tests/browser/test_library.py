"""The scenario library in a real browser, on the shipped library of 44 scenarios: search, sort, badges, the
"Assigned to you" section, a conversation read through the accessibility tree (the peer is a person, never an
"assistant"), Leave asking first, and the library again after an ending. Laptop and phone, screenshotted."""

from __future__ import annotations

from datetime import timedelta

from records import Store, clock
from scenarios import LIBRARY_DIR, load_library
from scoring import default_rubric
from tests.browser.helpers import choose, nav, sign_in
from tests.helpers import PASSWORD, make_user, play
from ui.render import WORD_JOINER


def cards(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The scenario titles the library shows, top to bottom."""
    titles = [t.replace(WORD_JOINER, "").strip() for t in page.page.locator("[data-testid=stMain] h4").all_inner_texts()]
    return [t for t in titles if t != "Assigned to you"]


def test_searching_sorting_badges_and_an_assignment_in_the_library(servers, open_page):
    rubric = default_rubric()
    library = {s.id: s for s in load_library(LIBRARY_DIR, rubric=rubric).loaded}
    store = Store.open(servers.database_url)
    make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    cohort = store.cohorts.create(ines, "Thursday mornings")
    tia = make_user(store, "Tia")
    store.cohorts.join(tia, cohort.join_code)
    store.assignments.create(
        ines, cohort.id, kind="scenario", scenario_id="odessa-who-hears-what", due_at=clock.now() + timedelta(days=3)
    )
    colleen = library["colleen-after-dinner"]
    first = colleen.scenario.start
    play(store, tia, colleen, rubric, [(first, colleen.scenario.nodes[first].choices[0].id)])  # one unfinished attempt
    store.close()
    server = servers.start(PEERSIM_LIBRARY_DIR=str(LIBRARY_DIR))

    page = open_page("laptop")
    sign_in(page, server.url, "tia@example.org", PASSWORD)
    nav(page, "Practice")
    main = page.page.locator("[data-testid=stMain]")
    assert "Showing 44 of 44 scenarios." in main.inner_text()
    odessa = library["odessa-who-hears-what"].scenario.title
    assigned = page.page.get_by_text(f"{odessa} · Thursday mornings")
    search = page.page.get_by_label("Search the library")
    assigned.wait_for(timeout=30_000)
    search.wait_for(timeout=30_000)
    assert assigned.bounding_box()["y"] < search.bounding_box()["y"]  # the assignment, above the library
    shown = main.inner_text().replace(WORD_JOINER, "")
    assert "To do · due" in shown and "(due in 3 days)" in shown
    assert f"You have an unfinished conversation: {colleen.scenario.title}\n" in shown + "\n"  # no "?." after it
    assert "Unfinished: resume it from the top of this page" in shown
    page.shot("library")

    # Search: every word must appear in a title, summary, peer, content note or domain.
    page.page.get_by_label("Search the library").fill("naloxone")
    page.page.keyboard.press("Enter")
    page.settle()
    wanted = sorted(
        s.scenario.title
        for s in library.values()
        if "naloxone"
        in " ".join(
            [s.scenario.title, s.scenario.summary, s.scenario.peer.name, s.scenario.peer.about, s.scenario.content_note or ""]
        ).casefold()
    )
    found = cards(page)
    assert sorted(found) == wanted and wanted, (found, wanted)
    assert f"Showing {len(wanted)} of 44 scenarios." in main.inner_text()
    page.page.get_by_label("Search the library").fill("zebra crossing")
    page.page.keyboard.press("Enter")
    page.settle()
    assert "No scenario matches this search and these filters. Try other words, or widen the filters." in main.inner_text()
    page.page.get_by_label("Search the library").fill("")
    page.page.keyboard.press("Enter")
    page.settle()

    # Sort: shortest first follows the scenarios' minutes.
    choose(page, "Sort by", "Shortest first")
    minutes = {s.scenario.title: s.scenario.minutes for s in library.values()}
    listed = cards(page)
    assert [minutes[t] for t in listed] == sorted(minutes[t] for t in listed)
    page.shot("sorted-shortest")

    # A conversation as a screen reader meets it: the peer by name, no "assistant" or "user" roles.
    page.page.get_by_role("button", name=f"Choose “{library['reinaldo-his-own-goal'].scenario.title}”").click()
    page.settle()
    page.page.get_by_role("button", name="Start the conversation").click()
    page.settle()
    tree = page.page.locator("[data-testid=stMain]").aria_snapshot()
    peer = library["reinaldo-his-own-goal"].scenario.peer.name
    assert f"Chat message from {peer}" in tree
    assert "assistant" not in tree.casefold()
    assert "chat message from user" not in tree.casefold()
    page.shot("conversation")

    # Leave asks first; "Keep talking" keeps the conversation.
    page.page.get_by_role("button", name="Leave this conversation").click()
    page.settle()
    assert page.page.get_by_role("button", name="Yes, leave it").count() == 1
    page.page.get_by_role("button", name="Keep talking").click()
    page.settle()
    assert f"Chat message from {peer}" in page.page.locator("[data-testid=stMain]").aria_snapshot()
    assert page.console_errors() == []
    assert page.accessibility == []

    phone = open_page("phone", phone=True)
    sign_in(phone, server.url, "tia@example.org", PASSWORD)
    phone.page.goto(server.url + "/practice")
    phone.settle()
    assert "Assigned to you" in phone.page.locator("[data-testid=stMain]").inner_text()
    phone.shot("library")
    assert phone.console_errors() == []
    assert phone.accessibility == []
