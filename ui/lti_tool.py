"""PeerSim as an LTI 1.3 tool, with pylti1p3 (2.0.0): the adapters the library needs for Starlette, a tool
configuration read from the database (records.lti), and the protocol steps the routes (ui/lti_routes.py) call.

pylti1p3 ships adapters for Django and Flask only, so these are PeerSim's own:

* :class:`LtiRequest`: the request's parameters (query or form), cookies, and whether cookies may be cross-site.
* :class:`Cookies`: the library's short-lived state cookie, ``lti1p3-<state>``, path /lti, HttpOnly and, where
  browsers allow it (HTTPS, or this computer), ``SameSite=None; Secure``, so it comes back on the platform's
  cross-site form post inside the course page's iframe.
* :class:`DatabaseStorage` and :class:`Session`: nonces and launch data in the database (records.lti), so any
  server behind a load balancer can finish a launch another one started. A nonce is used once: a launch sent
  again is refused, even with the state cookie (pylti1p3 alone would let the same id_token in again).
* :class:`ToolConf`: platforms from the admin page, one or more client ids per issuer, and PeerSim's own key.
* :class:`Launch`: the library's checks in its order (state cookie, token format, nonce, registration,
  signature against the platform's key set, deployment, message), each failure turned into :class:`Refused`
  with a message for the person in front of it, and the audience checked as the spec asks (``azp`` when the
  token names several audiences).
"""

from __future__ import annotations

import html
import ipaddress
import logging
import os
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import parse_qs, quote, urlsplit

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.cookie import CookieService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.grade import Grade
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.lineitem import LineItem
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract
from starlette.responses import HTMLResponse, RedirectResponse, Response

from records import Store
from records.lti import LaunchClaims, PendingScore, Platform, RosterMember, RosterResult, ToolKey

log = logging.getLogger("peersim")

LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
JWKS_PATH = "/lti/jwks"
DEEP_LINK_PATH = "/lti/deep-link"
COOKIE_PATH = "/lti"
TARGET_PARAM = "peersim_target"
"""The custom parameter (and ``?target=`` of the launch address) naming what an activity opens: "scenario:<id>" or
"exam"."""

NONCE_SECONDS = 10 * 60
LAUNCH_DATA_SECONDS = 60 * 60
HTTP_SECONDS = 15

ADMIN_PAGE = "Admin → LMS platforms (LTI 1.3)"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

# -------------------------------------------------------------------------------------------- refusals
UNKNOWN_PLATFORM = (
    "PeerSim does not know the learning platform this launch came from ({issuer}). An admin can register it under "
    f"{ADMIN_PAGE}, with exactly this issuer."
)
UNKNOWN_CLIENT = (
    "PeerSim has more than one registration for the learning platform {issuer}, and this launch did not say which "
    "client ID it is for. Please ask your admin to check the tool's settings in the learning platform."
)
WRONG_AUDIENCE = (
    "This launch was meant for another tool: it names the client ID {client_id}, which is not registered in PeerSim "
    f"for {{issuer}}. Please ask your admin to check the Client ID under {ADMIN_PAGE}."
)
UNKNOWN_DEPLOYMENT = (
    "This launch came from the deployment {deployment} of {name}, which is not registered in PeerSim. An admin can "
    f"add this deployment ID under {ADMIN_PAGE}."
)
BAD_SIGNATURE = (
    "This launch's signature does not match {name}'s public keys, so PeerSim did not trust it. Please go back to your "
    f"course and try again; if it keeps happening, please ask your admin to check the Public keyset URL under {ADMIN_PAGE}."
)
KEYS_UNREACHABLE = (
    "PeerSim could not fetch {name}'s public keys to check this launch. Please try again in a few minutes; if it keeps "
    "happening, please tell your admin."
)
REPLAYED = (
    "This launch has been used already, and each launch works only once. Please go back to your course and open the "
    "activity again."
)
EXPIRED = "This launch has expired. Please go back to your course and open the activity again."
NO_STATE = (
    "Your browser did not send back the cookie PeerSim set when this launch started, so PeerSim could not tell that "
    "the launch came to the same browser. This happens when a browser blocks cookies inside a course page. Please "
    "open the activity in a new window, or allow cookies for this site, and try again."
)
MALFORMED = "This is not a launch PeerSim can read. Please go back to your course and open the activity again."
INCOMPLETE = (
    "This launch from {name} is missing something PeerSim needs ({detail}). Please tell your admin, who can check the "
    "tool's settings in the learning platform."
)
LOGIN_INCOMPLETE = (
    "This sign-in from a learning platform is missing something PeerSim needs ({detail}). Please open the activity "
    "again from your course; if it keeps happening, please tell your admin."
)
COOKIES_BLOCKED = "Your browser does not let PeerSim keep a cookie inside this course page."
COOKIES_OPEN = "Open PeerSim in a new window."
COOKIES_LOADING = "Opening PeerSim..."


class Refused(Exception):
    """A launch or login PeerSim refuses; the message is for the person in front of the browser."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


# -------------------------------------------------------------------------------------------- requests
def trustworthy(scheme: str, host: str | None, forwarded_proto: str | None = None) -> bool:
    """Whether browsers keep a Secure cookie from this origin: HTTPS (directly or behind a proxy that says so), or
    this computer (localhost, 127.0.0.1), which browsers treat as secure for trying things out."""
    if scheme == "https" or forwarded_proto == "https":
        return True
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def set_cookie(
    response: Response, name: str, value: str, seconds: int | None, path: str, *, cross_site: bool, framed: bool = False
) -> None:
    """An HttpOnly cookie for a launch. Cross-site where browsers keep one (HTTPS, or this computer): ``SameSite=None;
    Secure``, so it is sent on the platform's cross-site form post and inside the course page's iframe; and, when the
    request came to a frame (``framed``: Sec-Fetch-Dest is iframe), ``Partitioned`` (CHIPS), so that a browser
    blocking third-party cookies still keeps it, for PeerSim inside this platform's pages only (in a new window it
    is an ordinary cookie, so signing out there ends it). Otherwise ``SameSite=Lax``
    (a launch then works in a new window only). Starlette writes ``Partitioned`` only on Python 3.14, so the header
    is written here."""
    if not cross_site:
        response.set_cookie(name, value, max_age=seconds, path=path, httponly=True, samesite="lax")
        return
    parts = [f"{name}={value}", f"Path={path}", "HttpOnly", "Secure", "SameSite=None", *(["Partitioned"] if framed else [])]
    if seconds is not None:
        parts.insert(1, f"Max-Age={seconds}")
    response.raw_headers.append((b"set-cookie", "; ".join(parts).encode("latin-1")))


class LtiRequest(Request):
    """A Starlette request as pylti1p3 sees it: its parameters, its cookies and whether cookies may be cross-site."""

    def __init__(self, params: Mapping[str, str], cookies: Mapping[str, str], cross_site: bool, framed: bool = False) -> None:
        self._params = dict(params)
        self._cookies = dict(cookies)
        self._cross_site = cross_site
        self.framed = framed

    @property
    def session(self) -> dict[str, Any]:  # the library's own session is replaced by Session below
        return {}

    def get_param(self, key: str) -> str:
        return self._params.get(key, "")

    def get_cookie(self, name: str) -> str | None:
        return self._cookies.get(name)

    def is_secure(self) -> bool:
        """What the library's cookie check page asks: may it test for a ``SameSite=None; Secure`` cookie."""
        return self._cross_site


class Cookies(CookieService):
    """The library's cookies, written on the response that the library's redirect returns."""

    def __init__(self, request: LtiRequest) -> None:
        self._request = request
        self._pending: dict[str, tuple[str, int | None]] = {}

    def _name(self, key: str) -> str:
        return f"{self._cookie_prefix}-{key}"

    def get_cookie(self, name: str) -> str | None:
        return self._request.get_cookie(self._name(name))

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self._pending[self._name(name)] = (str(value), exp)

    def apply(self, response: Response) -> Response:
        for name, (value, seconds) in self._pending.items():
            set_cookie(
                response, name, value, seconds, COOKIE_PATH, cross_site=self._request.is_secure(), framed=self._request.framed
            )
        return response


class DatabaseStorage(LaunchDataStorage[Any]):
    """Launch state in the database (records.lti), shared by every server process; no session cookie of its own."""

    _session_cookie_name = ""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self._store.lti.state_get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self._store.lti.state_put(self._prepare_key(key), value, exp or LAUNCH_DATA_SECONDS)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def take(self, key: str) -> bool:
        return self._store.lti.state_take(self._prepare_key(key))


class Session(SessionService):
    """pylti1p3's session service on the database, with nonces used once and no state restored without its cookie."""

    def __init__(self, request: LtiRequest, storage: DatabaseStorage) -> None:
        super().__init__(request)
        self._storage = storage
        self.set_data_storage(storage)
        self._launch_data_lifetime = LAUNCH_DATA_SECONDS

    def save_nonce(self, nonce: str) -> None:
        self._storage.set_value(self._get_key("nonce", nonce), True, exp=NONCE_SECONDS)

    def check_nonce(self, nonce: str) -> bool:
        return self._storage.take(self._get_key("nonce", nonce))

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        """Not kept: a launch is proved by the browser's state cookie only, never by its id_token posted again."""

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        return False


# ------------------------------------------------------------------------------------- configuration
class ToolRegistration(Registration):
    """A platform's registration with PeerSim's key: the key id is the one /lti/jwks serves."""

    def __init__(self, platform: Platform, key: ToolKey) -> None:
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        self.set_key_set_url(platform.keyset_url)
        self.set_tool_private_key(key.private_pem)
        self._key = key

    def get_kid(self) -> str:
        return self._key.kid

    def get_jwks(self) -> list[Mapping[str, Any]]:
        return [self._key.public_jwk]


class ToolConf(ToolConfAbstract[LtiRequest]):
    """Registrations from the database; an issuer may have several client ids (one per registration)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store
        self.platform: Platform | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, "", *args, **kwargs)

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any) -> Registration:
        platform = self._store.lti.platform_for(iss, client_id or None)
        if platform is None:
            if not self._store.lti.issuer_known(iss):
                raise Refused(UNKNOWN_PLATFORM.format(issuer=iss[:200]))
            if not client_id:
                raise Refused(UNKNOWN_CLIENT.format(issuer=iss[:200]))
            raise Refused(WRONG_AUDIENCE.format(client_id=client_id[:200], issuer=iss[:200]))
        self.platform = platform
        return ToolRegistration(platform, self._store.lti.tool_key())

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = self.platform or self._store.lti.platform_for(iss, client_id or None)
        if platform is None or deployment_id not in platform.deployment_ids:
            name = platform.name if platform is not None else iss
            raise Refused(UNKNOWN_DEPLOYMENT.format(deployment=deployment_id[:200], name=name))
        return Deployment().set_deployment_id(deployment_id)


class _TimeoutSession(requests.Session):
    """Every request to a platform gives up after HTTP_SECONDS (requests waits for ever by default)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", HTTP_SECONDS)
        return super().request(*args, **kwargs)


def http_session() -> requests.Session:
    session = _TimeoutSession()
    session.headers["User-Agent"] = "PeerSim LTI tool"
    return session


# ------------------------------------------------------------------------------------------- login
class _Redirect(Redirect[Response]):
    def __init__(self, location: str, cookies: Cookies) -> None:
        self._location = location
        self._cookies = cookies

    def do_redirect(self) -> Response:
        return self._cookies.apply(RedirectResponse(self._location, status_code=302))

    def do_js_redirect(self) -> Response:
        target = html.escape(self._location, quote=True)
        page = f'<!doctype html><meta charset="utf-8"><a id="go" href="{target}">Continue</a><script>document.getElementById("go").click()</script>'
        return self._cookies.apply(HTMLResponse(page))

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location


class Login(OIDCLogin[LtiRequest, ToolConf, Session, Cookies, Response]):
    def get_redirect(self, url: str) -> Redirect[Response]:
        return _Redirect(url, self._cookie_service)

    def get_response(self, html_text: str) -> Response:
        """pylti1p3's cookie check page, with a title, and testing for the cookie a launch sets (partitioned too)."""
        return self._cookie_service.apply(HTMLResponse(cookie_check_page(html_text)))


_CHECKS = {
    "<title></title>": "<title>Opening PeerSim</title>",
    "cookie = cookie + '; SameSite=None; secure';": "cookie = cookie + '; SameSite=None; secure; Partitioned';",
    'document.cookie = "lti1p3_test_cookie=1; expires=Thu, 01-Jan-1970 00:00:01 GMT";': (
        'document.cookie = cookie + "; expires=Thu, 01-Jan-1970 00:00:01 GMT";'
    ),
}


def cookie_check_page(page: str) -> str:
    """The library's page, changed where it tests a cookie: a browser that blocks third-party cookies still keeps a
    partitioned one, as PeerSim's launch cookies are (:func:`set_cookie`)."""
    for old, new in _CHECKS.items():
        if old not in page:
            raise RuntimeError(f"pylti1p3's cookie check page changed; update ui/lti_tool.py ({old[:40]})")
        page = page.replace(old, new)
    return page


# ------------------------------------------------------------------------------------------ launch
class Launch(MessageLaunch[LtiRequest, ToolConf, Session, Cookies]):
    """pylti1p3's launch checks, each failure a :class:`Refused` with words for the person launching."""

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def _platform_name(self) -> str:
        platform = self._tool_config.platform
        return platform.name if platform is not None else "the learning platform"

    def validate_state(self) -> Launch:
        if not self._get_request_param("id_token"):
            raise Refused(MALFORMED, 400)
        try:
            super().validate_state()
        except LtiException:
            raise Refused(NO_STATE, 400) from None
        return self

    def validate_jwt_format(self) -> Launch:
        try:
            super().validate_jwt_format()
        except LtiException:
            raise Refused(MALFORMED, 400) from None
        return self

    def validate_nonce(self) -> Launch:
        try:
            super().validate_nonce()
        except LtiException:
            raise Refused(REPLAYED, 400) from None
        return self

    def validate_registration(self) -> Launch:
        super().validate_registration()
        body = self._get_jwt_body()
        audience = body.get("aud")
        if isinstance(audience, list) and len(audience) > 1 and body.get("azp") != self.get_client_id():
            raise Refused(WRONG_AUDIENCE.format(client_id=str(body.get("azp", ""))[:200], issuer=self.get_iss()[:200]))
        return self

    def validate_jwt_signature(self) -> Launch:
        try:
            super().validate_jwt_signature()
        except LtiException as error:
            text = str(error)
            if "expired" in text.lower():
                raise Refused(EXPIRED, 400) from None
            if text.startswith(("Error during fetch URL", "Invalid response from")):
                log.warning("LTI: could not fetch a platform's key set: %s", text[:300])
                raise Refused(KEYS_UNREACHABLE.format(name=self._platform_name()), 502) from None
            log.info("LTI: refused a launch's signature: %s", text[:300])
            raise Refused(BAD_SIGNATURE.format(name=self._platform_name())) from None
        return self

    def validate_message(self) -> Launch:
        try:
            super().validate_message()
        except LtiException as error:
            raise Refused(INCOMPLETE.format(name=self._platform_name(), detail=str(error)[:120]), 400) from None
        return self


class Tool:
    """One request's pylti1p3 objects, on the process's store."""

    def __init__(
        self, store: Store, params: Mapping[str, str], cookies: Mapping[str, str], cross_site: bool, framed: bool = False
    ) -> None:
        self.store = store
        self.request = LtiRequest(params, cookies, cross_site, framed)
        self.cookies = Cookies(self.request)
        self.storage = DatabaseStorage(store)
        self.session = Session(self.request, self.storage)
        self.conf = ToolConf(store)

    def login(self, launch_url: str) -> Response:
        """The answer to a platform's login initiation: a cookie check page first (inside an iframe a browser may
        block cookies: the page then offers a new window), then the redirect to the platform's authorization
        endpoint with a new state (in a cookie) and nonce (in the database)."""
        login = Login(self.request, self.conf, self.session, self.cookies, launch_data_storage=self.storage)
        login.enable_check_cookies(main_msg=COOKIES_BLOCKED, click_msg=COOKIES_OPEN, loading_msg=COOKIES_LOADING)
        try:
            return login.redirect(launch_url)
        except OIDCException as error:
            raise Refused(LOGIN_INCOMPLETE.format(detail=str(error)[:120]), 400) from None

    def launch(self) -> Launch:
        message = Launch(
            self.request,
            self.conf,
            self.session,
            self.cookies,
            launch_data_storage=self.storage,
            requests_session=http_session(),
        )
        message.set_launch_data_lifetime(LAUNCH_DATA_SECONDS)
        message.validate()
        return message

    def restored(self, launch_id: str) -> Launch:
        """A launch checked earlier (deep linking answers it after the instructor picked)."""
        try:
            restored = Launch.from_cache(
                launch_id, self.request, self.conf, self.session, self.cookies, launch_data_storage=self.storage
            )
        except LtiException:
            raise Refused(EXPIRED, 400) from None
        return cast(Launch, restored)

    def forget_state(self, response: Response) -> None:
        """Clear the state cookie this launch used."""
        name = self.cookies._name(self.request.get_param("state"))
        set_cookie(response, name, "", 0, COOKIE_PATH, cross_site=self.request.is_secure(), framed=self.request.framed)


# ------------------------------------------------------------------------------------------- claims
def parse_target(value: str | None) -> tuple[str, str | None] | None:
    """ "scenario:<id>" or "exam" (what an activity opens), or None."""
    value = (value or "").strip()
    if value == "exam":
        return ("exam", None)
    if value.startswith("scenario:") and 0 < len(value) - len("scenario:") <= 64:
        return ("scenario", value.removeprefix("scenario:"))
    return None


def target_value(kind: str, scenario_id: str | None) -> str:
    return f"scenario:{scenario_id}" if kind == "scenario" else "exam"


def claims_of(body: Mapping[str, Any]) -> LaunchClaims:
    """What PeerSim uses of a checked launch's claims."""

    def claim(name: str) -> Any:
        return body.get(CLAIM + name)

    context = claim("context") or {}
    link = claim("resource_link") or {}
    custom = claim("custom") or {}
    ags = body.get(AGS_CLAIM) or {}
    nrps = body.get(NRPS_CLAIM) or {}
    target = parse_target(str(custom.get(TARGET_PARAM, ""))) if isinstance(custom, dict) else None
    if target is None:
        query = parse_qs(urlsplit(str(claim("target_link_uri") or "")).query)
        target = parse_target((query.get("target") or [""])[0])
    given = " ".join(str(body.get(key) or "") for key in ("given_name", "family_name")).strip()
    name = body.get("name") if isinstance(body.get("name"), str) and body.get("name") else given or None
    scopes = ags.get("scope") if isinstance(ags, dict) else None
    return LaunchClaims(
        message_type=str(claim("message_type")),
        deployment_id=str(claim("deployment_id")),
        sub=str(body["sub"]),
        roles=tuple(str(role) for role in (claim("roles") or [])),
        name=name,
        email=body.get("email") if isinstance(body.get("email"), str) else None,
        context_id=str(context["id"]) if isinstance(context, dict) and context.get("id") else None,
        context_title=(context.get("title") or context.get("label")) if isinstance(context, dict) else None,
        memberships_url=nrps.get("context_memberships_url") if isinstance(nrps, dict) else None,
        link_id=str(link["id"]) if isinstance(link, dict) and link.get("id") else None,
        link_title=link.get("title") if isinstance(link, dict) else None,
        target=target,
        lineitem_url=ags.get("lineitem") if isinstance(ags, dict) else None,
        lineitems_url=ags.get("lineitems") if isinstance(ags, dict) else None,
        ags_scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
    )


def public_url(base_url: str) -> str:
    """Where platforms reach PeerSim: PEERSIM_PUBLIC_URL, else the address this request came to."""
    configured = os.environ.get("PEERSIM_PUBLIC_URL", "").strip().rstrip("/")
    return configured or base_url.rstrip("/")


def activity_url(base: str, kind: str, scenario_id: str | None) -> str:
    """The launch address of an activity (its target in the query too, for platforms that drop custom values)."""
    return f"{base}{LAUNCH_PATH}?target={quote(target_value(kind, scenario_id), safe='')}"


# ----------------------------------------------------------------------------------- deep linking
def deep_link_form(launch: Launch, base: str, kind: str, scenario_id: str | None, title: str) -> str:
    """The auto-posting form that answers a deep linking request with one signed content item: an LTI resource link
    to the picked scenario or the mock exam, with a gradebook column of 100 points."""
    target = target_value(kind, scenario_id)
    lineitem = LineItem().set_score_maximum(100).set_label(title[:255]).set_resource_id(target)
    resource = (
        DeepLinkResource()
        .set_url(activity_url(base, kind, scenario_id))
        .set_title(title[:255])
        .set_custom_params({TARGET_PARAM: target})
        .set_lineitem(lineitem)
    )
    deep_link = launch.get_deep_link()
    token = deep_link.get_response_jwt([resource])
    settings = launch.get_launch_data().get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {}
    action = html.escape(str(settings.get("deep_link_return_url", "")), quote=True)
    return (
        '<form id="peersim-deep-link" method="post" action="' + action + '">'
        f'<input type="hidden" name="JWT" value="{html.escape(token, quote=True)}">'
        '<noscript><button type="submit">Add it to the course</button></noscript></form>'
        '<script>document.getElementById("peersim-deep-link").submit()</script>'
    )


# ------------------------------------------------------------------------------------------ roster
def roster(store: Store, platform: Platform, memberships_url: str) -> list[RosterMember]:
    """The course's members from the platform (Names and Role Provisioning), every page of them."""
    registration = ToolRegistration(platform, store.lti.tool_key())
    service = NamesRolesProvisioningService(
        ServiceConnector(registration, http_session()), {"context_memberships_url": memberships_url}
    )
    members = []
    for member in service.get_members():
        given = " ".join(str(member.get(key) or "") for key in ("given_name", "family_name")).strip()  # type: ignore[misc]
        members.append(
            RosterMember(
                sub=str(member.get("user_id", "")),
                name=str(member.get("name") or given) or None,
                email=str(member["email"]) if member.get("email") else None,
                roles=tuple(str(role) for role in member.get("roles", [])),
                status=str(member.get("status") or "Active"),
            )
        )
    return [m for m in members if m.sub]


def fill_cohort(store: Store, actor: Any, platform: Platform, context_id: str) -> RosterResult:
    """Read the course's roster and fill its cohort; LtiError or a network error when it cannot be read."""
    from records.lti import LtiError

    url = store.lti.memberships_url(actor, platform.id, context_id)
    if not url:
        raise LtiError(
            f"{platform.name} did not offer PeerSim the course roster (Names and Role Provisioning is off for this tool), "
            "so the cohort has the people who opened a PeerSim activity."
        )
    return store.lti.fill_cohort(actor, platform.id, context_id, roster(store, platform, url))


# ------------------------------------------------------------------------------------------- scores
class NoGradebook(Exception):
    """The activity has no gradebook PeerSim may write to: trying again cannot help."""


def connector(platform: Platform, key: ToolKey, session: requests.Session | None = None) -> ServiceConnector:
    """A platform's services as PeerSim: it keeps the access tokens it gets, per set of scopes."""
    return ServiceConnector(ToolRegistration(platform, key), session or http_session())


def send_score(pending: PendingScore, services: ServiceConnector) -> None:
    """Send one score to the activity's gradebook (Assignment and Grade Services): a client-credentials token from
    the platform's token URL (a JWT signed with PeerSim's key), then the score, Completed and FullyGraded."""
    link = pending.link
    if SCORE_SCOPE not in link.ags_scopes:
        raise NoGradebook("The platform did not let PeerSim send scores for this activity (no score scope).")
    service = AssignmentsGradesService(
        services,
        {"scope": list(link.ags_scopes), "lineitem": link.lineitem_url or "", "lineitems": link.lineitems_url or ""},  # type: ignore[typeddict-item]
    )
    grade = (
        Grade()
        .set_score_given(pending.score_given)
        .set_score_maximum(pending.score_maximum)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(pending.completed_at.isoformat(timespec="milliseconds"))
        .set_user_id(pending.sub)
    )
    if link.lineitem_url:
        service.put_grade(grade)
        return
    if not link.lineitems_url or not service.can_create_lineitem():
        raise NoGradebook("The activity has no gradebook column, and the platform did not let PeerSim make one.")
    column = (
        LineItem()
        .set_score_maximum(pending.score_maximum)
        .set_label(link.title or "PeerSim")
        .set_resource_link_id(link.link_id)
        .set_resource_id(target_value(link.target_kind or "exam", link.scenario_id))
    )
    service.put_grade(grade, service.find_or_create_lineitem(column, find_by="resource_link_id"))
