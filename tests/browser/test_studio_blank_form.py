"""Issue 16's journey in a real browser, without a line of YAML: an instructor starts from an empty form, builds
a three-point scenario with two endings, fixes the problem the checks show under its field, opens a point from
the graph, play-tests, publishes to the cohort, and a trainee of the cohort plays it to the end. The studio is
photographed on a laptop and on a tablet; the YAML view's code editor marks a problem in its gutter."""

from __future__ import annotations

import re

from records import Store
from scenarios.model import STAGE_LABELS
from scenarios.quality import QUALITY_LABELS
from scoring import default_rubric
from tests.browser.helpers import Page, fill_form, nav
from tests.helpers import PASSWORD, make_user
from tests.test_studio_form import RESPONSES

RUBRIC = default_rubric()
POINTS = (
    ("point-1", "I got an interview. I want it, I think. It's scary.", "contemplating"),
    ("point-2", "Maybe I could practice first. I don't know where to start.", "preparing"),
    ("point-3", "I'll ask my sponsor to do a mock interview on Sunday.", "preparing"),
)
ENDINGS = (
    ("ending-1", "A plan of their own", "Sunday, then. I can do this.", "What helped Sam choose their own step?"),
    ("ending-2", "The talk stalls", "Yeah. Maybe. I should go.", "Where did the conversation stop being Sam's?"),
)


def field(view: Page, *path: str | int):  # type: ignore[no-untyped-def]
    """The form field for a path of the draft (Streamlit names a widget's box after its key: st-key-...)."""
    key = "studio_form_1:" + "/".join(str(part) for part in path)
    css = "st-key-" + "".join(c if c.isalnum() or c in "_-" else "-" for c in key)
    return view.page.locator(f".{css}")  # type: ignore[attr-defined]


def shown(view: Page, box) -> None:  # type: ignore[no-untyped-def]
    """Open the point or ending the field is in, when its section is closed."""
    if not box.locator("input, textarea").first.is_visible():
        section = view.page.locator("[data-testid=stExpander]", has=box)  # type: ignore[attr-defined]
        section.locator("summary").first.click()
        view.settle()
    box.scroll_into_view_if_needed()


def write(view: Page, text: str, *path: str | int) -> None:
    box = field(view, *path)
    shown(view, box)
    entry = box.locator("textarea, input").first
    entry.fill(text)
    entry.press("Control+Enter" if entry.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
    view.settle()


def pick(view: Page, option: str, *path: str | int, starts: bool = False) -> None:
    """Choose an option in a select box of the form (several share a label, so the box is found by its field);
    with ``starts``, the option whose words start so ("Point 2" for "Point 2: “Maybe I could…”")."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = field(view, *path)
    shown(view, box)
    options = view.page.get_by_role("option")  # type: ignore[attr-defined]
    wanted = (
        options.filter(has_text=option).first
        if starts
        else options.filter(has_text=option).and_(
            view.page.get_by_role("option", name=option, exact=True)  # type: ignore[attr-defined]
        )
    )
    for _ in range(5):  # a rerun drawing the page anew closes a list just opened: open it again
        view.settle()
        box.get_by_role("combobox").click()
        view.page.keyboard.insert_text(option)  # type: ignore[attr-defined]  # long lists draw only what is in view
        try:
            wanted.click(timeout=3_000)
            break
        except PlaywrightTimeout:
            view.page.keyboard.press("Escape")  # type: ignore[attr-defined]
    else:
        raise AssertionError(f"could not choose {option!r} in {path}")
    if box.locator("[data-testid=stMultiSelect]").count():
        # a multiselect stays open; Escape closes it (on a select box with nothing chosen before, Escape would
        # clear the choice just made)
        view.page.keyboard.press("Escape")  # type: ignore[attr-defined]
    view.settle()


def criterion(criterion_id: str) -> str:
    found = RUBRIC.by_id[criterion_id]
    return f"{'Pitfall' if found.kind == 'pitfall' else 'Possibility'}: {found.title}"


def under(view: Page, *path: str | int) -> str:
    """What the page says right below a field (the checks' messages stand there)."""
    return field(view, *path).evaluate(  # type: ignore[no-any-return]
        "e => { const n = e.nextElementSibling; return n ? n.innerText : '' }"
    )


def test_an_instructor_builds_a_scenario_in_the_form_and_a_trainee_plays_it(servers, open_page):
    store = Store.open(servers.database_url)
    make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    tara = make_user(store, "Tara Trainee")
    store.cohorts.join(tara, cohort.join_code)
    store.close()
    server = servers.start()

    instructor = open_page("instructor")
    p = instructor.page
    p.goto(server.url + "/")
    fill_form(instructor, email="ines.instructor@example.org", password=PASSWORD)
    nav(instructor, "Scenario studio")
    p.get_by_role("combobox", name="Start from").click()
    p.get_by_role("option", name="An empty form").click()
    instructor.settle()
    p.get_by_role("button", name="New scenario").click()
    p.get_by_text("Started an empty draft in the form.").wait_for(timeout=30_000)
    instructor.settle()
    assert p.get_by_role("textbox", name="Scenario YAML").count() == 0  # no YAML in sight
    assert "title: must not be empty" in under(instructor, "title")
    instructor.shot("form-empty")

    write(instructor, "A first job interview", "title")
    write(instructor, "Sam has a job interview and mixed feelings about it.", "summary")
    write(instructor, "Sam", "peer", "name")
    write(instructor, "they/them", "peer", "pronouns")
    write(instructor, "29, eighteen months into recovery, looking for work.", "peer", "about")
    write(instructor, "Mentions past alcohol use.", "content_note")
    for domain in ("readiness", "self-determination"):
        pick(instructor, RUBRIC.domain(domain).title, "domains")
    pick(instructor, "2 · intermediate", "difficulty")
    p.get_by_role("button", name="Add a decision point").click()
    instructor.settle()
    p.get_by_role("button", name="Add a decision point").click()
    instructor.settle()
    p.get_by_role("button", name="Add an ending").click()
    instructor.settle()

    for node_id, words, readiness in POINTS:
        write(instructor, words, "nodes", node_id, "peer")
        pick(instructor, STAGE_LABELS[readiness], "nodes", node_id, "readiness")
        for index, (say, quality, criteria, why, _, _) in enumerate(RESPONSES[node_id]):
            write(instructor, say, "nodes", node_id, "choices", index, "say")
            pick(instructor, QUALITY_LABELS[quality], "nodes", node_id, "choices", index, "quality")
            for criterion_id in criteria:
                pick(instructor, criterion(criterion_id), "nodes", node_id, "choices", index, "criteria")
            write(instructor, why, "nodes", node_id, "choices", index, "why")
        # once every response has its words, the lists name them: the stronger one, and where each goes
        for index, (_, _, _, _, better, target) in enumerate(RESPONSES[node_id]):
            if better:
                number = better.removeprefix("response-")
                pick(instructor, f"Response {number}:", "nodes", node_id, "choices", index, "better", starts=True)
            targets = {"point-2": "Point 2", "point-3": "Point 3", "ending-1": "Ending 1", "ending-2": "Ending 2"}
            pick(instructor, targets[target], "nodes", node_id, "choices", index, "next", starts=True)
    for ending_id, title, words, debrief in ENDINGS:
        write(instructor, title, "endings", ending_id, "title")
        write(instructor, words, "endings", ending_id, "peer")
        if ending_id == "ending-1":  # the second ending's debrief is forgotten, for now
            write(instructor, debrief, "endings", ending_id, "debrief")

    # The checks name the problem under its own field, in plain words; fixing it passes every check.
    p.get_by_text("1 problem to fix before trainees can play this.").wait_for(timeout=30_000)
    assert "endings.ending-2.debrief: must not be empty" in under(instructor, "endings", "ending-2", "debrief")
    instructor.shot("form-problem")
    write(instructor, ENDINGS[1][3], "endings", "ending-2", "debrief")
    p.get_by_text("Passes every check").first.wait_for(timeout=30_000)
    instructor.shot("form-passes")

    # The graph opens a point in the form.
    p.get_by_role("tab", name="Graph").click()
    instructor.settle()
    p.locator("[data-testid=stGraphVizChart] svg").wait_for(timeout=30_000)
    p.locator("[data-testid=stButtonGroup] button", has_text=re.compile(r"^Point 2:\W+Maybe I could practice")).click()
    instructor.settle()
    assert field(instructor, "nodes", "point-2", "peer").is_visible()
    assert not field(instructor, "nodes", "point-3", "peer").is_visible()
    instructor.shot("form-opened-from-graph")

    # Play-test along the strongest path: an ending, 100%.
    p.get_by_role("tab", name="Play-test").click()
    instructor.settle()
    for node_id, _, _ in POINTS:
        strongest = next(r[0] for r in RESPONSES[node_id] if r[1] == "strongest")
        p.get_by_role("button", name=strongest).click()
        instructor.settle()
    main = p.inner_text("[data-testid=stMain]")
    assert "score 100%" in main and "A plan of their own" in main

    p.get_by_role("tab", name="Publish").click()
    instructor.settle()
    p.get_by_role("combobox", name="Publish to these cohorts").click()
    p.get_by_role("option", name="Tuesday evenings").click()
    p.keyboard.press("Escape")
    instructor.settle()
    p.get_by_role("button", name="Publish", exact=True).click()
    p.get_by_text("Trainees in the chosen cohorts see it in their library.").wait_for(timeout=30_000)
    instructor.settle()

    trainee = open_page("trainee", phone=True)
    t = trainee.page
    t.goto(server.url + "/")
    fill_form(trainee, email="tara.trainee@example.org", password=PASSWORD)
    t.goto(server.url + "/practice")  # on a phone the sidebar is folded away
    trainee.settle()
    t.get_by_role("heading", name="A first job interview").wait_for(timeout=30_000)
    t.get_by_role("button", name="Choose “A first job interview”").click()
    trainee.settle()
    t.get_by_role("button", name="Start the conversation").click()
    trainee.settle()
    for node_id, _, _ in POINTS:
        strongest = next(r[0] for r in RESPONSES[node_id] if r[1] == "strongest")
        t.get_by_role("button", name=strongest).click()
        trainee.settle()
        go_on = t.get_by_role("button", name="Continue the conversation").or_(t.get_by_role("button", name="See how it ended"))
        go_on.click()
        trainee.settle()
    t.get_by_text("A plan of their own").first.wait_for(timeout=30_000)
    trainee.shot("played")
    store = Store.open(servers.database_url)
    [attempt] = store.attempts_of(tara, tara.id)
    assert (attempt.status, attempt.score) == ("finished", 100)
    store.close()

    for page in (instructor, trainee):
        assert page.console_errors() == []
    assert [*instructor.accessibility, *trainee.accessibility] == []
