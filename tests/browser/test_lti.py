"""LTI 1.3 end to end in a real browser (issue 17): the simulated learning platform of tests/lti_platform.py shows a
course page on one site (127.0.0.1) with PeerSim in an iframe on another (localhost), as a learning platform on
its own domain embeds a tool. The trainee's launch goes through PeerSim's cookie check, the platform's
authorization and the signed launch, inside the iframe; the trainee plays the activity's scenario there, and the
platform's gradebook receives the score from PeerSim's sender.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from records import Store
from records.lti import PlatformForm
from tests.browser.helpers import ANSWERED, NEXT_FRAMES, SETTLED, Page, Servers
from tests.helpers import free_port, make_user
from tests.lti_platform import INSTRUCTOR, LEARNER, Platform

PLAY = {"reflect": "You keep coming back to it", "pen": "What would a first small step look like"}


@dataclass
class Course:
    platform: Platform
    tool: str
    store: Store


@pytest.fixture
def course(servers: Servers, isolated_data: str) -> Iterator[Course]:
    """PeerSim on localhost (a site of its own), the platform on 127.0.0.1, registered by an admin, with a course
    and an activity that opens the mini scenario with a gradebook column."""
    port = free_port()
    tool = f"http://localhost:{port}"
    platform = Platform(tool)
    platform.person("lee", "Lee Park", LEARNER, "lee@example.edu")
    platform.person("rae", "Rae Chen", INSTRUCTOR, "rae@example.edu")
    platform.course("ps101", "Peer Support 101", ["lee", "rae"])
    platform.link("link-mini", "Check-in practice", "ps101", target="scenario:mini")
    platform.start()
    servers.start(port=port, PEERSIM_FRAME_ANCESTORS=platform.url, PEERSIM_LTI_GRADE_SECONDS="1")
    store = Store.open(isolated_data)
    admin = make_user(store, "Ada", "admin")
    store.lti.register(admin, PlatformForm(**platform.registration()))
    yield Course(platform, tool, store)
    store.close()
    platform.stop()


def tool_frame(page: Page, tool: str, path: str) -> object:
    """The iframe's frame once it shows PeerSim's ``path``, settled as Page.settle settles a page."""
    p = page.page
    deadline = time.monotonic() + 60
    while True:
        frame = next((f for f in p.frames if f.url.startswith(tool + path)), None)  # type: ignore[attr-defined]
        if frame is not None:
            break
        assert time.monotonic() < deadline, [f.url for f in p.frames]  # type: ignore[attr-defined]
        p.wait_for_timeout(200)  # type: ignore[attr-defined]
    settle(frame)
    return frame


def settle(frame: object) -> None:
    frame.wait_for_load_state()  # type: ignore[attr-defined]
    frame.evaluate(NEXT_FRAMES)  # type: ignore[attr-defined]
    frame.wait_for_function(ANSWERED, timeout=30_000)  # type: ignore[attr-defined]
    frame.evaluate(NEXT_FRAMES)  # type: ignore[attr-defined]
    frame.wait_for_function(SETTLED, timeout=30_000)  # type: ignore[attr-defined]


def test_a_trainee_launches_inside_the_course_page_plays_and_the_gradebook_gets_the_score(course: Course, open_page):
    page = open_page("trainee")
    page.page.goto(f"{course.platform.url}/course/link-mini?as=lee")  # type: ignore[attr-defined]
    frame = tool_frame(page, course.tool, "/practice")
    assert page.page.url == f"{course.platform.url}/course/link-mini?as=lee"  # type: ignore[attr-defined]  # still the LMS
    expect(frame.get_by_role("button", name="Start the conversation")).to_be_visible()  # type: ignore[attr-defined]
    assert "A short check-in" in frame.inner_text("main")  # type: ignore[attr-defined]  # the activity's scenario
    page.shot("launched-in-the-course-page")

    frame.get_by_text("Coached").click()  # type: ignore[attr-defined]
    settle(frame)
    frame.get_by_role("button", name="Start the conversation").click()  # type: ignore[attr-defined]
    settle(frame)
    for choice in ("reflect", "pen"):
        frame.get_by_role("button", name=PLAY[choice]).click()  # type: ignore[attr-defined]
        settle(frame)
        frame.get_by_role("button", name="Continue the conversation").or_(  # type: ignore[attr-defined]
            frame.get_by_role("button", name="See how it ended")  # type: ignore[attr-defined]
        ).click()
        settle(frame)
    expect(frame.get_by_test_id("stMetricValue").first).to_have_text("100%")  # type: ignore[attr-defined]
    page.shot("finished-in-the-course-page")

    deadline = time.monotonic() + 60
    while not course.platform.scores and time.monotonic() < deadline:
        time.sleep(0.5)
    [score] = course.platform.scores
    lee = next(a.user for a in course.store.accounts.list(make_user(course.store, "Bo", "admin")) if a.user.name == "Lee Park")
    [attempt] = course.store.attempts_of(lee, lee.id)
    assert score == {
        "lineitem": course.platform.lineitem_url(1),
        "scoreGiven": 100,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": attempt.finished_at.isoformat(timespec="milliseconds"),
        "userId": "sub-lee",
    }
    assert page.console_errors() == [], (page.failed, page.errors)
    assert page.accessibility == []


def test_an_instructor_adds_a_scenario_to_the_course_from_inside_the_course_page(course: Course, open_page):
    page = open_page("instructor")
    page.page.goto(f"{course.platform.url}/add-activity/ps101?as=rae")  # type: ignore[attr-defined]
    frame = next_frame(page, course.tool, "/lti/deep-link")
    expect(frame.get_by_role("radio", name="A short check-in")).to_be_checked()  # type: ignore[attr-defined]
    expect(frame.get_by_role("radio", name="PeerSim mock exam")).to_be_visible()  # type: ignore[attr-defined]
    page.shot("picker-in-the-course-page")
    frame.get_by_role("button", name="Add it to the course").click()  # type: ignore[attr-defined]
    added = next_frame(page, course.platform.url, "/deep-link-return")
    expect(added.get_by_role("heading")).to_have_text("Added to the course: A short check-in")  # type: ignore[attr-defined]
    [response] = course.platform.deep_links
    [item] = response["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert (item["title"], item["custom"]) == ("A short check-in", {"peersim_target": "scenario:mini"})
    assert page.console_errors() == [], (page.failed, page.errors)
    assert page.accessibility == []


def next_frame(page: Page, origin: str, path: str) -> object:
    """The iframe's frame once it shows ``path`` at ``origin`` (a plain page: loaded, nothing more to wait for)."""
    p = page.page
    deadline = time.monotonic() + 60
    while True:
        frame = next((f for f in p.frames if f.url.startswith(origin + path)), None)  # type: ignore[attr-defined]
        if frame is not None:
            frame.wait_for_load_state()
            return frame
        assert time.monotonic() < deadline, [f.url for f in p.frames]  # type: ignore[attr-defined]
        p.wait_for_timeout(200)  # type: ignore[attr-defined]
