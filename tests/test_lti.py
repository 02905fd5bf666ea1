"""LTI 1.3 (issue 17): PeerSim as a tool of a learning platform, against the simulated platform of
tests/lti_platform.py over real HTTP. Launches sign people in (an account made once, a cohort made from the
course, roles mapped); bad launches are refused with clear messages and change nothing; scores reach the gradebook
once per completion, again after a failure; the course roster fills the cohort; deep linking answers with a signed
content item. The records rules (registration, access, the outbox) are tested on the store directly.

The browser test (tests/browser/test_lti.py) launches PeerSim in a real Chromium inside the platform's iframe."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import streamlit as st
from alembic import command
from sqlalchemy import create_engine, inspect, select
from starlette.applications import Starlette

from records import AccessDenied, Store, User
from records.db import alembic_on, create
from records.lti import (
    LEARNERS_CANNOT_LINK,
    SWITCHED_OFF,
    LtiError,
    PlatformForm,
    course_role,
)
from records.tables import cohort_members, cohorts, lti_grade_outbox, lti_users, users
from scenarios import LoadedScenario, Rubric
from tests.helpers import free_port, make_user, play
from tests.lti_platform import INSTRUCTOR, LEARNER, Platform, serve, stop
from ui import lti_grades, lti_open, lti_routes, signin
from ui.lti_tool import (
    BAD_SIGNATURE,
    COOKIES_BLOCKED,
    EXPIRED,
    MALFORMED,
    NO_STATE,
    REPLAYED,
    UNKNOWN_DEPLOYMENT,
    UNKNOWN_PLATFORM,
    WRONG_AUDIENCE,
)
from ui.render import esc

TRAINEE_PATH = "/practice?scenario=mini"
GOOD = [("open", "reflect"), ("ready", "pen")]  # mini's strongest path: 100
MIXED = [("open", "mixed"), ("ready", "pen")]


# ------------------------------------------------------------------------------------------ a browser
@dataclass
class Browser:
    """An HTTP client that keeps PeerSim's cookies as a browser on this computer would, Secure ones included (Python's
    cookie jar drops Secure cookies over http, which browsers keep for localhost and 127.0.0.1)."""

    tool: str
    framed: bool = True  # inside the course page's iframe (Sec-Fetch-Dest: iframe), or else a new window
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=30)

    def _send(self, method: str, url: str, data: dict[str, str] | None = None) -> httpx.Response:
        headers = {"accept": "text/html", "sec-fetch-dest": "iframe" if self.framed else "document"}
        if url.startswith(self.tool) and self.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, url, data=data, headers=headers)
        if url.startswith(self.tool):
            for header in response.headers.get_list("set-cookie"):
                self.set_cookies.append(header)
                pair, *attributes = [part.strip() for part in header.split(";")]
                name, _, value = pair.partition("=")
                gone = "max-age=0" in (a.lower() for a in attributes) or value in ("", '""')
                if gone:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return response

    def get(self, path_or_url: str) -> httpx.Response:
        return self._send("GET", self._url(path_or_url))

    def post(self, path_or_url: str, data: dict[str, str]) -> httpx.Response:
        return self._send("POST", self._url(path_or_url), data)

    def _url(self, path_or_url: str) -> str:
        return path_or_url if path_or_url.startswith("http") else self.tool + path_or_url

    def cookie_header(self, name: str) -> str:
        return next(h for h in reversed(self.set_cookies) if h.startswith(f"{name}="))


def form_fields(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the first form on a page."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]*)"', page).group(1))  # type: ignore[union-attr]
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)
    }
    return action, fields


def authorize(browser: Browser, platform: Platform, person: str, message: str) -> tuple[str, dict[str, str]]:
    """The login initiation, PeerSim's cookie check page, its redirect, and the platform's auto-posting form."""
    params = platform.login_initiation(person, message)
    check = browser.post("/lti/login", params)
    assert check.status_code == 200 and COOKIES_BLOCKED in check.text  # a browser runs the check, then comes back
    redirect = browser.get("/lti/login?" + urlencode({**params, "lti1p3_new_window": "1"}))
    assert redirect.status_code == 302, redirect.text
    assert redirect.headers["location"].startswith(f"{platform.url}/auth?")
    answer = browser.get(redirect.headers["location"])
    assert answer.status_code == 200, answer.text
    return form_fields(answer.text)


def launch(browser: Browser, platform: Platform, person: str, message: str) -> httpx.Response:
    action, fields = authorize(browser, platform, person, message)
    return browser.post(action, fields)


def refusal(response: httpx.Response) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', response.text, re.S)
    assert found is not None, response.text
    return html.unescape(found.group(1))


# ------------------------------------------------------------------------------------------ fixtures
@dataclass
class Lms:
    platform: Platform
    tool: str
    store: Store
    admin: User
    platform_id: int

    def browser(self, *, framed: bool = True) -> Browser:
        return Browser(self.tool, framed)


@pytest.fixture
def lms(store: Store, fixture_library: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lms]:
    """PeerSim's sign-in and LTI routes on a real HTTP server, a simulated platform registered by an admin, with a
    course ("Peer Support 101"), an activity that opens the mini scenario with a gradebook column, and people."""
    monkeypatch.setattr(lti_grades, "_started", True)  # no sender thread: the tests send what is due themselves
    st.cache_resource.clear()
    port = free_port()
    tool = f"http://127.0.0.1:{port}"
    server, thread = serve(Starlette(routes=[*signin.ROUTES, *lti_routes.ROUTES]), port)
    platform = Platform(tool).start()
    admin = make_user(store, "Ada", "admin")
    registered = store.lti.register(admin, PlatformForm(**platform.registration()))
    platform.person("lee", "Lee Park", LEARNER, "lee@example.edu")
    platform.person("kim", "Kim Ortiz", LEARNER, "kim@example.edu")
    platform.person("rae", "Rae Chen", INSTRUCTOR, "rae@example.edu")
    platform.course("ps101", "Peer Support 101", ["lee", "kim", "rae"])
    platform.link("link-mini", "Check-in practice", "ps101", target="scenario:mini")
    yield Lms(platform, tool, store, admin, registered.id)
    platform.stop()
    stop(server, thread)
    st.cache_resource.clear()


def account_of(store: Store, platform_id: int, sub: str) -> Any:
    with store.engine.connect() as connection:
        return connection.execute(
            select(users)
            .join(lti_users, lti_users.c.user_id == users.c.id)
            .where(lti_users.c.platform_id == platform_id, lti_users.c.sub == sub)
        ).first()


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as connection:
        return len(connection.execute(select(table)).all())


def members(store: Store, cohort_id: int) -> list[str]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(users.c.name)
            .join(cohort_members, cohort_members.c.user_id == users.c.id)
            .where(cohort_members.c.cohort_id == cohort_id)
            .order_by(users.c.name)
        ).all()
    return [r.name for r in rows]


def cohort_row(store: Store, name: str) -> Any:
    with store.engine.connect() as connection:
        return connection.execute(select(cohorts).where(cohorts.c.name == name)).one()


# -------------------------------------------------------------------------------------- launching
def test_a_learner_launch_makes_an_account_once_joins_the_course_cohort_and_opens_the_scenario(lms: Lms):
    browser = lms.browser()
    answer = launch(browser, lms.platform, "lee", "link-mini")
    assert answer.status_code == 303
    assert answer.headers["location"] == TRAINEE_PATH
    session = browser.cookie_header(signin.SESSION_COOKIE)
    assert session.split("; ")[1:] == ["Max-Age=86400", "Path=/", "HttpOnly", "Secure", "SameSite=None", "Partitioned"]
    state = next(h for h in browser.set_cookies if h.startswith("lti1p3-state-"))
    assert state.split("; ")[1:] == ["Max-Age=300", "Path=/lti", "HttpOnly", "Secure", "SameSite=None", "Partitioned"]
    lee = account_of(lms.store, lms.platform_id, "sub-lee")
    assert (lee.name, lee.email, lee.role, lee.password_hash) == ("Lee Park", "lee@example.edu", "trainee", None)
    assert lms.store.accounts.user_for_session(browser.cookies[signin.SESSION_COOKIE]).id == lee.id
    cohort = cohort_row(lms.store, "Peer Support 101")
    assert cohort.owner_id == lms.admin.id  # until an instructor launches
    assert members(lms.store, cohort.id) == ["Lee Park"]
    # the state cookie of the launch is cleared, and the launch's state is not kept in any cookie
    assert not any(name.startswith("lti1p3-state") for name in browser.cookies)

    people = count(lms.store, users)
    again = launch(lms.browser(), lms.platform, "lee", "link-mini")  # another day, another browser
    assert again.headers["location"] == TRAINEE_PATH
    assert count(lms.store, users) == people
    assert account_of(lms.store, lms.platform_id, "sub-lee").id == lee.id
    assert members(lms.store, cohort.id) == ["Lee Park"]


def test_in_a_new_window_the_launch_session_cookie_is_cross_site_but_not_partitioned(lms: Lms):
    browser = lms.browser(framed=False)
    params = lms.platform.login_initiation("lee", "link-mini")
    redirect = browser.get("/lti/login?" + urlencode({**params, "lti1p3_new_window": "1"}))  # as the check page opens it
    state = next(h for h in browser.set_cookies if h.startswith("lti1p3-state-"))
    assert state.split("; ")[1:] == ["Max-Age=300", "Path=/lti", "HttpOnly", "Secure", "SameSite=None"]
    action, fields = form_fields(browser.get(redirect.headers["location"]).text)
    assert browser.post(action, fields).headers["location"] == TRAINEE_PATH
    session = browser.cookie_header(signin.SESSION_COOKIE)
    assert session.split("; ")[1:] == ["Max-Age=86400", "Path=/", "HttpOnly", "Secure", "SameSite=None"]


def test_an_ordinary_sign_in_cookie_is_unchanged(lms: Lms):
    make_user(lms.store, "Tia")
    browser = lms.browser()
    form = browser.get("/auth/signin")
    action, fields = form_fields(form.text)
    signed_in = browser.post(action, {**fields, "email": "tia@example.org", "password": "quiet river lantern 42"})
    assert signed_in.status_code == 303
    session = browser.cookie_header(signin.SESSION_COOKIE)
    assert "SameSite=lax" in session and "Secure" not in session  # plain http here: only launch sessions are cross-site


def test_an_instructor_launch_maps_the_role_takes_over_the_cohort_and_fills_it_from_the_roster(lms: Lms):
    launch(lms.browser(), lms.platform, "lee", "link-mini")  # the cohort exists, owned by the admin for now
    browser = lms.browser()
    answer = launch(browser, lms.platform, "rae", "link-mini")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/lti/course?key=")
    rae = account_of(lms.store, lms.platform_id, "sub-rae")
    assert (rae.role, rae.password_hash) == ("instructor", None)
    cohort = cohort_row(lms.store, "Peer Support 101")
    assert cohort.owner_id == rae.id
    assert members(lms.store, cohort.id) == ["Kim Ortiz", "Lee Park"]  # Kim came from the roster; Rae is no member
    page = browser.get(answer.headers["location"])
    text = html.unescape(page.text)
    assert "You are signed in to PeerSim as Rae Chen, an instructor." in text
    assert "This course is the PeerSim cohort Peer Support 101" in re.sub(r"</?strong>", "", text)
    assert "From the course roster: 1 trainee added to the cohort, 1 already in it." in text
    assert "When a trainee finishes it, their score goes to the course's gradebook." in text
    assert 'href="/practice?scenario=mini"' in page.text and 'href="/dashboard"' in page.text


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (LEARNER, "trainee"),
        (INSTRUCTOR, "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], "instructor"),
        (["Instructor"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"], "trainee"),  # not this course's role
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], "trainee"),
        ([], "trainee"),
    ],
)
def test_lms_roles_map_to_trainee_or_instructor(roles, expected):
    assert course_role(roles) == expected


def test_an_admin_keeps_their_role_and_a_learner_launch_never_lowers_one(lms: Lms):
    launch(lms.browser(), lms.platform, "rae", "link-mini")
    lms.platform.people["rae"].roles = LEARNER  # Rae takes another course as a learner
    lms.platform.course("ps202", "Peer Support 202", ["rae"])
    lms.platform.link("link-202", "Week 1", "ps202", target="scenario:mini")
    answer = launch(lms.browser(), lms.platform, "rae", "link-202")
    assert answer.headers["location"] == TRAINEE_PATH
    assert account_of(lms.store, lms.platform_id, "sub-rae").role == "instructor"
    assert members(lms.store, cohort_row(lms.store, "Peer Support 202").id) == ["Rae Chen"]


def test_an_email_another_account_has_is_not_linked_and_the_launch_gets_its_own_account(lms: Lms):
    tia = make_user(lms.store, "Tia")  # tia@example.org, with a password
    lms.platform.person("tia", "Tia from the LMS", LEARNER, "tia@example.org")
    answer = launch(lms.browser(), lms.platform, "tia", "link-mini")
    assert answer.status_code == 303
    made = account_of(lms.store, lms.platform_id, "sub-tia")
    assert made.id != tia.id and made.email is None and made.name == "Tia from the LMS"


# -------------------------------------------------------------------------------------- refusals
def refused_nothing_changed(lms: Lms, browser: Browser, response: httpx.Response, message: str, status: int) -> None:
    assert (response.status_code, refusal(response)) == (status, message)
    assert signin.SESSION_COOKIE not in browser.cookies
    assert account_of(lms.store, lms.platform_id, "sub-lee") is None
    assert count(lms.store, cohorts) == 0


def test_a_launch_signed_with_another_key_is_refused(lms: Lms):
    browser = lms.browser()
    lms.platform.next_launch = {"other_key": True}
    answer = launch(browser, lms.platform, "lee", "link-mini")
    refused_nothing_changed(lms, browser, answer, BAD_SIGNATURE.format(name="Riverside Moodle"), 403)


def test_a_launch_for_another_audience_is_refused(lms: Lms):
    browser = lms.browser()
    lms.platform.next_launch = {"aud": "another-tool", "azp": "another-tool"}
    answer = launch(browser, lms.platform, "lee", "link-mini")
    message = WRONG_AUDIENCE.format(client_id="another-tool", issuer=lms.platform.url)
    refused_nothing_changed(lms, browser, answer, message, 403)


def test_a_launch_naming_several_audiences_must_name_peersim_as_the_authorized_party(lms: Lms):
    browser = lms.browser()
    lms.platform.next_launch = {"aud": ["peersim-client", "another-tool"], "azp": "another-tool"}
    answer = launch(browser, lms.platform, "lee", "link-mini")
    message = WRONG_AUDIENCE.format(client_id="another-tool", issuer=lms.platform.url)
    refused_nothing_changed(lms, browser, answer, message, 403)


def test_a_launch_from_an_unknown_deployment_is_refused_naming_it(lms: Lms):
    browser = lms.browser()
    lms.platform.next_launch = {"deployment_id": "deployment-9"}
    answer = launch(browser, lms.platform, "lee", "link-mini")
    message = UNKNOWN_DEPLOYMENT.format(deployment="deployment-9", name="Riverside Moodle")
    assert message == (
        "This launch came from the deployment deployment-9 of Riverside Moodle, which is not registered in PeerSim. "
        "An admin can add this deployment ID under Admin → LMS platforms (LTI 1.3)."
    )
    refused_nothing_changed(lms, browser, answer, message, 403)


def test_a_launch_sent_again_is_refused_even_with_its_state_cookie(lms: Lms):
    browser = lms.browser()
    action, fields = authorize(browser, lms.platform, "lee", "link-mini")
    state_cookie = f"lti1p3-{fields['state']}"
    kept = browser.cookies[state_cookie]
    assert browser.post(action, fields).status_code == 303
    people = count(lms.store, users)
    browser.cookies[state_cookie] = kept  # as an attacker who copied the cookie would send it
    replayed = browser.post(action, fields)
    assert (replayed.status_code, refusal(replayed)) == (400, REPLAYED)
    assert REPLAYED == (
        "This launch has been used already, and each launch works only once. Please go back to your course and open "
        "the activity again."
    )
    assert count(lms.store, users) == people


def test_a_launch_without_its_state_cookie_is_refused(lms: Lms):
    browser = lms.browser()
    action, fields = authorize(browser, lms.platform, "lee", "link-mini")
    browser.cookies.clear()  # a browser that blocked the cookie inside the course page
    answer = browser.post(action, fields)
    refused_nothing_changed(lms, browser, answer, NO_STATE, 400)


@pytest.mark.parametrize("posted", [{}, {"state": "state-x"}, {"id_token": "not.a.token", "state": "state-x"}])
def test_a_post_that_is_not_a_launch_is_refused(lms: Lms, posted):
    browser = lms.browser()
    if "id_token" in posted:
        browser.cookies["lti1p3-state-x"] = "state-x"  # past the state check, to the token itself
    answer = browser.post("/lti/launch", posted)
    refused_nothing_changed(lms, browser, answer, MALFORMED, 400)


def test_a_kind_of_launch_peersim_does_not_handle_is_refused(lms: Lms):
    browser = lms.browser()
    lms.platform.next_launch = {"privacy": True}
    answer = launch(browser, lms.platform, "lee", "link-mini")
    message = lti_routes.UNSUPPORTED.format(kind="DataPrivacyLaunchRequest")
    refused_nothing_changed(lms, browser, answer, message, 400)


def test_an_expired_launch_is_refused(lms: Lms):
    browser = lms.browser()
    lms.platform.next_launch = {"expired": True}
    answer = launch(browser, lms.platform, "lee", "link-mini")
    refused_nothing_changed(lms, browser, answer, EXPIRED, 400)


def test_a_login_from_an_unknown_platform_is_refused_before_anything_is_sent(lms: Lms):
    browser = lms.browser()
    params = {
        **lms.platform.login_initiation("lee", "link-mini"),
        "iss": "https://lms.elsewhere.example",
        "lti1p3_new_window": "1",
    }
    answer = browser.get("/lti/login?" + urlencode(params))
    assert (answer.status_code, refusal(answer)) == (403, UNKNOWN_PLATFORM.format(issuer="https://lms.elsewhere.example"))
    assert lms.platform.authorizations == []


def test_a_launch_with_a_missing_claim_is_refused_saying_what_is_missing(lms: Lms):
    browser = lms.browser()
    lms.platform.next_launch = {"drop": ["https://purl.imsglobal.org/spec/lti/claim/resource_link"]}
    answer = launch(browser, lms.platform, "lee", "link-mini")
    message = (
        "This launch from Riverside Moodle is missing something PeerSim needs (Missing Resource Link Id). Please tell "
        "your admin, who can check the tool's settings in the learning platform."
    )
    refused_nothing_changed(lms, browser, answer, message, 400)


def test_a_switched_off_account_is_refused(lms: Lms):
    launch(lms.browser(), lms.platform, "lee", "link-mini")
    lee = account_of(lms.store, lms.platform_id, "sub-lee")
    lms.store.accounts.deactivate(lms.admin, lee.id)
    browser = lms.browser()
    answer = launch(browser, lms.platform, "lee", "link-mini")
    assert (answer.status_code, refusal(answer)) == (403, SWITCHED_OFF)
    assert signin.SESSION_COOKIE not in browser.cookies


# -------------------------------------------------------------------------------------- passback
def test_a_finished_attempt_sends_its_score_to_the_gradebook_once(lms: Lms, mini: LoadedScenario, rubric: Rubric, at_time):
    launch(lms.browser(), lms.platform, "lee", "link-mini")
    lee = lms.store.accounts.user_for_session(
        lms.store.accounts.start_session(User(account_of(lms.store, lms.platform_id, "sub-lee").id, "Lee Park"))
    )
    assert lee is not None
    at_time(timedelta(minutes=5))
    attempt = play(lms.store, lee, mini, rubric, GOOD)
    finished = lms.store.attempt(lee, attempt)
    assert lti_grades.send_due(lms.store) == lti_grades.Sent(1, 0)
    assert lms.platform.scores == [
        {
            "lineitem": lms.platform.lineitem_url(1),
            "scoreGiven": 100,
            "scoreMaximum": 100,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": finished.finished_at.isoformat(timespec="milliseconds"),
            "userId": "sub-lee",
        }
    ]
    granted = [r for r in lms.platform.token_requests if "granted" in r]
    assert len(granted) == 1 and "https://purl.imsglobal.org/spec/lti-ags/scope/score" in granted[0]["granted"].split()
    assert lti_grades.send_due(lms.store) == lti_grades.Sent(0, 0)  # once per completion
    assert len(lms.platform.scores) == 1


def test_a_score_that_fails_is_sent_again_later(lms: Lms, mini: LoadedScenario, rubric: Rubric, at_time):
    launch(lms.browser(), lms.platform, "lee", "link-mini")
    lee = User(account_of(lms.store, lms.platform_id, "sub-lee").id, "Lee Park")
    play(lms.store, lee, mini, rubric, MIXED)
    lms.platform.fail_scores = 1
    assert lti_grades.send_due(lms.store) == lti_grades.Sent(0, 1)
    report = lms.store.lti.grade_report(lms.admin)
    assert (report.waiting, report.sent, report.gave_up) == (1, 0, 0)
    [problem] = report.recent_problems
    assert problem.last_error.startswith(f"The platform answered 503 at {lms.platform.lineitem_url(1)}/scores:")
    assert lti_grades.send_due(lms.store) == lti_grades.Sent(0, 0)  # not due yet: it waits 30 seconds
    at_time(timedelta(seconds=31))
    assert lti_grades.send_due(lms.store) == lti_grades.Sent(1, 0)
    [score] = lms.platform.scores
    assert (score["scoreGiven"], score["userId"]) == (lms.store.attempts_of(lee, lee.id)[0].score, "sub-lee")
    assert lms.store.lti.grade_report(lms.admin).recent_problems == []


def test_only_a_trainees_attempts_started_since_their_first_launch_count_and_branches_do_not(
    lms: Lms, mini: LoadedScenario, rubric: Rubric, at_time
):
    launch(lms.browser(), lms.platform, "rae", "link-mini")
    rae = User(account_of(lms.store, lms.platform_id, "sub-rae").id, "Rae Chen", "instructor")
    play(lms.store, rae, mini, rubric, GOOD)  # the instructor trying it out
    kim = User(account_of(lms.store, lms.platform_id, "sub-kim").id, "Kim Ortiz")  # made from the roster
    early = lms.store.start_attempt(
        kim, scenario_id=mini.id, content_hash=mini.content_hash, source=mini.text, start=mini.scenario.start, mode="coached"
    )
    at_time(timedelta(minutes=1))
    launch(lms.browser(), lms.platform, "kim", "link-mini")
    for step, (node, choice) in enumerate(GOOD, start=1):  # started before the launch, finished after it
        lms.store.record_choice(
            kim, early.id, step=step, node_id=node, choice_id=choice, time_taken_ms=900, loaded=mini, rubric=rubric
        )
    assert count(lms.store, lti_grade_outbox) == 0
    counted = play(lms.store, kim, mini, rubric, MIXED)
    branch = lms.store.practice.start_branch(kim, counted, "ready", loaded=mini)
    lms.store.record_choice(
        kim, branch.id, step=1, node_id="ready", choice_id="pen", time_taken_ms=900, loaded=mini, rubric=rubric
    )
    assert lms.store.attempt(kim, branch.id).status == "finished"
    with lms.store.engine.connect() as connection:
        queued = connection.execute(select(lti_grade_outbox.c.kind, lti_grade_outbox.c.ref, lti_grade_outbox.c.user_id)).all()
    assert [tuple(r) for r in queued] == [("attempt", counted, kim.id)]


def test_an_activity_without_a_gradebook_column_gets_one_made_for_its_score(lms: Lms, mini: LoadedScenario, rubric: Rubric):
    lms.platform.link("link-new", "Week 2 practice", "ps101", target="scenario:mini", column=False)
    launch(lms.browser(), lms.platform, "lee", "link-new")
    lee = User(account_of(lms.store, lms.platform_id, "sub-lee").id, "Lee Park")
    play(lms.store, lee, mini, rubric, GOOD)
    assert lti_grades.send_due(lms.store) == lti_grades.Sent(1, 0)
    assert lms.platform.lineitems[2] == {
        "id": lms.platform.lineitem_url(2),
        "scoreMaximum": 100,
        "label": "Week 2 practice",
        "resourceId": "scenario:mini",
        "resourceLinkId": "link-new",
    }
    [score] = lms.platform.scores
    assert (score["lineitem"], score["scoreGiven"], score["userId"]) == (lms.platform.lineitem_url(2), 100, "sub-lee")


def test_an_activity_with_no_gradebook_queues_nothing(lms: Lms, mini: LoadedScenario, rubric: Rubric):
    lms.platform.link("link-ungraded", "Warm-up", "ps101", target="scenario:mini", graded=False)
    launch(lms.browser(), lms.platform, "lee", "link-ungraded")
    lee = User(account_of(lms.store, lms.platform_id, "sub-lee").id, "Lee Park")
    play(lms.store, lee, mini, rubric, GOOD)
    assert count(lms.store, lti_grade_outbox) == 0


def test_the_tool_key_is_made_once_when_servers_ask_at_the_same_moment(store: Store):
    import threading

    kids: list[str] = []
    start = threading.Barrier(4)

    def ask() -> None:
        start.wait()
        kids.append(store.lti.tool_key().kid)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(kids)) == 1 and len(kids) == 4
    assert [key.kid for key in store.lti.tool_keys()] == kids[:1]


def test_a_mock_exam_activity_sends_the_exam_score(lms: Lms):
    lms.platform.link("link-exam", "Mock exam", "ps101", target="exam")
    answer = launch(lms.browser(), lms.platform, "lee", "link-exam")
    assert answer.headers["location"] == "/exam"
    lee = User(account_of(lms.store, lms.platform_id, "sub-lee").id, "Lee Park")
    from tests.test_transactions import question

    bank = {q.id: q for q in (question(n) for n in range(1, 5))}
    exam = lms.store.exams.start(lee, list(bank), minutes=90, pass_mark=70)
    for number, q in enumerate(bank.values()):
        lms.store.exams.answer(lee, exam.id, q.id, q.key if number < 3 else q.key % 4 + 1)
    lms.store.exams.close(lee, exam.id, bank=bank, ended_by="submitted")
    assert lti_grades.send_due(lms.store) == lti_grades.Sent(1, 0)
    [score] = lms.platform.scores
    assert (score["lineitem"], score["scoreGiven"], score["scoreMaximum"]) == (lms.platform.lineitem_url(2), 75, 100)


# ------------------------------------------------------------------------------------------- roster
def test_the_roster_fills_the_cohort_page_by_page_and_leaves_out_who_was_taken_out(lms: Lms):
    platform = lms.platform
    platform.person("ana", "Ana Ruiz", LEARNER)
    platform.person("bo", "Bo Lin", LEARNER, status="Inactive")
    platform.courses["ps101"].members += ["ana", "bo"]
    answer = launch(lms.browser(), platform, "rae", "link-mini")
    cohort = cohort_row(lms.store, "Peer Support 101")
    assert members(lms.store, cohort.id) == ["Ana Ruiz", "Kim Ortiz", "Lee Park"]  # three pages of two
    rae = User(account_of(lms.store, lms.platform_id, "sub-rae").id, "Rae Chen", "instructor")
    kim = account_of(lms.store, lms.platform_id, "sub-kim")
    lms.store.cohorts.remove_member(rae, cohort.id, kim.id)
    browser = Browser(lms.tool)
    answer = launch(browser, platform, "rae", "link-mini")
    key = parse_qs(urlsplit(answer.headers["location"]).query)["key"][0]
    page = browser.get(answer.headers["location"])
    assert (
        "From the course roster: 0 trainees added to the cohort, 2 already in it. 1 whom you took out of the cohort in "
        "PeerSim stayed out." in html.unescape(page.text)
    )
    assert members(lms.store, cohort.id) == ["Ana Ruiz", "Lee Park"]
    again = browser.post("/lti/roster", {"key": key})
    assert again.status_code == 303
    assert members(lms.store, cohort.id) == ["Ana Ruiz", "Lee Park"]
    assert account_of(lms.store, lms.platform_id, "sub-bo") is None  # inactive: left alone


def test_only_the_cohorts_instructor_fills_it_from_the_roster(lms: Lms):
    launch(lms.browser(), lms.platform, "rae", "link-mini")
    other = make_user(lms.store, "Otto", "instructor")
    with pytest.raises(AccessDenied):
        lms.store.lti.fill_cohort(other, lms.platform_id, "ps101", [])


# ------------------------------------------------------------------------------------- deep linking
def test_deep_linking_answers_with_a_signed_content_item_naming_the_picked_scenario(lms: Lms):
    browser = lms.browser()
    answer = launch(browser, lms.platform, "rae", "deep-link:ps101")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/lti/deep-link?key=")
    picker = browser.get(answer.headers["location"])
    assert picker.status_code == 200
    assert 'value="scenario:mini"' in picker.text and 'value="exam"' in picker.text
    assert ">A short check-in</label>" in picker.text
    key = parse_qs(urlsplit(answer.headers["location"]).query)["key"][0]
    chosen = browser.post("/lti/deep-link", {"key": key, "target": "scenario:mini"})
    action, fields = form_fields(chosen.text)
    assert action == f"{lms.platform.url}/deep-link-return"
    returned = httpx.post(action, data=fields, timeout=30)
    assert returned.status_code == 200 and "Added to the course: A short check-in" in returned.text
    [response] = lms.platform.deep_links
    assert response["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] == [
        {
            "type": "ltiResourceLink",
            "title": "A short check-in",
            "url": f"{lms.tool}/lti/launch?target=scenario%3Amini",
            "custom": {"peersim_target": "scenario:mini"},
            "lineItem": {"scoreMaximum": 100, "label": "A short check-in", "resourceId": "scenario:mini"},
        }
    ]
    assert response["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "course-page-42"
    # the page key is used up
    assert refusal(browser.post("/lti/deep-link", {"key": key, "target": "exam"})) == lti_routes.GONE


def test_a_learner_cannot_add_activities(lms: Lms):
    browser = lms.browser()
    answer = launch(browser, lms.platform, "lee", "deep-link:ps101")
    assert (answer.status_code, refusal(answer)) == (403, LEARNERS_CANNOT_LINK)
    assert signin.SESSION_COOKIE not in browser.cookies


def test_an_activity_that_names_nothing_is_chosen_by_its_instructor_first(lms: Lms):
    lms.platform.link("link-blank", "Practice", "ps101")
    learner = launch(lms.browser(), lms.platform, "lee", "link-blank")
    assert (learner.status_code, refusal(learner)) == (200, lti_routes.NOT_CHOSEN)
    browser = lms.browser()
    answer = launch(browser, lms.platform, "rae", "link-blank")
    assert answer.headers["location"].startswith("/lti/choose?key=")
    key = parse_qs(urlsplit(answer.headers["location"]).query)["key"][0]
    wrong = browser.post("/lti/choose", {"key": key, "target": "scenario:no-such-thing"})
    assert (wrong.status_code, refusal(wrong)) == (400, "Please choose a scenario or the mock exam.")
    chosen = browser.post("/lti/choose", {"key": key, "target": "exam"})
    assert chosen.headers["location"] == f"/lti/course?key={key}"
    assert launch(lms.browser(), lms.platform, "lee", "link-blank").headers["location"] == "/exam"
    # another browser cannot use the page key
    assert refusal(lms.browser().post("/lti/choose", {"key": key, "target": "exam"})) == lti_routes.GONE


# ------------------------------------------------------------------------------------------- the key
def test_the_tool_key_is_made_once_and_served(lms: Lms):
    served = httpx.get(f"{lms.tool}/lti/jwks", timeout=10).json()
    [key] = served["keys"]
    assert set(key) == {"kty", "n", "e", "kid", "alg", "use"} and (key["alg"], key["use"]) == ("RS256", "sig")
    reopened = Store.open(lms.store.engine.url.render_as_string(hide_password=False))
    try:
        assert [k.public_jwk for k in reopened.lti.tool_keys()] == [key]
    finally:
        reopened.close()


# -------------------------------------------------------------------------------------- registering
FORM = {
    "name": "Riverside Moodle",
    "issuer": "https://moodle.riverside.edu",
    "client_id": "AbC123",
    "auth_login_url": "https://moodle.riverside.edu/mod/lti/auth.php",
    "auth_token_url": "https://moodle.riverside.edu/mod/lti/token.php",
    "keyset_url": "https://moodle.riverside.edu/mod/lti/certs.php",
    "deployment_ids": "1\n 2 , 2",
}


def test_an_admin_registers_edits_and_removes_a_platform_in_the_audit_log(store: Store):
    admin = make_user(store, "Ada", "admin")
    made = store.lti.register(admin, PlatformForm(**FORM))
    assert made.deployment_ids == ("1", "2")
    changed = store.lti.update(admin, made.id, PlatformForm(**{**FORM, "name": "Riverside", "deployment_ids": "3"}))
    assert (changed.name, changed.deployment_ids) == ("Riverside", ("3",))
    store.lti.remove(admin, made.id)
    assert store.lti.platforms(admin) == []
    logged = [(e.action, e.detail) for e in reversed(store.audit.entries(admin)) if "LMS" in e.action]
    described = "(https://moodle.riverside.edu, client ID AbC123)"
    assert logged == [
        ("register LMS platform", f"Riverside Moodle {described}"),
        ("change LMS platform", f"Riverside {described}"),
        ("remove LMS platform", f"Riverside {described}"),
    ]


def test_only_admins_register_platforms(store: Store):
    rae = make_user(store, "Rae", "instructor")
    with pytest.raises(AccessDenied):
        store.lti.register(rae, PlatformForm(**FORM))
    with pytest.raises(AccessDenied):
        store.lti.platforms(rae)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "  "}, "Please give the platform a name people will recognize, like 'Moodle at Riverside College'."),
        ({"name": "x" * 121}, "Please keep the name to 120 characters."),
        (
            {"issuer": ""},
            "Please fill in the Issuer (platform ID), like https://moodle.example.edu. Your learning platform shows it.",
        ),
        (
            {"issuer": "moodle.riverside.edu"},
            "The Issuer (platform ID) must be a full address starting with https://, like https://moodle.example.edu.",
        ),
        (
            {"auth_token_url": "http://moodle.riverside.edu/mod/lti/token.php"},
            "The Access token URL must start with https://. Plain http:// is accepted only for a platform on this same "
            "computer, for trying things out.",
        ),
        (
            {"keyset_url": "https://moodle riverside.edu/certs"},
            "The Public keyset URL must be a full address starting with https://, like "
            "https://moodle.example.edu/mod/lti/certs.php.",
        ),
        (
            {"client_id": ""},
            "Please paste the Client ID your learning platform gave PeerSim (Moodle shows it in the tool's details; "
            "Canvas shows it as the developer key's ID).",
        ),
        ({"client_id": "Ab C"}, "The Client ID has a space in it or is too long. Please paste it again, exactly as shown."),
        (
            {"deployment_ids": "1\nsecond one"},
            "The deployment ID 'second one' has a space in it or is too long. Put each deployment ID on a line of its own.",
        ),
    ],
)
def test_a_registration_with_a_problem_says_what_to_fix_and_saves_nothing(store: Store, change, message):
    admin = make_user(store, "Ada", "admin")
    with pytest.raises(LtiError) as caught:
        store.lti.register(admin, PlatformForm(**{**FORM, **change}))
    assert str(caught.value) == message
    assert store.lti.platforms(admin) == []


def test_the_same_issuer_and_client_id_are_registered_once(store: Store):
    admin = make_user(store, "Ada", "admin")
    store.lti.register(admin, PlatformForm(**FORM))
    with pytest.raises(LtiError) as caught:
        store.lti.register(admin, PlatformForm(**{**FORM, "name": "Again"}))
    assert str(caught.value) == (
        "A platform with this issuer and Client ID is registered already, as 'Riverside Moodle'. Edit that one instead."
    )
    other = store.lti.register(admin, PlatformForm(**{**FORM, "client_id": "Other1"}))  # another tool registration
    assert [p.client_id for p in store.lti.platforms(admin)] == ["AbC123", "Other1"] and other.id


def test_launch_state_is_used_once_and_expires(store: Store, at_time):
    store.lti.state_put("nonce-1", True, 60)
    assert store.lti.state_take("nonce-1") is True
    assert store.lti.state_take("nonce-1") is False
    store.lti.state_put("data-1", {"a": 1}, 60)
    at_time(timedelta(seconds=61))
    assert store.lti.state_get("data-1") is None
    assert store.lti.state_take("data-1") is False


# ---------------------------------------------------------------------------------------- migration
def test_migration_0015_makes_the_tables_as_tables_py_has_them_and_goes_back_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'peersim.db'}"
    engine = create(url)
    with engine.connect() as connection, connection.begin(), alembic_on(connection) as config:
        command.upgrade(config, "0015")
        made = {t for t in inspect(connection).get_table_names() if t.startswith("lti_")}
        assert made == {
            "lti_platforms",
            "lti_tool_keys",
            "lti_users",
            "lti_contexts",
            "lti_resource_links",
            "lti_link_users",
            "lti_launch_state",
            "lti_grade_outbox",
        }
        from records.tables import metadata

        for name in made:
            columns = {c["name"] for c in inspect(connection).get_columns(name)}
            assert columns == set(metadata.tables[name].columns.keys()), name
        command.downgrade(config, "0014")
        assert not {t for t in inspect(connection).get_table_names() if t.startswith("lti_")}
    engine.dispose()
    create_engine(url).dispose()


# ------------------------------------------------------------------------------------ the admin page
def admin_section(token: str) -> Any:
    from streamlit.testing.v1 import AppTest

    from ui import state

    def script() -> None:
        from ui import identity, lti_admin

        lti_admin.show(identity.require_user("admin"))

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state[state.SESSION_TOKEN] = token
    return at.run()


def button(at: Any, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def test_the_admin_section_gives_the_tool_values_and_registers_a_platform_with_clear_messages(
    store: Store, fixture_library: None, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PEERSIM_PUBLIC_URL", "https://peersim.example.org")
    admin = make_user(store, "Ada", "admin")
    at = admin_section(store.accounts.start_session(admin))
    assert not at.exception
    assert [code.value for code in at.code] == [
        "https://peersim.example.org/lti/launch",
        "https://peersim.example.org/lti/login",
        "https://peersim.example.org/lti/jwks",
        "https://peersim.example.org/lti/deep-link",
    ]
    assert "No platform is registered yet." in [c.value for c in at.caption]
    for name, value in {**FORM, "issuer": "moodle.riverside.edu"}.items():
        (at.text_area if name == "deployment_ids" else at.text_input)(key=f"lti_new_{name}").input(value)
    button(at, "Register platform").click().run()
    assert [e.value for e in at.error] == [
        esc("The Issuer (platform ID) must be a full address starting with https://, like https://moodle.example.edu.")
    ]
    assert at.text_input(key="lti_new_client_id").value == "AbC123"  # what was typed stays
    assert store.lti.platforms(admin) == []
    at.text_input(key="lti_new_issuer").input(FORM["issuer"])
    button(at, "Register platform").click().run()
    assert [s.value for s in at.success] == ["Registered Riverside Moodle. Launches from it work now."]
    [platform] = store.lti.platforms(admin)
    assert (platform.issuer, platform.client_id, platform.deployment_ids) == (FORM["issuer"], "AbC123", ("1", "2"))
    assert at.text_input(key="lti_new_name").value == ""  # the form is empty again
    assert at.dataframe[0].value["deployment IDs"].tolist() == ["1, 2"]

    at.text_input(key=f"lti_edit_{platform.id}_name").input("Riverside")
    button(at, "Save changes").click().run()
    assert [s.value for s in at.success] == ["Saved the changes to Riverside."]
    button(at, "Remove this platform…").click().run()
    assert "Launches from it stop working" in at.warning[0].value
    button(at, "Yes, remove it").click().run()
    assert [s.value for s in at.success] == ["Removed Riverside."]
    assert store.lti.platforms(admin) == []


def test_the_admin_section_shows_a_score_that_failed_and_sends_it_again(lms: Lms, mini: LoadedScenario, rubric: Rubric, at_time):
    launch(lms.browser(), lms.platform, "lee", "link-mini")
    lee = User(account_of(lms.store, lms.platform_id, "sub-lee").id, "Lee Park")
    play(lms.store, lee, mini, rubric, GOOD)
    lms.platform.fail_scores = 99
    at_time(timedelta(days=4))  # failing for longer than three days: given up
    assert lti_grades.send_due(lms.store) == lti_grades.Sent(0, 1)
    at = admin_section(lms.store.accounts.start_session(lms.admin))
    assert any(c.value.startswith("0 sent, 0 waiting, 1 given up.") for c in at.caption)
    problems = at.dataframe[-1].value
    assert problems["status"].tolist() == ["given up"] and problems["trainee"].tolist() == ["Lee Park"]
    lms.platform.fail_scores = 0
    button(at, "Send it again").click().run()
    assert lms.store.lti.grade_report(lms.admin).waiting == 1
    button(at, "Send waiting scores now").click().run()
    assert [s.value for s in at.success] == ["1 sent, 0 not taken (they are tried again later)."]
    assert [score["userId"] for score in lms.platform.scores] == ["sub-lee"]


# ----------------------------------------------------------------------------- opening from a link
def opened(query: dict[str, str]) -> Any:
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        import streamlit as st

        from ui import lti_open, state

        lti_open.scenario_from_link({"mini": object()})  # type: ignore[dict-item]
        st.write(str(st.session_state.get(state.CHOSEN_SCENARIO)), str(st.session_state.get(state.FLASH)))

    at = AppTest.from_function(script, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_the_practice_address_opens_the_scenario_it_names_once():
    at = opened({"scenario": "mini"})
    assert at.markdown[0].value == "mini None"
    assert "scenario" not in at.query_params
    missing = opened({"scenario": "no-such-thing"})
    assert missing.markdown[0].value == f"None {lti_open.NOT_AVAILABLE}"
    assert opened({}).markdown[0].value == "None None"
