"""Sign-in, sign-up, first-run set-up and sign-out as small server-rendered pages, mounted on st.App.

Why routes and not Streamlit widgets: only an HTTP response can set an HttpOnly cookie, and plain HTML forms
work with password managers and screen readers. The Streamlit script then reads the cookie (ui.identity).

Cookies: ``peersim_session`` (HttpOnly, SameSite=Lax, Secure behind HTTPS) holds a random token whose hash is
in the database; ``peersim_csrf`` (SameSite=Strict) pairs with a hidden form field against cross-site posts.
"""

from __future__ import annotations

import html
import ipaddress
import os
import secrets
import sys
from collections.abc import Callable

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from records import AccountError, CohortError, Store, User, WeakPassword
from records.accounts import SESSION_DAYS
from records.invitations import Invitation
from records.passwords import MIN_LENGTH
from records.recovery import RESET_HOURS
from ui import mail, services, sso

SESSION_COOKIE = "peersim_session"
CSRF_COOKIE = "peersim_csrf"

_SETUP_TOKEN = os.environ.get("PEERSIM_SETUP_TOKEN") or secrets.token_urlsafe(24)
"""Who may create the first admin: whoever can read this server's log (where :func:`announce_setup` prints a
link with it) or set PEERSIM_SETUP_TOKEN (the same on every server behind a load balancer). Without it, the first
visitor on a shared network (classroom Wi-Fi) could claim the admin account."""


def setup_token() -> str:
    return _SETUP_TOKEN


def setup_link(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/auth/setup?token={_SETUP_TOKEN}"


def announce_setup(base_url: str) -> None:
    """Print the one-time set-up link to the server's log (stderr), as Jupyter prints its token."""
    message = (
        "PeerSim has no admin yet. To create the first admin, open this link in your browser "
        f"(it works only on this server and while there is no admin):\n\n    {setup_link(base_url)}\n"
    )
    print(message, file=sys.stderr, flush=True)


def client_address(request: Request) -> str:
    """The address a request came from, for throttling. Behind a load balancer or proxy, set
    PEERSIM_TRUSTED_PROXIES to its addresses (comma-separated): then the right-most X-Forwarded-For entry that is
    not one of them is the client. Otherwise the header is ignored, since anyone can send it."""
    peer = request.client.host if request.client else "unknown"
    trusted = {item.strip() for item in os.environ.get("PEERSIM_TRUSTED_PROXIES", "").split(",") if item.strip()}
    if peer not in trusted:
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return "unknown"
    return peer


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · PeerSim</title>
<style>
 body {{ font-family: "Source Sans Pro", Arial, sans-serif; background: #f6f7f9; color: #1b1f24; margin: 0; }}
 main {{ max-width: 28rem; margin: 4rem auto; background: #fff; padding: 2rem 2.25rem; border-radius: 12px;
        border: 1px solid #d8dde3; }}
 h1 {{ font-size: 1.6rem; margin: 0 0 .25rem; }} p.lead {{ color: #444; margin-top: 0; }}
 label {{ display: block; font-weight: 600; margin: 1rem 0 .3rem; }}
 input {{ width: 100%; box-sizing: border-box; font-size: 1rem; padding: .6rem .7rem; border: 1px solid #8a939d;
         border-radius: 8px; }}
 input:focus, button:focus, a:focus {{ outline: 3px solid #f2b01e; outline-offset: 2px; }}
 .hint {{ color: #4a5560; font-size: .9rem; margin-top: .3rem; }}
 button {{ margin-top: 1.4rem; width: 100%; font-size: 1rem; padding: .7rem; border: 0; border-radius: 8px;
          background: #1f4e79; color: #fff; font-weight: 600; cursor: pointer; }}
 .error {{ background: #fdecea; border: 1px solid #b3261e; color: #7a1b14; padding: .7rem .9rem; border-radius: 8px; }}
 .note {{ background: #e8f1fb; border: 1px solid #1f4e79; padding: .7rem .9rem; border-radius: 8px; }}
 nav {{ margin-top: 1.2rem; font-size: .95rem; }} a {{ color: #1f4e79; }}
</style></head>
<body><main>
<h1>{title}</h1>
{body}
</main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=html.escape(title), body=body), status_code=status)


def _field(label: str, name: str, kind: str = "text", value: str = "", hint: str = "", autocomplete: str = "") -> str:
    hint_id = f"{name}-hint"
    described = f' aria-describedby="{hint_id}"' if hint else ""
    hint_html = f'<div class="hint" id="{hint_id}">{html.escape(hint)}</div>' if hint else ""
    auto = f' autocomplete="{autocomplete}"' if autocomplete else ""
    return (
        f'<label for="{name}">{html.escape(label)}</label>'
        f'<input id="{name}" name="{name}" type="{kind}" value="{html.escape(value)}"{auto}{described} required>{hint_html}'
    )


def _form(action: str, csrf: str, fields: str, button: str) -> str:
    return (
        f'<form method="post" action="{action}" novalidate>'
        f'<input type="hidden" name="csrf" value="{html.escape(csrf)}">{fields}<button type="submit">{html.escape(button)}</button>'
        "</form>"
    )


def _error(message: str | None) -> str:
    return f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""


def _store() -> Store:
    """The process's one Store (ui.services.store: one engine and pool per server process), for these routes."""
    return services.store()


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def _with_csrf(request: Request, build: Callable[[str], Response]) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = build(token)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/auth")
    return response


async def _checked_form(request: Request) -> dict[str, str] | None:
    form = await request.form()
    sent = str(form.get("csrf", ""))
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not sent or not cookie or not secrets.compare_digest(sent, cookie):
        return None
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


NOT_JOINED = "not-joined"
"""Home's ``?signup=`` value after a sign-up whose join code did not work: the account exists, the cohort was not
joined, and Home says so (the Account page joins later)."""


def _signed_in(request: Request, user: User, *, home: str = "/") -> Response:
    token = _store().accounts.start_session(user)
    response = RedirectResponse(home, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    return response


def _expired_form() -> HTMLResponse:
    return _page(
        "Please try again",
        _error("This form had expired or came from another site. Please go back and send it again.")
        + '<nav><a href="/auth/signin">Back to sign in</a></nav>',
        status=400,
    )


# --------------------------------------------------------------------------------------------- sign in
def _signin_page(csrf: str, email: str = "", error: str | None = None, note: str = "") -> HTMLResponse:
    body = (
        '<p class="lead">Practice the conversations of peer support.</p>'
        + (f'<p class="note">{html.escape(note)}</p>' if note else "")
        + _error(error)
        + _form(
            "/auth/signin",
            csrf,
            _field("Email", "email", "email", email, autocomplete="username")
            + _field("Password", "password", "password", autocomplete="current-password"),
            "Sign in",
        )
        + _forgot_link()
        + _single_sign_on_link()
        + '<nav>New to PeerSim? <a href="/auth/signup">Create an account</a></nav>'
    )
    return _page("Sign in", body)


def _single_sign_on_link() -> str:
    if not sso.enabled():
        return ""
    return (
        '<p style="text-align:center;margin:1.2rem 0 0">or</p>'
        f'<p style="text-align:center"><a href="/auth/sso">Sign in with {html.escape(sso.label())}</a></p>'
    )


async def signin(request: Request) -> Response:
    if not await run_in_threadpool(_store().accounts.has_admin):
        return RedirectResponse("/auth/setup", status_code=303)
    if request.method == "GET":
        note = "You have signed out." if request.query_params.get("bye") else ""
        return _with_csrf(request, lambda csrf: _signin_page(csrf, note=note))
    form = await _checked_form(request)
    if form is None:
        return _expired_form()
    email = form.get("email", "")
    try:
        user = await run_in_threadpool(_store().accounts.sign_in, email, form.get("password", ""), client_address(request))
    except AccountError as exc:
        message = str(exc)
        return _with_csrf(request, lambda csrf: _signin_page(csrf, email, message))
    return await run_in_threadpool(_signed_in, request, user)


# --------------------------------------------------------------------------------------------- sign up
def _signup_page(csrf: str, form: dict[str, str] | None = None, error: str | None = None) -> HTMLResponse:
    form = form or {}
    body = (
        '<p class="lead">Create your trainee account. Your practice records are private: only you, the instructors '
        "of cohorts you join, and your program's admins can see them.</p>"
        + _error(error)
        + _form(
            "/auth/signup",
            csrf,
            _field("Your name", "name", value=form.get("name", ""), hint="A first name or nickname is fine.", autocomplete="name")
            + _field("Email", "email", "email", form.get("email", ""), autocomplete="username")
            + _field(
                "Password",
                "password",
                "password",
                hint=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password.",
                autocomplete="new-password",
            )
            + _field(
                "Cohort join code (optional)",
                "code",
                value=form.get("code", ""),
                hint="If your instructor gave you a code, enter it here. You can also join later.",
            ).replace(" required>", ">"),
            "Create account",
        )
        + '<nav>Already have an account? <a href="/auth/signin">Sign in</a></nav>'
    )
    return _page("Create an account", body)


async def signup(request: Request) -> Response:
    if request.method == "GET":
        return _with_csrf(request, lambda csrf: _signup_page(csrf))
    form = await _checked_form(request)
    if form is None:
        return _expired_form()

    address = client_address(request)

    def create() -> tuple[User, bool]:
        store = _store()
        code = form.get("code", "").strip()
        if code:  # check the code before creating anything
            from records.codes import CODE_LENGTH, normalise_code

            if len(normalise_code(code)) != CODE_LENGTH:
                raise CohortError(f"A join code has {CODE_LENGTH} letters and numbers, like K7M2QX. Please check it.")
        user = store.accounts.register(form.get("name", ""), form.get("email", ""), form.get("password", ""), address)
        joined = True
        if code:
            try:
                store.cohorts.join(user, code, address=address)
            except CohortError:  # the account stands; Home says so, and the Account page can join later
                joined = False
        return user, joined

    try:
        user, joined = await run_in_threadpool(create)
    except (AccountError, WeakPassword, CohortError) as exc:
        message = str(exc)
        return _with_csrf(request, lambda csrf: _signup_page(csrf, form, message))
    home = "/" if joined else f"/?signup={NOT_JOINED}"
    return await run_in_threadpool(lambda: _signed_in(request, user, home=home))


# ---------------------------------------------------------------------------------------- first run
SETUP_LEAD = (
    "Welcome. This PeerSim has no admin yet: create the first admin account. "
    "Admins add instructors and keep trainee records safe."
)
SETUP_WHERE = (
    "For safety, setting up needs the one-time set-up link that this server printed in its log when it started "
    "(it ends in ?token=...). Open that link, or on the server run: python -m records create-admin"
)
SETUP_WRONG = "That set-up link is not this server's. Please copy the link from the server's log again."


async def setup(request: Request) -> Response:
    if await run_in_threadpool(_store().accounts.has_admin):
        return RedirectResponse("/auth/signin", status_code=303)

    def page(csrf: str, token: str, form: dict[str, str] | None = None, error: str | None = None) -> HTMLResponse:
        form = form or {}
        if not secrets.compare_digest(token.encode(), _SETUP_TOKEN.encode()):
            body = (
                f'<p class="lead">{html.escape(SETUP_LEAD)}</p>'
                + _error(error)
                + f'<p class="note">{html.escape(SETUP_WHERE)}</p>'
            )
            return _page("Set up PeerSim", body, status=403 if error else 200)
        body = (
            f'<p class="lead">{html.escape(SETUP_LEAD)}</p>'
            + _error(error)
            + _form(
                "/auth/setup",
                csrf,
                f'<input type="hidden" name="token" value="{html.escape(token)}">'
                + _field("Your name", "name", value=form.get("name", ""), autocomplete="name")
                + _field("Email", "email", "email", form.get("email", ""), autocomplete="username")
                + _field(
                    "Password", "password", "password", hint=f"At least {MIN_LENGTH} characters.", autocomplete="new-password"
                ),
                "Create the admin account",
            )
        )
        return _page("Set up PeerSim", body)

    if request.method == "GET":
        token = request.query_params.get("token", "")
        if token and not secrets.compare_digest(token.encode(), _SETUP_TOKEN.encode()):
            return _with_csrf(request, lambda csrf: page(csrf, "", error=SETUP_WRONG))
        if not token:
            announce_setup(str(request.base_url))  # in case the start-up message has scrolled away
        return _with_csrf(request, lambda csrf: page(csrf, token))
    form = await _checked_form(request)
    if form is None:
        return _expired_form()
    token = form.get("token", "")
    if not secrets.compare_digest(token.encode(), _SETUP_TOKEN.encode()):
        return _with_csrf(request, lambda csrf: page(csrf, "", error=SETUP_WRONG))
    try:
        user = await run_in_threadpool(
            _store().accounts.create_first_admin, form.get("name", ""), form.get("email", ""), form.get("password", "")
        )
    except (AccountError, WeakPassword) as exc:
        message = str(exc)
        return _with_csrf(request, lambda csrf: page(csrf, token, form, message))
    return await run_in_threadpool(_signed_in, request, user)


# ----------------------------------------------------------------------------------------- sign out
async def signout(request: Request) -> Response:
    if request.method == "GET":
        return _with_csrf(
            request,
            lambda csrf: _page(
                "Sign out",
                '<p class="lead">Sign out of PeerSim on this device? Your practice is saved.</p>'
                + _form("/auth/signout", csrf, "", "Sign out")
                + '<nav><a href="/">Stay signed in</a></nav>',
            ),
        )
    form = await _checked_form(request)
    if form is None:
        return _expired_form()
    await run_in_threadpool(_store().accounts.end_session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/auth/signin?bye=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


# ------------------------------------------------------------------------------------ password reset
RESET_PATH = "/auth/reset"
FORGOT_SENT = (
    "If PeerSim has an account with that email address, we have sent it a link to choose a new password. "
    f"The link works once, for {RESET_HOURS} hours. If nothing arrives within a few minutes, please check your "
    "spam folder, or ask your program's admin for help."
)
FORGOT_OFF = "This PeerSim does not send email. Please ask your program's admin for a link to reset your password."
RESET_DONE = (
    "Your password has been changed, and your account has been signed out everywhere. Please sign in with your new password."
)
RESET_DONE_SWITCHED_OFF = (
    "Your password has been changed. Your account is switched off at the moment, so please ask your program's "
    "admin to switch it back on before you sign in."
)


def reset_link(base_url: str, token: str) -> str:
    """The address of a one-time reset link (the token is shown or sent once, never stored)."""
    return f"{base_url.rstrip('/')}{RESET_PATH}?token={token}"


def _forgot_link() -> str:
    return '<nav><a href="/auth/forgot">Forgot your password?</a></nav>' if mail.configured() else ""


def _private(response: Response) -> Response:
    """Pages that carry a reset token: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _forgot_page(csrf: str, email: str = "", error: str | None = None) -> HTMLResponse:
    body = (
        '<p class="lead">Type the email address of your PeerSim account, and we will email you a link to choose a '
        "new password.</p>"
        + _error(error)
        + _form("/auth/forgot", csrf, _field("Email", "email", "email", email, autocomplete="username"), "Email me a link")
        + '<nav><a href="/auth/signin">Back to sign in</a></nav>'
    )
    return _page("Forgot your password?", body)


async def forgot(request: Request) -> Response:
    """Self-service reset by email: the same kind answer whether or not an account has the address. The email is
    sent after the response (a background task), so how long the page takes tells nothing either."""
    config = mail.settings()
    if config is None:
        return _page(
            "Forgot your password?",
            f'<p class="note">{html.escape(FORGOT_OFF)}</p><nav><a href="/auth/signin">Back to sign in</a></nav>',
        )
    if request.method == "GET":
        return _with_csrf(request, lambda csrf: _forgot_page(csrf))
    form = await _checked_form(request)
    if form is None:
        return _expired_form()
    email = form.get("email", "")
    try:
        link = await run_in_threadpool(_store().recovery.request, email, client_address(request))
    except AccountError as exc:
        message = str(exc)
        return _with_csrf(request, lambda csrf: _forgot_page(csrf, email, message))
    response = _page(
        "Check your email",
        f'<p class="note" role="status">{html.escape(FORGOT_SENT)}</p><nav><a href="/auth/signin">Back to sign in</a></nav>',
    )
    if link is not None and link.user.email:
        message = mail.reset_message(
            config, link.user.email, link.user.name, reset_link(config.public_url, link.token), RESET_HOURS
        )
        response.background = BackgroundTask(mail.send, config, message)
    return response


def _reset_form(csrf: str, token: str, who: User, error: str | None = None) -> Response:
    body = (
        f'<p class="lead">Choose a new password for {html.escape(who.email or who.name)}.</p>'
        + _error(error)
        + _form(
            RESET_PATH,
            csrf,
            f'<input type="hidden" name="token" value="{html.escape(token)}">'
            + f'<input type="hidden" name="username" value="{html.escape(who.email or "")}" autocomplete="username">'
            + _field(
                "New password",
                "password",
                "password",
                hint=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password.",
                autocomplete="new-password",
            ),
            "Save the new password",
        )
    )
    return _private(_page("Choose a new password", body))


def _reset_refused(message: str) -> Response:
    again = (
        '<a href="/auth/forgot">Ask for a new link</a> · '
        if mail.configured()
        else "Your program's admin can make you a new link. "
    )
    return _private(
        _page("Choose a new password", _error(message) + f'<nav>{again}<a href="/auth/signin">Sign in</a></nav>', 400)
    )


async def reset(request: Request) -> Response:
    """A one-time link (from an admin or an email): choose a new password with the policy; then every session of
    the account ends and the link is used up."""
    store = _store()
    if request.method == "GET":
        token = request.query_params.get("token", "")
        try:
            who = await run_in_threadpool(store.recovery.check, token)
        except AccountError as exc:
            return _reset_refused(str(exc))
        return _with_csrf(request, lambda csrf: _reset_form(csrf, token, who))
    form = await _checked_form(request)
    if form is None:
        return _expired_form()
    token = form.get("token", "")
    try:
        _, switched_off = await run_in_threadpool(store.recovery.reset, token, form.get("password", ""))
    except WeakPassword as exc:
        weak = str(exc)
        try:
            who = await run_in_threadpool(store.recovery.check, token)
        except AccountError as refused:
            return _reset_refused(str(refused))
        return _with_csrf(request, lambda csrf: _reset_form(csrf, token, who, weak))
    except AccountError as exc:
        return _reset_refused(str(exc))
    done = RESET_DONE_SWITCHED_OFF if switched_off else RESET_DONE
    response = _private(
        _page(
            "Password changed",
            f'<p class="note" role="status">{html.escape(done)}</p><nav><a href="/auth/signin">Sign in</a></nav>',
        )
    )
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


# ------------------------------------------------------------------------------ cohort invitations
INVITE_PATH = "/auth/invite"
INVITE_PRIVATE = (
    "Your practice records are private: only you, the instructors of cohorts you join, and your program's admins can see them."
)
INVITE_SIGN_IN = "You already have a PeerSim account with {email}. Sign in with your password to join {cohort}."
INVITE_SIGNED_IN = "You are signed in as {email}."
INVITE_OTHER = "You are signed in as {other}, and this invitation is for {email}: signing in below switches to that account."
INVITE_SSO = (
    "Your PeerSim account with {email} signs in with {label}. Please sign in that way, then open this invitation "
    "link again to join {cohort}."
)
INVITE_NO_WAY_IN = (
    "Your PeerSim account with {email} has no password. Please ask your program's admin for a link to choose one, "
    "then open this invitation link again to join {cohort}."
)
INVITE_SESSION_ENDED = "Your sign-in has ended. Please sign in again to join {cohort}."


def invite_link(base_url: str, token: str) -> str:
    """The address of a one-time invitation link (the token is shown once, to the instructor, and never stored)."""
    return f"{base_url.rstrip('/')}{INVITE_PATH}?token={token}"


def _note(message: str) -> str:
    return f'<p class="note">{html.escape(message)}</p>' if message else ""


def _invite_page(csrf: str, token: str, invitation: Invitation, signed_in: User | None, error: str = "") -> Response:
    """The page an invitation link opens, for whoever holds it: choose a password (no account has the address),
    sign in (one has), or join at once (signed in as that account)."""
    cohort, email = invitation.cohort_name, invitation.email
    lead = (
        f'<p class="lead">{html.escape(invitation.invited_by)} invited you to join <strong>{html.escape(cohort)}</strong> '
        "on PeerSim, to practice the conversations of peer support.</p>"
    )
    hidden = f'<input type="hidden" name="token" value="{html.escape(token)}">'
    username = f'<input type="hidden" name="username" value="{html.escape(email)}" autocomplete="username">'
    until = f'<p class="hint">This invitation works until {invitation.expires_at:%b %d, %Y %H:%M} UTC.</p>'
    if signed_in is not None and (signed_in.email or "") == email:
        body = _note(INVITE_SIGNED_IN.format(email=email)) + _form(
            INVITE_PATH, csrf, hidden + '<input type="hidden" name="action" value="join">', f"Join {cohort}"
        )
    elif not invitation.has_account:
        body = f"<p>Create your account to join. {html.escape(INVITE_PRIVATE)}</p>" + _form(
            INVITE_PATH,
            csrf,
            hidden
            + '<input type="hidden" name="action" value="create">'
            + f"<p><strong>Email:</strong> {html.escape(email)}</p>"
            + username
            + _field(
                "Your name",
                "name",
                value=invitation.name,
                hint="As your instructor typed it. You can change it: a first name or nickname is fine.",
                autocomplete="name",
            )
            + _field(
                "Choose a password",
                "password",
                "password",
                hint=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password.",
                autocomplete="new-password",
            ),
            "Create my account and join",
        )
    elif invitation.has_password:
        other = signed_in.email or signed_in.name if signed_in is not None else ""
        body = (
            (_note(INVITE_OTHER.format(other=other, email=email)) if other else "")
            + f"<p>{html.escape(INVITE_SIGN_IN.format(email=email, cohort=cohort))}</p>"
            + _form(
                INVITE_PATH,
                csrf,
                hidden
                + '<input type="hidden" name="action" value="signin">'
                + username
                + _field("Password", "password", "password", autocomplete="current-password"),
                "Sign in and join",
            )
            + _forgot_link()
        )
    elif sso.enabled():
        body = _note(INVITE_SSO.format(email=email, label=sso.label(), cohort=cohort)) + (
            f'<nav><a href="/auth/sso">Sign in with {html.escape(sso.label())}</a></nav>'
        )
    else:
        body = _note(INVITE_NO_WAY_IN.format(email=email, cohort=cohort))
    return _private(_page(f"Join {cohort}", lead + _error(error) + body + until))


def _invite_refused(message: str) -> Response:
    return _private(_page("Your invitation", _error(message) + '<nav><a href="/auth/signin">Sign in</a></nav>', 400))


async def invite(request: Request) -> Response:
    """A one-time invitation link from an instructor's list (records.invitations): a new person chooses a password
    and their account is made in the cohort; the owner of an existing account signs in (or is signed in) and
    joins. Never a second account for one address."""
    store = _store()
    signed_in = await run_in_threadpool(store.accounts.user_for_session, request.cookies.get(SESSION_COOKIE))
    if request.method == "GET":
        token = request.query_params.get("token", "")
        try:
            invitation = await run_in_threadpool(store.invitations.check, token)
        except CohortError as exc:
            return _invite_refused(str(exc))
        return _with_csrf(request, lambda csrf: _invite_page(csrf, token, invitation, signed_in))
    form = await _checked_form(request)
    if form is None:
        return _expired_form()
    token, action = form.get("token", ""), form.get("action", "")
    try:
        invitation = await run_in_threadpool(store.invitations.check, token)
    except CohortError as exc:
        return _invite_refused(str(exc))

    def again(message: str) -> Response:
        """The page once more, with what went wrong (the link still works)."""
        return _with_csrf(request, lambda csrf: _invite_page(csrf, token, invitation, signed_in, message))

    try:
        if action == "create":
            joined = await run_in_threadpool(store.invitations.accept_new, token, form.get("password", ""), form.get("name", ""))
            return await run_in_threadpool(_signed_in, request, joined.user)
        if action == "signin":
            user = await run_in_threadpool(
                store.accounts.sign_in, invitation.email, form.get("password", ""), client_address(request)
            )
            await run_in_threadpool(store.invitations.accept, user, token)
            return await run_in_threadpool(_signed_in, request, user)
        if action == "join":
            if signed_in is None:  # signed out in another tab meanwhile: the page now asks to sign in
                return again(INVITE_SESSION_ENDED.format(cohort=invitation.cohort_name))
            await run_in_threadpool(store.invitations.accept, signed_in, token)
            return RedirectResponse("/", status_code=303)
        return again("")
    except (AccountError, WeakPassword) as exc:  # a weak password, a wrong one: the form again
        return again(str(exc))
    except CohortError as exc:  # the link stopped working meanwhile, or the cohort is closed, or another account
        try:
            invitation = await run_in_threadpool(store.invitations.check, token)
        except CohortError as refused:
            return _invite_refused(str(refused))
        return again(str(exc))


ROUTES = [
    Route("/auth/signin", signin, methods=["GET", "POST"]),
    Route("/auth/signup", signup, methods=["GET", "POST"]),
    Route("/auth/setup", setup, methods=["GET", "POST"]),
    Route("/auth/signout", signout, methods=["GET", "POST"]),
    Route("/auth/forgot", forgot, methods=["GET", "POST"]),
    Route(RESET_PATH, reset, methods=["GET", "POST"]),
    Route(INVITE_PATH, invite, methods=["GET", "POST"]),
]


def unavailable_page() -> HTMLResponse:
    """What any browser request gets while the database cannot be reached (503, try again shortly)."""
    from ui.outage import MESSAGE

    body = f'<p role="alert">{html.escape(MESSAGE)}</p><p><a href="/">Try again</a></p>'
    response = _page("PeerSim is briefly unavailable", body, status=503)
    response.headers["Retry-After"] = "30"
    return response


async def database_unavailable(request: Request, error: Exception) -> Response:
    """Starlette exception handler for the sign-in routes: a database outage is a kind 503 page, not a 500."""
    return unavailable_page()
