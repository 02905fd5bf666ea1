"""The studio journey in a real browser: an instructor uploads a scenario with mistakes, sees each problem at
its line, fixes it in the page, sees the graph, play-tests, publishes; a trainee of the cohort sees it. The
scenario's title is hostile markup, which must show as text everywhere and never run."""

from __future__ import annotations

from records import Store
from tests.browser.helpers import fill_form, nav
from tests.helpers import FIXTURES, PASSWORD, make_user

HOSTILE = '<img src=x onerror="window.__xss=1"> <script>window.__xss=1</script>'
BROKEN = (
    (FIXTURES / "studio" / "broken.yaml")
    .read_text(encoding="utf-8")
    .replace("title: After the night shift", f"title: '{HOSTILE} After the night shift'")
)
FIXED = BROKEN.replace("po.reflective-listning", "po.reflective-listening").replace("next: ended", "next: good")


def test_an_instructor_uploads_fixes_play_tests_and_publishes_a_scenario(servers, open_page, tmp_path):
    store = Store.open(servers.database_url)
    make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    store.cohorts.join(make_user(store, "Tara Trainee"), cohort.join_code)
    store.close()
    server = servers.start()

    instructor = open_page("instructor")
    p = instructor.page
    p.goto(server.url + "/")
    fill_form(instructor, email="ines.instructor@example.org", password=PASSWORD)
    nav(instructor, "Scenario studio")
    instructor.shot("studio-empty")

    upload = tmp_path / "night-shift.yaml"
    upload.write_text(BROKEN, encoding="utf-8")
    p.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(upload))
    p.get_by_text("2 problems to fix before trainees can play this.").wait_for(timeout=30_000)
    instructor.settle()
    p.locator("[data-testid=stCode]").first.wait_for(timeout=30_000)
    main = p.inner_text("[data-testid=stMain]")
    assert "Error at line 19, column 20: unknown criterion 'po.reflective-listning'; did you mean" in main
    assert "Error at line 27, column 15: next 'ended' is not a node or an ending" in main
    assert "19 |         criteria: [po.reflective-listning]" in main  # the source line beside its problem
    instructor.shot("studio-problems")

    # The YAML view opens in the code editor: each problem is marked in the gutter beside its line.
    code = p.frame_locator("iframe[title='code_editor.code_editor']")
    code.locator(".ace_gutter-cell.ace_error").first.wait_for(timeout=30_000)
    # Ace draws only the lines in view (line 27 is further down): the first mark is on line 19
    assert code.locator(".ace_gutter-cell.ace_error").all_inner_texts()[0] == "19"
    assert "\nid: night-shift\n" in code.locator(".ace_content").inner_text().replace("\xa0", " ")  # the upload
    p.locator("iframe[title='code_editor.code_editor']").scroll_into_view_if_needed()
    instructor.shot("studio-code-editor")
    p.get_by_text("Plain text box", exact=True).click()  # the plain box, which a test can fill at once
    instructor.settle()
    editor = p.get_by_role("textbox", name="Scenario YAML")
    assert editor.input_value() == BROKEN  # the upload was kept exactly, problems and all
    editor.fill(FIXED)
    editor.press("Control+Enter")
    p.get_by_text("Passes every check, with no teaching warnings.").wait_for(timeout=30_000)
    instructor.settle()
    p.get_by_role("button", name="Save draft").click()
    p.get_by_text("Draft saved.").wait_for(timeout=30_000)
    instructor.settle()

    p.get_by_role("tab", name="Graph").click()
    instructor.settle()  # switching tabs reruns the page (the studio remembers the open tab)
    p.locator("[data-testid=stGraphVizChart] svg").wait_for(timeout=30_000)
    graph_text = p.inner_text("[data-testid=stGraphVizChart]")
    assert "✓ strongest\nreflect" in graph_text and "✗ pitfall\nfix" in graph_text
    instructor.shot("studio-graph")

    p.get_by_role("tab", name="Play-test").click()
    instructor.settle()  # switching tabs reruns the page (the studio remembers the open tab)
    p.get_by_role("button", name="Four hours, night after night. That sounds exhausting.").click()
    instructor.settle()
    p.get_by_role("button", name="What would help you feel more human, do you think?").click()
    instructor.settle()
    assert "score 100%" in p.inner_text("[data-testid=stMain]")
    instructor.shot("studio-playtest")

    p.get_by_role("tab", name="Publish").click()
    instructor.settle()  # switching tabs reruns the page (the studio remembers the open tab)
    p.get_by_role("combobox", name="Publish to these cohorts").click()
    p.get_by_role("option", name="Tuesday evenings").click()
    p.keyboard.press("Escape")
    instructor.settle()
    p.get_by_role("button", name="Publish", exact=True).click()
    p.get_by_text("Trainees in the chosen cohorts see it in their library.").wait_for(timeout=30_000)
    instructor.settle()
    instructor.shot("studio-published")

    trainee = open_page("trainee")
    t = trainee.page
    t.goto(server.url + "/")
    fill_form(trainee, email="tara.trainee@example.org", password=PASSWORD)
    nav(trainee, "Practice")
    card = t.get_by_role("heading", name=f"{HOSTILE} After the night shift")
    card.wait_for(timeout=30_000)
    main = t.inner_text("[data-testid=stMain]")
    assert "From your instructor · Whole-person wellness · Introductory · about 3 min · 2 decisions" in main
    trainee.shot("practice-with-studio-scenario")

    for page in (instructor, trainee):
        assert page.page.evaluate("typeof window.__xss") == "undefined"  # shown as text, never run
        assert page.console_errors() == []
    assert [*instructor.accessibility, *trainee.accessibility] == []
