"""PeerSim's LTI 1.3 routes on st.App, beside the sign-in pages (the protocol is ui/lti_tool.py's, the records
records.lti's). They work inside a learning platform's iframe and in a new window.

* ``GET|POST /lti/login``: a platform's third-party login initiation. A cookie check page first (a browser that
  blocks cookies inside the course page gets a link to open PeerSim in a new window), then the redirect to the
  platform's authorization endpoint with a state (cookie) and a nonce (database).
* ``POST /lti/launch``: the platform's signed id_token. Once it checks out, the person is signed in with a launch
  session (its cookie ``SameSite=None; Secure`` where browsers allow it, so it is sent inside the iframe; ordinary
  sign-in cookies are unchanged) and sent on: a trainee to the activity's scenario (``/practice?scenario=...``) or
  the mock exam (``/exam``); an instructor to a page about the course's cohort, after the roster filled it; a deep
  linking request to the picker.
* ``GET /lti/jwks``: PeerSim's public key set.
* ``GET|POST /lti/deep-link``: the picker an instructor sees when adding a PeerSim activity to a course; it
  answers the platform with one signed content item.
* ``GET|POST /lti/choose``: an activity that names nothing yet: its instructor picks what it opens.
* ``GET /lti/course`` and ``POST /lti/roster``: the instructor's page, and filling the cohort from the roster again.

The pages after a launch carry a one-time page key (random, in the database for an hour) and check that the
browser's session is the launch's person, so another site cannot post them.
"""

from __future__ import annotations

import html
import logging
import secrets
from typing import Any
from urllib.parse import quote

from pylti1p3.exception import LtiException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from records import User, UserError
from records.lti import Launched, LtiError, ResourceLink, RosterResult
from ui import lti_grades, services
from ui.lti_tool import (
    DEEP_LINK_PATH,
    JWKS_PATH,
    LAUNCH_PATH,
    LOGIN_PATH,
    MALFORMED,
    Refused,
    Tool,
    claims_of,
    deep_link_form,
    fill_cohort,
    public_url,
    set_cookie,
    trustworthy,
)
from ui.signin import SESSION_COOKIE, _page, _store, client_address

log = logging.getLogger("peersim")

CHOOSE_PATH = "/lti/choose"
COURSE_PATH = "/lti/course"
ROSTER_PATH = "/lti/roster"
LAUNCH_SESSION_DAYS = 1
"""A launch session lasts a day: the course page launches PeerSim again whenever it is opened."""
PAGE_SECONDS = 60 * 60
EXAM_TITLE = "PeerSim mock exam"

GONE = "This page has expired or belongs to another sign-in. Please open the PeerSim activity again from your course."
NOT_CHOSEN = (
    "Your instructor has not chosen what this PeerSim activity opens yet. Please try again later, or ask your instructor."
)
UNSUPPORTED = (
    "PeerSim opens activities and adds them to courses, but not this kind of launch ({kind}). Please open the activity "
    "from the course instead."
)
MISSING_SCENARIO = (
    "This activity opens the scenario '{scenario}', which is not in PeerSim's library for you. Please tell your instructor."
)


# ----------------------------------------------------------------------------------------- helpers
def _cross_site(request: Request) -> bool:
    return trustworthy(request.url.scheme, request.url.hostname, request.headers.get("x-forwarded-proto"))


def _framed(request: Request) -> bool:
    """Whether the browser loads this inside a frame (a course page): its launch cookies are then partitioned."""
    return request.headers.get("sec-fetch-dest") == "iframe"


def _base(request: Request) -> str:
    return public_url(str(request.base_url))


def _tool(request: Request, params: dict[str, str]) -> Tool:
    return Tool(_store(), params, dict(request.cookies), _cross_site(request), _framed(request))


async def _params(request: Request) -> dict[str, str]:
    if request.method == "GET":
        return dict(request.query_params)
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def refused_page(message: str, status: int = 403, title: str = "PeerSim could not open this activity") -> HTMLResponse:
    return _page(title, f'<p class="error" role="alert">{html.escape(message)}</p>', status=status)


def _signed_in(request: Request, user: User, response: Response) -> Response:
    """Start a launch session and set its cookie (ui.lti_tool.set_cookie: cross-site and partitioned where browsers
    allow it, so the course page's iframe sends it; ordinary sign-in cookies are unchanged)."""
    token = _store().accounts.start_session(user, days=LAUNCH_SESSION_DAYS)
    seconds = LAUNCH_SESSION_DAYS * 24 * 3600
    set_cookie(response, SESSION_COOKIE, token, seconds, "/", cross_site=_cross_site(request), framed=_framed(request))
    return response


def _new_page_key(payload: dict[str, Any]) -> str:
    key = secrets.token_urlsafe(24)
    _store().lti.state_put(f"peersim-page-{key}", payload, PAGE_SECONDS)
    return key


def _page_payload(request: Request, key: str) -> tuple[User, dict[str, Any]] | None:
    """The page key's launch, when this browser is signed in as its person."""
    if not key or len(key) > 100:
        return None
    payload = _store().lti.state_get(f"peersim-page-{key}")
    user = _store().accounts.user_for_session(request.cookies.get(SESSION_COOKIE))
    if not isinstance(payload, dict) or user is None or payload.get("user_id") != user.id:
        return None
    return user, payload


def target_path(link: ResourceLink | None) -> str | None:
    """Where an activity opens in the app."""
    if link is None or link.target_kind is None:
        return None
    if link.target_kind == "exam":
        return "/exam"
    return f"/practice?scenario={quote(link.scenario_id or '', safe='')}"


def target_title(user: User, kind: str | None, scenario_id: str | None) -> str | None:
    if kind == "exam":
        return EXAM_TITLE
    loaded = services.playable(user).get(scenario_id or "")
    return loaded.scenario.title if loaded is not None else None


def _choices(user: User, name: str = "target") -> str:
    """Radio buttons: every scenario this instructor may play, and the mock exam."""
    options = [
        (f"scenario:{scenario_id}", loaded.scenario.title, f"a scenario, about {loaded.scenario.minutes} minutes")
        for scenario_id, loaded in services.playable(user).items()
    ]
    options.append(("exam", EXAM_TITLE, "timed multiple-choice questions, with a score per domain"))
    rows = []
    for number, (value, title, note) in enumerate(options):
        field = f"{name}-{number}"
        rows.append(
            f'<div style="margin:.45rem 0"><input type="radio" id="{field}" name="{name}" value="{html.escape(value, quote=True)}"'
            f'{" checked" if number == 0 else ""} style="width:auto">'
            f' <label for="{field}" style="display:inline;font-weight:600">{html.escape(title)}</label>'
            f' <span class="hint">({html.escape(note)})</span></div>'
        )
    return '<fieldset style="border:0;padding:0"><legend>What should it open?</legend>' + "".join(rows) + "</fieldset>"


def _form(action: str, key: str, fields: str, button: str) -> str:
    return (
        f'<form method="post" action="{action}"><input type="hidden" name="key" value="{html.escape(key, quote=True)}">'
        f'{fields}<button type="submit">{html.escape(button)}</button></form>'
    )


# ------------------------------------------------------------------------------------------ routes
async def login(request: Request) -> Response:
    lti_grades.ensure_sender()
    params = await _params(request)
    launch_url = _base(request) + LAUNCH_PATH
    try:
        return await run_in_threadpool(lambda: _tool(request, params).login(launch_url))
    except Refused as refusal:
        return refused_page(str(refusal), refusal.status)


async def launch(request: Request) -> Response:
    lti_grades.ensure_sender()
    params = await _params(request)
    address = client_address(request)

    def work() -> Response:
        tool = _tool(request, params)
        message = tool.launch()
        platform = tool.conf.platform
        assert platform is not None
        claims = claims_of(message.get_launch_data())
        if claims.message_type not in ("LtiResourceLinkRequest", "LtiDeepLinkingRequest"):
            raise Refused(UNSUPPORTED.format(kind=claims.message_type[:60]), 400)
        launched = _store().lti.launch(platform.id, claims, address=address)
        response = _after_launch(request, launched, message.get_launch_id())
        tool.forget_state(response)
        return _signed_in(request, launched.user, response)

    try:
        return await run_in_threadpool(work)
    except Refused as refusal:
        return refused_page(str(refusal), refusal.status)
    except LtiError as refusal:
        return refused_page(str(refusal))
    except LtiException:  # anything else the library found wrong with what was posted
        log.info("LTI: refused a launch", exc_info=True)
        return refused_page(MALFORMED, 400)


def _after_launch(request: Request, launched: Launched, launch_id: str) -> Response:
    """Where a checked launch goes (the session cookie is added by the caller)."""
    base: dict[str, Any] = {
        "user_id": launched.user.id,
        "platform_id": launched.platform.id,
        "context_id": launched.context_id if launched.cohort_id is not None else None,
        "cohort_name": launched.cohort_name,
        "link_id": None,
    }
    if launched.link is None:  # a deep linking request (records refused it for a learner)
        key = _new_page_key({**base, "launch_id": launch_id})
        return RedirectResponse(f"{DEEP_LINK_PATH}?key={key}", status_code=303)
    base["link_id"] = launched.link.id
    if launched.role == "instructor":
        roster = _sync(launched.user, launched.platform.id, base["context_id"])
        key = _new_page_key({**base, "roster": roster})
        if launched.link.target_kind is None:
            return RedirectResponse(f"{CHOOSE_PATH}?key={key}", status_code=303)
        return RedirectResponse(f"{COURSE_PATH}?key={key}", status_code=303)
    path = target_path(launched.link)
    if path is None:
        return refused_page(NOT_CHOSEN, 200, "Not ready yet")
    if launched.link.target_kind == "scenario" and launched.link.scenario_id not in services.playable(launched.user):
        return refused_page(MISSING_SCENARIO.format(scenario=launched.link.scenario_id), 404)
    return RedirectResponse(path, status_code=303)


def roster_sentence(result: RosterResult) -> str:
    """What filling the cohort from the course roster did, in one or two sentences."""
    added = len(result.added)
    sentence = (
        f"From the course roster: {added} trainee{'s' if added != 1 else ''} added to the cohort, {result.already} already in it."
    )
    if result.kept_out:
        count = len(result.kept_out)
        sentence += f" {count} whom you took out of the cohort in PeerSim stayed out."
    return sentence


def _sync(user: User, platform_id: int, context_id: str | None) -> str:
    """Fill the course's cohort from its roster; what it did (or why it could not), for the instructor's page."""
    if context_id is None:
        return ""
    store = _store()
    platform = store.lti.platform(platform_id)
    try:
        return roster_sentence(fill_cohort(store, user, platform, context_id))
    except UserError as error:
        return str(error)
    except Exception as error:  # the platform refused or did not answer: the launch goes on
        log.warning("LTI: could not read the roster of a course on %s: %s", platform.name, str(error)[:300])
        return (
            f"PeerSim could not read the course roster from {platform.name} just now, so the cohort has the people who "
            "opened a PeerSim activity. Try 'Fill the cohort from the roster again' later."
        )


async def jwks(request: Request) -> Response:
    lti_grades.ensure_sender()
    keys = await run_in_threadpool(_store().lti.tool_keys)
    return JSONResponse({"keys": [key.public_jwk for key in keys]}, headers={"Cache-Control": "max-age=300"})


async def deep_link(request: Request) -> Response:
    params = await _params(request)
    key = params.get("key", "")

    def work() -> Response:
        found = _page_payload(request, key)
        if found is None or not found[1].get("launch_id"):
            return refused_page(GONE, 400, "Please open it again")
        user, payload = found
        if request.method == "GET":
            body = (
                '<p class="lead">Choose what this PeerSim activity opens in your course. Trainees\' scores go to the '
                "course's gradebook when they finish it.</p>" + _form(DEEP_LINK_PATH, key, _choices(user), "Add it to the course")
            )
            return _page("Add a PeerSim activity", body)
        chosen = params.get("target", "")
        kind, _, scenario_id = chosen.partition(":")
        title = target_title(user, kind, scenario_id) if kind in ("scenario", "exam") else None
        if title is None:
            body = '<p class="error" role="alert">Please choose a scenario or the mock exam.</p>' + _form(
                DEEP_LINK_PATH, key, _choices(user), "Add it to the course"
            )
            return _page("Add a PeerSim activity", body, status=400)
        tool = _tool(request, params)
        form = deep_link_form(tool.restored(payload["launch_id"]), _base(request), kind, scenario_id or None, title)
        _store().lti.state_take(f"peersim-page-{key}")  # answered: the page key is used up
        return _page("Adding it to your course", f'<p class="lead">Adding “{html.escape(title)}” to your course...</p>{form}')

    try:
        return await run_in_threadpool(work)
    except Refused as refusal:
        return refused_page(str(refusal), refusal.status)


async def choose(request: Request) -> Response:
    params = await _params(request)
    key = params.get("key", "")

    def work() -> Response:
        found = _page_payload(request, key)
        if found is None or not found[1].get("link_id"):
            return refused_page(GONE, 400, "Please open it again")
        user, payload = found
        link = _store().lti.link(int(payload["link_id"]))
        if request.method == "GET":
            body = (
                f'<p class="lead">The activity “{html.escape(link.title or "PeerSim")}” does not say what it opens yet. '
                "Choose it once; everyone who opens the activity gets it.</p>" + _form(CHOOSE_PATH, key, _choices(user), "Use it")
            )
            return _page("Choose what this activity opens", body)
        kind, _, scenario_id = params.get("target", "").partition(":")
        if kind not in ("scenario", "exam") or target_title(user, kind, scenario_id) is None:
            body = '<p class="error" role="alert">Please choose a scenario or the mock exam.</p>' + _form(
                CHOOSE_PATH, key, _choices(user), "Use it"
            )
            return _page("Choose what this activity opens", body, status=400)
        _store().lti.set_target(user, link.id, kind, scenario_id or None)
        return RedirectResponse(f"{COURSE_PATH}?key={key}", status_code=303)

    try:
        return await run_in_threadpool(work)
    except LtiError as refusal:
        return refused_page(str(refusal))


def _course_page(user: User, payload: dict[str, Any], key: str) -> HTMLResponse:
    store = _store()
    link = store.lti.link(int(payload["link_id"]))
    title = target_title(user, link.target_kind, link.scenario_id) or (link.scenario_id or "")
    lines = [f'<p class="lead">You are signed in to PeerSim as {html.escape(user.name)}, an instructor.</p>']
    cohort = payload.get("cohort_name")
    if cohort:
        lines.append(
            f"<p>This course is the PeerSim cohort <strong>{html.escape(str(cohort))}</strong>, and your trainees' "
            "progress is on the class dashboard.</p>"
        )
    if payload.get("roster"):
        lines.append(f'<p class="note" role="status">{html.escape(str(payload["roster"]))}</p>')
    what = "the mock exam" if link.target_kind == "exam" else f"the scenario <strong>{html.escape(title)}</strong>"
    grades = (
        "When a trainee finishes it, their score goes to the course's gradebook."
        if link.lineitem_url or link.lineitems_url
        else "The course did not give it a gradebook column, so no scores are sent."
    )
    lines.append(f"<p>This activity opens {what}. {grades}</p>")
    links = [
        f'<a href="{html.escape(target_path(link) or "/", quote=True)}">Try it yourself</a>',
        '<a href="/dashboard">Open the class dashboard</a>',
    ]
    lines.append(f"<nav>{' · '.join(links)}</nav>")
    if cohort and payload.get("context_id"):
        lines.append(_form(ROSTER_PATH, key, "", "Fill the cohort from the roster again"))
    return _page("PeerSim is ready for your course", "".join(lines))


async def course(request: Request) -> Response:
    key = request.query_params.get("key", "")

    def work() -> Response:
        found = _page_payload(request, key)
        if found is None or not found[1].get("link_id"):
            return refused_page(GONE, 400, "Please open it again")
        return _course_page(found[0], found[1], key)

    return await run_in_threadpool(work)


async def roster(request: Request) -> Response:
    params = await _params(request)
    key = params.get("key", "")

    def work() -> Response:
        found = _page_payload(request, key)
        if found is None or not found[1].get("context_id"):
            return refused_page(GONE, 400, "Please open it again")
        user, payload = found
        payload = {**payload, "roster": _sync(user, int(payload["platform_id"]), payload["context_id"])}
        _store().lti.state_put(f"peersim-page-{key}", payload, PAGE_SECONDS)
        return RedirectResponse(f"{COURSE_PATH}?key={key}", status_code=303)

    return await run_in_threadpool(work)


ROUTES = [
    Route(LOGIN_PATH, login, methods=["GET", "POST"]),
    Route(LAUNCH_PATH, launch, methods=["POST"]),
    Route(JWKS_PATH, jwks, methods=["GET"]),
    Route(DEEP_LINK_PATH, deep_link, methods=["GET", "POST"]),
    Route(CHOOSE_PATH, choose, methods=["GET", "POST"]),
    Route(COURSE_PATH, course, methods=["GET"]),
    Route(ROSTER_PATH, roster, methods=["POST"]),
]
