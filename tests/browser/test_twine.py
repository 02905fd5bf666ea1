"""Twine import and export in a real browser: an instructor uploads a Twine story, reads the import report beside
the new draft, and downloads the draft as Twee 3; on a laptop and on a phone."""

from __future__ import annotations

import pytest

from records import Store
from scenarios.loader import LIBRARY_DIR, load_rubric, load_scenario_file
from scenarios.studio import inspect
from scenarios.twine import export_twee, import_story
from tests.browser.helpers import fill_form, nav
from tests.helpers import PASSWORD, make_user
from tests.test_twine import SMALL


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_an_instructor_imports_a_twine_story_and_exports_it_again(servers, open_page, tmp_path, phone):
    store = Store.open(servers.database_url)
    make_user(store, "Ines Instructor", "instructor")
    store.close()
    server = servers.start()

    instructor = open_page("instructor", phone=phone)
    p = instructor.page
    p.goto(server.url + "/")
    fill_form(instructor, email="ines.instructor@example.org", password=PASSWORD)
    if phone:  # the menu is folded away on a phone: open the page by its address
        p.goto(server.url + "/studio")
        instructor.settle()
    else:
        nav(instructor, "Scenario studio")

    story = tmp_path / "long-wait.twee"
    story.write_text(SMALL, encoding="utf-8")
    p.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(story))
    p.get_by_text("Imported the Twine story “The Long Wait” as a new draft.").wait_for(timeout=30_000)
    instructor.settle()
    main = p.inner_text("[data-testid=stMain]")
    assert "Twine import report" in main
    assert "Decision point “Waiting room”: the peer's readiness." in main
    assert "The passage “heard” has the same short name as another passage, so it is now “heard-2”." in main
    assert "17 problems to fix before trainees can play this." in main
    p.get_by_text("Still needed before it can be published:").scroll_into_view_if_needed()
    instructor.shot("twine-import")

    assert p.get_by_role("button", name="Export to Twine (Twee 3)").is_disabled()  # not in the format yet
    if phone:
        return

    # A scenario exported from PeerSim comes back whole, passes its checks, and exports again.
    dana = load_scenario_file(LIBRARY_DIR / "dana-apartment.yaml", load_rubric()).scenario
    exported_first = tmp_path / "dana.twee"
    exported_first.write_text(export_twee(dana), encoding="utf-8")
    p.goto(server.url + "/studio")  # a fresh page: an empty upload box
    instructor.settle()
    p.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(exported_first))
    p.get_by_text(f"Imported the Twine story “{dana.title}” as a new draft.").wait_for(timeout=30_000)
    instructor.settle()
    assert "Every decision point, response and ending has what PeerSim needs." in p.inner_text("[data-testid=stMain]")
    p.get_by_text("Passes every check").first.wait_for(timeout=30_000)
    with p.expect_download() as download:
        p.get_by_role("button", name="Export to Twine (Twee 3)").click()
    assert download.value.suggested_filename == "dana-apartment.twee"
    download.value.save_as(str(tmp_path / "again.twee"))
    again = import_story((tmp_path / "again.twee").read_text(encoding="utf-8"))
    assert inspect(again.yaml, load_rubric()).scenario == dana
    instructor.settle()
    p.get_by_role("button", name="Export to Twine (Twee 3)").scroll_into_view_if_needed()
    instructor.shot("twine-export")
    assert instructor.console_errors() == []
