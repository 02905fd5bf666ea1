"""A small LTI 1.3 platform (a learning management system) for the tests: a real HTTP server (Starlette under uvicorn,
in a thread of the test process) with its own RSA key, checking what PeerSim sends as a real platform would.

* ``GET /jwks``: the platform's public key set.
* ``GET /auth``: the OIDC authorization endpoint. It answers PeerSim's redirect after a login initiation with an
  auto-posting form carrying a signed (RS256) id_token with the LTI 1.3 claims: iss, aud, azp, sub, nonce, exp,
  iat, deployment_id, message_type (LtiResourceLinkRequest or LtiDeepLinkingRequest), version 1.3.0, roles,
  context, resource_link, target_link_uri, custom, the Assignment and Grade Services endpoint (lineitem and
  lineitems) and the Names and Role Provisioning endpoint. ``next_launch`` bends the next id_token (another key, an
  audience, a deployment, an expiry, a data privacy launch) for the refusal tests.
* ``POST /token``: client credentials with a JWT assertion, checked against PeerSim's /lti/jwks (signature, iss,
  sub, aud, exp, a jti used once); it grants bearer tokens for the scopes asked.
* ``POST /lineitems/<n>/lineitem/scores``: records each score it is sent (``scores``), or fails the first
  ``fail_scores`` times; ``GET|POST /lineitems``: the course's gradebook columns.
* ``GET /memberships/<course>``: the roster, two members a page with a ``Link: rel="next"`` header.
* ``POST /deep-link-return``: checks the signed deep linking response against PeerSim's key set and records its
  content items (``deep_links``).
* ``GET /course/<link>?as=<person>``: the platform's course page, with PeerSim in an iframe; ``/initiate`` inside it
  posts the login initiation to PeerSim's /lti/login, as Moodle and Canvas do. ``GET /add-activity/<course>`` is
  the page where an instructor adds an activity, with PeerSim's deep linking picker in the iframe.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.helpers import free_port

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = [f"{LIS}membership#Learner", f"{LIS}institution/person#Student"]
INSTRUCTOR = [f"{LIS}membership#Instructor", f"{LIS}institution/person#Faculty"]
SCOPES = {
    "lineitem": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "result": "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "score": "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "nrps": "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
}


@dataclass
class Person:
    sub: str
    name: str
    email: str | None
    roles: list[str]
    status: str = "Active"


@dataclass
class Link:
    id: str
    title: str
    course: str
    custom: dict[str, str] = field(default_factory=dict)
    target_link_uri: str = ""
    graded: bool = True
    lineitem: int | None = None  # the gradebook column's number, made when the link is


@dataclass
class Course:
    id: str
    title: str
    members: list[str] = field(default_factory=list)  # people's keys


class Platform:
    """The platform's state: its people, courses and activities, and what PeerSim sent it."""

    client_id = "peersim-client"
    deployment_id = "deployment-1"

    def __init__(self, tool_base: str) -> None:
        self.tool_base = tool_base.rstrip("/")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "platform-key-1", "alg": "RS256", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "platform-key-1", "alg": "RS256", "use": "sig"})
        self.people: dict[str, Person] = {}
        self.courses: dict[str, Course] = {}
        self.links: dict[str, Link] = {}
        self.lineitems: dict[int, dict[str, Any]] = {}
        self.scores: list[dict[str, Any]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.tokens: dict[str, list[str]] = {}
        self.deep_links: list[dict[str, Any]] = []
        self.authorizations: list[dict[str, str]] = []
        self.next_launch: dict[str, Any] = {}
        self.fail_scores = 0
        self.page_size = 2
        self._used_jtis: set[str] = set()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------- the test's side
    def person(self, key: str, name: str, roles: list[str], email: str | None = None, status: str = "Active") -> Person:
        person = Person(f"sub-{key}", name, email, roles, status)
        self.people[key] = person
        return person

    def course(self, course_id: str, title: str, members: list[str] | None = None) -> Course:
        course = Course(course_id, title, list(members or []))
        self.courses[course_id] = course
        return course

    def link(
        self, link_id: str, title: str, course: str, *, target: str | None = None, graded: bool = True, column: bool = True
    ) -> Link:
        """An activity; ``graded``: with Assignment and Grade Services, ``column``: with its gradebook column made
        (without it, the launch names only the course's line items, and the tool makes the column)."""
        custom = {"peersim_target": target} if target else {}
        link = Link(link_id, title, course, custom, f"{self.tool_base}/lti/launch", graded)
        if graded and column:
            link.lineitem = len(self.lineitems) + 1
            self.lineitems[link.lineitem] = {
                "id": self.lineitem_url(link.lineitem),
                "label": title,
                "scoreMaximum": 100,
                "resourceLinkId": link_id,
            }
        self.links[link_id] = link
        return link

    def lineitem_url(self, number: int) -> str:
        return f"{self.url}/lineitems/{number}/lineitem"

    def registration(self, name: str = "Riverside Moodle", deployments: str = "deployment-1") -> dict[str, str]:
        """What an admin types on PeerSim's admin page to register this platform."""
        return {
            "name": name,
            "issuer": self.url,
            "client_id": self.client_id,
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "keyset_url": f"{self.url}/jwks",
            "deployment_ids": deployments,
        }

    def login_initiation(self, person: str, message: str) -> dict[str, str]:
        """What the platform posts to PeerSim's login URL: ``message`` is a link id or "deep-link:<course>"."""
        target = self.links[message].target_link_uri if message in self.links else f"{self.tool_base}/lti/deep-link"
        return {
            "iss": self.url,
            "login_hint": person,
            "target_link_uri": target,
            "lti_message_hint": message,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    # ------------------------------------------------------------------------------------- id tokens
    def id_token(self, person_key: str, message: str, nonce: str) -> str:
        person = self.people[person_key]
        tweaks, self.next_launch = self.next_launch, {}
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": tweaks.get("aud", self.client_id),
            "azp": tweaks.get("azp", self.client_id),
            "sub": person.sub,
            "nonce": nonce,
            "iat": now - 400 if tweaks.get("expired") else now,
            "exp": now - 60 if tweaks.get("expired") else now + 300,
            "name": person.name,
            LTI + "deployment_id": tweaks.get("deployment_id", self.deployment_id),
            LTI + "version": "1.3.0",
            LTI + "roles": person.roles,
            LTI + "tool_platform": {"guid": "simulated-lms", "name": "Simulated LMS", "product_family_code": "peersim-tests"},
        }
        if person.email:
            claims["email"] = person.email
        if message.startswith("deep-link:"):
            course = self.courses[message.removeprefix("deep-link:")]
            claims |= {
                LTI + "message_type": "LtiDeepLinkingRequest",
                LTI + "target_link_uri": f"{self.tool_base}/lti/deep-link",
                "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                    "deep_link_return_url": f"{self.url}/deep-link-return",
                    "accept_types": ["ltiResourceLink"],
                    "accept_presentation_document_targets": ["iframe", "window"],
                    "accept_multiple": False,
                    "auto_create": True,
                    "data": "course-page-42",
                },
            }
        else:
            link = self.links[message]
            course = self.courses[link.course]
            claims |= {
                LTI + "message_type": "LtiResourceLinkRequest",
                LTI + "target_link_uri": link.target_link_uri,
                LTI + "resource_link": {"id": link.id, "title": link.title},
                LTI + "custom": link.custom,
            }
            if link.graded:
                endpoint = {
                    "scope": [SCOPES["lineitem"], SCOPES["result"], SCOPES["score"]],
                    "lineitems": f"{self.url}/lineitems",
                }
                if link.lineitem is not None:
                    endpoint["lineitem"] = self.lineitem_url(link.lineitem)
                claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = endpoint
        claims[LTI + "context"] = {
            "id": course.id,
            "label": course.id.upper(),
            "title": course.title,
            "type": [f"{LIS}course#CourseOffering"],
        }
        claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
            "context_memberships_url": f"{self.url}/memberships/{course.id}",
            "service_versions": ["2.0"],
        }
        if tweaks.get("privacy"):  # a data privacy launch: about a person's data, with no activity or course
            claims[LTI + "message_type"] = "DataPrivacyLaunchRequest"
            claims[LTI + "for_user"] = {"user_id": person.sub}
            for name in ("resource_link", "context", "custom"):
                claims.pop(LTI + name, None)
        for name in tweaks.get("drop", ()):
            claims.pop(name, None)
        key = self.other_key if tweaks.get("other_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "platform-key-1"}, claims, key)

    # ------------------------------------------------------------------------------------- endpoints
    def tool_keys(self) -> KeySet:
        return KeySet.import_key_set(httpx.get(f"{self.tool_base}/lti/jwks", timeout=10).json())

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def auth(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.authorizations.append(query)
        problems = [
            name
            for name, wanted in (
                ("scope", "openid"),
                ("response_type", "id_token"),
                ("response_mode", "form_post"),
                ("prompt", "none"),
                ("client_id", self.client_id),
                ("redirect_uri", f"{self.tool_base}/lti/launch"),
            )
            if query.get(name) != wanted
        ]
        if problems or not query.get("state") or not query.get("nonce") or query.get("login_hint") not in self.people:
            return JSONResponse({"error": "invalid_request", "wrong": problems}, status_code=400)
        token = self.id_token(query["login_hint"], query.get("lti_message_hint", ""), query["nonce"])
        page = (
            f'<!doctype html><html lang=en><title>Simulated LMS</title><form id="launch" method="post" action="{html.escape(query["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{html.escape(token)}">'
            f'<input type="hidden" name="state" value="{html.escape(query["state"])}"></form>'
            '<script>document.getElementById("launch").submit()</script>'
        )
        return HTMLResponse(page)

    def _assertion(self, assertion: str) -> dict[str, Any]:
        token = jwt.decode(assertion, self.tool_keys(), algorithms=["RS256"])
        claims = dict(token.claims)
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            raise ValueError("the assertion is not from the registered client")
        if claims.get("aud") not in (f"{self.url}/token", [f"{self.url}/token"]):
            raise ValueError("the assertion is for another audience")
        if int(claims.get("exp", 0)) < time.time() or claims.get("jti") in self._used_jtis or not claims.get("jti"):
            raise ValueError("the assertion expired or was used before")
        self._used_jtis.add(claims["jti"])
        return claims

    async def token(self, request: Request) -> Response:
        form = dict(await request.form())
        entry = {key: str(value) for key, value in form.items()}
        try:
            if entry.get("grant_type") != "client_credentials":
                raise ValueError("unsupported grant type")
            if entry.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                raise ValueError("unsupported assertion type")
            self._assertion(entry.get("client_assertion", ""))
        except (JoseError, ValueError) as error:
            self.token_requests.append({**entry, "refused": str(error)})
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        scopes = entry.get("scope", "").split()
        unknown = set(scopes) - set(SCOPES.values())
        if unknown:
            return JSONResponse({"error": "invalid_scope"}, status_code=400)
        bearer = secrets.token_urlsafe(16)
        self.tokens[bearer] = scopes
        self.token_requests.append({**entry, "granted": " ".join(scopes)})
        return JSONResponse({"access_token": bearer, "token_type": "Bearer", "expires_in": 3600, "scope": " ".join(scopes)})

    def _allowed(self, request: Request, scope: str) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and scope in self.tokens.get(header.removeprefix("Bearer "), [])

    async def score(self, request: Request) -> Response:
        if not self._allowed(request, SCOPES["score"]):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        if request.headers.get("content-type") != "application/vnd.ims.lis.v1.score+json":
            return JSONResponse({"error": "wrong media type"}, status_code=415)
        if self.fail_scores > 0:
            self.fail_scores -= 1
            return JSONResponse({"error": "the gradebook is busy"}, status_code=503)
        number = int(request.path_params["number"])
        self.scores.append({"lineitem": self.lineitem_url(number), **json.loads(await request.body())})
        return Response(status_code=204)

    async def lineitem_container(self, request: Request) -> Response:
        if not self._allowed(request, SCOPES["lineitem"]):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        if request.method == "POST":
            number = len(self.lineitems) + 1
            item = {**json.loads(await request.body()), "id": self.lineitem_url(number)}
            self.lineitems[number] = item
            return JSONResponse(item, status_code=201, media_type="application/vnd.ims.lis.v2.lineitem+json")
        return JSONResponse(list(self.lineitems.values()), media_type="application/vnd.ims.lis.v2.lineitemcontainer+json")

    async def memberships(self, request: Request) -> Response:
        if not self._allowed(request, SCOPES["nrps"]):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        if request.headers.get("accept") != "application/vnd.ims.lti-nrps.v2.membershipcontainer+json":
            return JSONResponse({"error": "not acceptable"}, status_code=406)
        course = self.courses[request.path_params["course"]]
        page = int(request.query_params.get("page", "1"))
        keys = course.members[(page - 1) * self.page_size : page * self.page_size]
        members = []
        for key in keys:
            person = self.people[key]
            member = {"user_id": person.sub, "name": person.name, "roles": person.roles, "status": person.status}
            if person.email:
                member["email"] = person.email
            members.append(member)
        headers = {}
        if page * self.page_size < len(course.members):
            headers["Link"] = f'<{self.url}/memberships/{course.id}?page={page + 1}>; rel="next"'
        body = {"id": str(request.url), "context": {"id": course.id, "title": course.title}, "members": members}
        return JSONResponse(body, headers=headers, media_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json")

    async def deep_link_return(self, request: Request) -> Response:
        form = await request.form()
        try:
            token = jwt.decode(str(form.get("JWT", "")), self.tool_keys(), algorithms=["RS256"])
        except (JoseError, ValueError) as error:
            return HTMLResponse(f"refused: {html.escape(str(error))}", status_code=400)
        claims = dict(token.claims)
        checks = {
            "iss": claims.get("iss") == self.client_id,
            "aud": claims.get("aud") in (self.url, [self.url]),
            "deployment_id": claims.get(LTI + "deployment_id") == self.deployment_id,
            "message_type": claims.get(LTI + "message_type") == "LtiDeepLinkingResponse",
            "version": claims.get(LTI + "version") == "1.3.0",
            "nonce": bool(claims.get("nonce")),
            "exp": int(claims.get("exp", 0)) > time.time(),
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            return HTMLResponse(f"refused: {', '.join(failed)}", status_code=400)
        self.deep_links.append(claims)
        items = claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/content_items", [])
        titles = ", ".join(str(item.get("title")) for item in items)
        return HTMLResponse(
            f"<!doctype html><html lang=en><title>Simulated LMS</title><h1>Added to the course: {html.escape(titles)}</h1>"
        )

    async def course_page(self, request: Request) -> Response:
        link = self.links[request.path_params["link"]]
        person = request.query_params.get("as", "")
        source = f"{self.url}/initiate?" + urlencode({"person": person, "link": link.id})
        page = (
            f"<!doctype html><html lang=en><title>{html.escape(link.title)} · Simulated LMS</title>"
            f"<h1>{html.escape(self.courses[link.course].title)}</h1><h2>{html.escape(link.title)}</h2>"
            f'<iframe id="tool" title="{html.escape(link.title)}" src="{html.escape(source)}" '
            'style="width:1100px;height:760px;border:1px solid #888" allow="clipboard-write"></iframe>'
        )
        return HTMLResponse(page)

    async def add_activity(self, request: Request) -> Response:
        """The course page where an instructor adds a PeerSim activity: PeerSim's picker in the iframe."""
        course = self.courses[request.path_params["course"]]
        person = request.query_params.get("as", "")
        source = f"{self.url}/initiate?" + urlencode({"person": person, "link": f"deep-link:{course.id}"})
        page = (
            f"<!doctype html><html lang=en><title>Add an activity · Simulated LMS</title>"
            f"<h1>{html.escape(course.title)}</h1><h2>Add an activity</h2>"
            f'<iframe id="tool" title="PeerSim" src="{html.escape(source)}" '
            'style="width:1100px;height:760px;border:1px solid #888"></iframe>'
        )
        return HTMLResponse(page)

    async def initiate(self, request: Request) -> Response:
        params = self.login_initiation(request.query_params["person"], request.query_params["link"])
        fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items())
        page = (
            f'<!doctype html><html lang=en><form id="initiate" method="post" action="{html.escape(self.tool_base)}/lti/login">{fields}</form>'
            '<script>document.getElementById("initiate").submit()</script>'
        )
        return HTMLResponse(page)

    # --------------------------------------------------------------------------------- the server
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/jwks", self.jwks),
                Route("/auth", self.auth),
                Route("/token", self.token, methods=["POST"]),
                Route("/lineitems", self.lineitem_container, methods=["GET", "POST"]),
                Route("/lineitems/{number:int}/lineitem/scores", self.score, methods=["POST"]),
                Route("/memberships/{course}", self.memberships),
                Route("/deep-link-return", self.deep_link_return, methods=["POST"]),
                Route("/course/{link}", self.course_page),
                Route("/add-activity/{course}", self.add_activity),
                Route("/initiate", self.initiate),
                Route("/favicon.ico", lambda request: Response(status_code=204)),
            ]
        )

    def start(self) -> Platform:
        self._server, self._thread = serve(self.app(), self.port)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            stop(self._server, self._thread)


def serve(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    """Run an ASGI app on 127.0.0.1:``port`` in a thread of this process, and wait until it listens."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name=f"test-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    return server, thread


def stop(server: uvicorn.Server, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(timeout=10)
