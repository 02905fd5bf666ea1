"""PeerSim's OpenID Connect relying party: two routes on st.App, beside the sign-in pages (configuration: ui/sso.py).

``GET /auth/sso`` (``?link=1`` from "Account and privacy" for a signed-in owner) reads the provider's discovery
document and sends the browser to its authorization endpoint with a fresh state, nonce and PKCE S256 challenge,
plus ``prompt`` only when PEERSIM_OIDC_PROMPT is set. What the callback needs back (state, nonce, code verifier,
and in link mode who asked) travels in a short-lived cookie, ``peersim_sso``: HttpOnly, SameSite=Lax, path /auth,
signed (HS256 JWT, joserfc) with a key derived from STREAMLIT_SERVER_COOKIE_SECRET, so any server can check it.

``GET /auth/sso/callback`` checks the state against that cookie, turns a provider's ``error=`` into a kind page,
exchanges the code (with the client secret and the code verifier), validates the ID token with Authlib (signature by
the provider's JWKS, issuer, audience, expiry, nonce), merges the userinfo endpoint's claims (a conformant provider
may put name and email only there), and hands the identity to records: ``Accounts.single_sign_on`` to sign in, or
``Accounts.link_single_sign_on`` in link mode. Signing in starts the same server-side session as a password does.
Every way this can go wrong ends on a kind page with a way back, never a stack trace.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import secrets
import time
from functools import lru_cache
from typing import Any

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from records import AccountError, SignInRefused
from ui import sso
from ui.signin import SESSION_COOKIE, _page, _secure, _signed_in, _store, client_address

log = logging.getLogger("peersim")

STATE_COOKIE = "peersim_sso"
STATE_MINUTES = 10
_GENERATED_SECRET = secrets.token_urlsafe(48)

SIGN_IN = "/auth/signin"
ACCOUNT = "/account"


# ------------------------------------------------------------------------------------------- pages
def _kind_page(title: str, message: str, back: str = SIGN_IN, status: int = 200) -> HTMLResponse:
    where = "Back to Account and privacy" if back == ACCOUNT else "Back to sign in"
    body = f'<p class="note">{html.escape(message)}</p><nav><a href="{back}">{where}</a></nav>'
    return _page(title, body, status=status)


def not_set_up() -> HTMLResponse:
    return _kind_page(
        "Single sign-on is not set up",
        "This PeerSim does not use single sign-on. Please sign in with your email and password.",
        status=404,
    )


def expired() -> HTMLResponse:
    return _kind_page(
        "Please try again",
        "This sign-in took too long, or it was started in another browser or tab. Please start again from the sign-in page.",
        status=400,
    )


def unreachable() -> HTMLResponse:
    return _kind_page(
        "Single sign-on is not answering",
        f"PeerSim could not reach {sso.label()} just now. Please try again in a few minutes, or sign in with your "
        "email and password.",
        status=502,
    )


def failed(link: bool) -> HTMLResponse:
    doing = "linking your account to" if link else "signing you in with"
    return _kind_page(
        "Single sign-on did not work",
        f"PeerSim could not finish {doing} {sso.label()}. Please try again in a moment. If it keeps happening, "
        "please tell your program's admin.",
        back=ACCOUNT if link else SIGN_IN,
        status=502,
    )


def provider_error(error: str, description: str, link: bool) -> HTMLResponse:
    back = ACCOUNT if link else SIGN_IN
    if error == "access_denied":  # the person declined, or the provider would not let them through
        doing = "Linking" if link else "Signing in with"
        other = "" if link else " You can try again, or sign in with your email and password."
        return _kind_page(
            "Not linked" if link else "Not signed in",
            f"{doing} {sso.label()} was canceled, so PeerSim received none of your details and nothing has changed.{other}",
            back=back,
            status=403,
        )
    answered = error[:60] + (f" ({description[:200]})" if description else "")
    label = sso.label()
    return _kind_page(
        "Single sign-on did not work",
        f"{label[:1].upper()}{label[1:]} could not complete the sign-in. It answered: {answered}. Please try again. If it keeps "
        "happening, please show this message to your program's admin.",
        back=back,
        status=502,
    )


def refused(message: str) -> HTMLResponse:
    return _kind_page("We could not sign you in", message, status=403)


def linked() -> HTMLResponse:
    label = sso.label()
    return _kind_page(
        "Single sign-on linked",
        f"Your PeerSim account is now linked to {label}. From now on you can sign in with {label} or with your "
        "email and password.",
        back=ACCOUNT,
    )


def not_linked(message: str) -> HTMLResponse:
    return _kind_page("Single sign-on not linked", message, back=ACCOUNT, status=403)


def link_signed_out() -> HTMLResponse:
    return _kind_page(
        "Please sign in again",
        f"You were signed out before linking finished, so nothing was linked. Please sign in, then link {sso.label()} "
        'again under "Account and privacy".',
        status=403,
    )


# ------------------------------------------------------------------------------ the state cookie
def _state_key() -> OctKey:
    secret = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or _GENERATED_SECRET
    return OctKey.import_key(hashlib.sha256(b"peersim single sign-on state\0" + secret.encode()).digest())


def _seal(data: dict[str, Any]) -> str:
    return jwt.encode({"alg": "HS256"}, {**data, "exp": int(time.time()) + STATE_MINUTES * 60}, _state_key())


def _unseal(value: str | None) -> dict[str, Any] | None:
    """The data sealed at the start, or None when there is none, it was altered, or it has expired."""
    if not value:
        return None
    try:
        token = jwt.decode(value, _state_key(), algorithms=["HS256"])
        JWTClaimsRegistry(exp={"essential": True}, state={"essential": True}).validate(token.claims)
    except (JoseError, ValueError):
        return None
    return dict(token.claims)


def _forget_state(request: Request, response: Response) -> Response:
    response.delete_cookie(STATE_COOKIE, path="/auth", httponly=True, samesite="lax", secure=_secure(request))
    return response


# ------------------------------------------------------------------------------------ the client
@lru_cache(maxsize=4)
def _client(config: sso.Settings) -> StarletteOAuth2App:
    """Authlib's client for the provider; it caches the discovery document and the JWKS (refetched for a new key)."""
    client = OAuth().register(
        "peersim",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.metadata_url,
        client_kwargs={"scope": config.scopes, "code_challenge_method": "S256", "timeout": 15},
    )
    assert isinstance(client, StarletteOAuth2App)
    return client


def _name(claims: dict[str, Any]) -> str | None:
    """The person's name from standard claims: name, else given and family name, else a preferred username."""
    given = " ".join(str(claims.get(key) or "") for key in ("given_name", "family_name")).strip()
    for value in (claims.get("name"), given, claims.get("preferred_username"), claims.get("nickname")):
        if isinstance(value, str) and value.strip():
            return value
    return None


async def checked_id_token(client: StarletteOAuth2App, config: sso.Settings, token: dict[str, Any], nonce: str) -> dict[str, Any]:
    """The ID token's claims, once its signature (the provider's JWKS), issuer, audience, expiry and nonce check out.
    Authlib checks the audience only when asked to, so it is asked here."""
    if "id_token" not in token:
        raise ValueError("the token response has no ID token")
    metadata = await client.load_server_metadata()
    claims = await client.parse_id_token(
        token,
        nonce=nonce,
        claims_options={
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": config.client_id},
            "exp": {"essential": True},
        },
    )
    return dict(claims)


async def _identity(config: sso.Settings, code: str, saved: dict[str, Any], iss: str | None) -> dict[str, Any]:
    """The validated claims of the person the provider signed in: ID token, then userinfo for what it lacks."""
    client = _client(config)
    metadata = await client.load_server_metadata()
    if iss is not None and iss != metadata["issuer"]:  # RFC 9207: the answer came from another issuer (mix-up)
        raise ValueError("the authorization response names another issuer")
    token = await client.fetch_access_token(redirect_uri=config.redirect_uri, code=code, code_verifier=str(saved["verifier"]))
    claims = await checked_id_token(client, config, token, str(saved["nonce"]))
    if metadata.get("userinfo_endpoint") and token.get("access_token"):
        userinfo = dict(await client.userinfo(token=token))
        if userinfo.get("sub") != claims["sub"]:  # OpenID Connect Core 5.3.4: never mix two people's claims
            raise ValueError("the userinfo response is about a different subject")
        claims = {**userinfo, **claims}
    return claims


# ----------------------------------------------------------------------------------------- routes
async def start(request: Request) -> Response:
    config = sso.settings()
    if config is None:
        return not_set_up()
    who: int | None = None
    if request.query_params.get("link") == "1":
        user = await run_in_threadpool(_store().accounts.user_for_session, request.cookies.get(SESSION_COOKIE))
        if user is None:
            return RedirectResponse(SIGN_IN, status_code=303)
        who = user.id
    extra = {"prompt": config.prompt} if config.prompt else {}
    try:
        authorization = await _client(config).create_authorization_url(config.redirect_uri, **extra)
    except Exception:  # the provider's discovery document could not be had: say so kindly, log the detail
        log.warning("single sign-on: could not start with %s", config.metadata_url, exc_info=True)
        return unreachable()
    sealed = _seal(
        {
            "state": authorization["state"],
            "nonce": authorization["nonce"],
            "verifier": authorization["code_verifier"],
            "link": who,
        }
    )
    response = RedirectResponse(authorization["url"], status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        sealed,
        max_age=STATE_MINUTES * 60,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/auth",
    )
    return response


async def callback(request: Request) -> Response:
    config = sso.settings()
    if config is None:
        return not_set_up()
    saved = _unseal(request.cookies.get(STATE_COOKIE))
    state = request.query_params.get("state", "")
    if saved is None or not state or not secrets.compare_digest(state.encode(), str(saved["state"]).encode()):
        return _forget_state(request, expired())
    link_for = saved.get("link")
    error = request.query_params.get("error")
    if error:
        log.info("single sign-on: the provider answered %s", error[:60])
        page = provider_error(error, request.query_params.get("error_description", ""), link_for is not None)
        return _forget_state(request, page)
    code = request.query_params.get("code")
    if not code:
        return _forget_state(request, expired())
    try:
        claims = await _identity(config, code, saved, request.query_params.get("iss"))
    except Exception:  # a refused code, a bad signature, a wrong audience, a provider down: a kind page, logged
        log.warning("single sign-on: could not complete the sign-in", exc_info=True)
        return _forget_state(request, failed(link_for is not None))

    subject = f"{claims['iss']}|{claims['sub']}"
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    verified = claims.get("email_verified") in (True, "true")  # some providers send the string
    accounts = _store().accounts
    if link_for is not None:
        user = await run_in_threadpool(accounts.user_for_session, request.cookies.get(SESSION_COOKIE))
        if user is None or user.id != link_for:
            return _forget_state(request, link_signed_out())
        try:
            await run_in_threadpool(accounts.link_single_sign_on, user, subject)
        except AccountError as exc:
            return _forget_state(request, not_linked(str(exc)))
        return _forget_state(request, linked())
    try:
        user = await run_in_threadpool(
            lambda: accounts.single_sign_on(
                subject, email, _name(claims), email_verified=verified, address=client_address(request)
            )
        )
    except SignInRefused as exc:
        return _forget_state(request, refused(str(exc)))
    return _forget_state(request, await run_in_threadpool(_signed_in, request, user))


ROUTES = [
    Route("/auth/sso", start, methods=["GET"]),
    Route("/auth/sso/callback", callback, methods=["GET"]),
]
