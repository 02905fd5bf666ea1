"""The admin page's "LMS platforms (LTI 1.3)" section: the values a learning platform needs to add PeerSim as a tool,
the platforms registered here (register, edit, remove), and the scores on their way to the platforms' gradebooks.

pages/admin.py calls :func:`show` with the signed-in admin. records.lti checks the admin role again and the rules
of a registration, and writes each change to the audit log."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st

from records import User
from records.lti import PLATFORM_FIELDS, LtiError, Platform, PlatformForm
from ui import lti_grades, services
from ui.lti_routes import DEEP_LINK_PATH, JWKS_PATH, LAUNCH_PATH, LOGIN_PATH
from ui.lti_tool import trustworthy
from ui.render import esc

FLASH = "lti_admin.flash"
CONFIRM_REMOVE = "lti_admin.confirm_remove"
NEW = "lti_new_"
EDIT = "lti_edit_"
HINTS = {
    "name": "What admins and instructors see, like 'Moodle at Riverside College'.",
    "issuer": "Moodle: Platform ID. Canvas: https://canvas.instructure.com (or your Canvas's issuer).",
    "client_id": "Moodle: Client ID, in the tool's details. Canvas: the developer key's ID.",
    "auth_login_url": "Moodle: Authentication request URL. Canvas: https://sso.canvaslms.com/api/lti/authorize_redirect.",
    "auth_token_url": "Moodle: Access token URL. Canvas: https://sso.canvaslms.com/login/oauth2/token.",
    "keyset_url": "Moodle: Public keyset URL. Canvas: https://sso.canvaslms.com/api/lti/security/jwks.",
    "deployment_ids": "One per line. Moodle: Deployment ID. Canvas: the app's Deployment ID, once it is installed.",
}


def base_url() -> str:
    """Where learning platforms reach PeerSim: PEERSIM_PUBLIC_URL, else the address this admin's browser used."""
    configured = os.environ.get("PEERSIM_PUBLIC_URL", "").strip().rstrip("/")
    if configured:
        return configured
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def tool_values(base: str) -> list[tuple[str, str]]:
    """What an admin types into the learning platform, by the names Moodle and Canvas use."""
    return [
        ("Tool URL, Redirection URI(s) / Redirect URIs, Target Link URI", base + LAUNCH_PATH),
        ("Initiate login URL / OpenID Connect Initiation Url", base + LOGIN_PATH),
        ("Public keyset URL / Public JWK URL", base + JWKS_PATH),
        ("Content Selection URL (deep linking)", base + DEEP_LINK_PATH),
    ]


def _say(message: str, kind: str = "success") -> None:
    st.session_state[FLASH] = (kind, message)


def _fields(prefix: str, platform: Platform | None = None) -> PlatformForm:
    """The registration form's fields, filled with ``platform``'s values when editing it."""
    current = platform.form() if platform is not None else None
    values: dict[str, str] = {}
    for name, label in PLATFORM_FIELDS.items():
        key = f"{prefix}{name}"
        if current is not None and key not in st.session_state:
            st.session_state[key] = getattr(current, name)
        if name == "deployment_ids":
            values[name] = st.text_area(label, key=key, help=HINTS[name], height=90)
        else:
            values[name] = st.text_input(label, key=key, help=HINTS[name], max_chars=1000)
    return PlatformForm(**values)


def _forget(prefix: str) -> None:
    for name in PLATFORM_FIELDS:
        st.session_state.pop(f"{prefix}{name}", None)


def _values_section(base: str) -> None:
    st.markdown("**What to give your learning platform**")
    if not base:
        st.caption("Open this page at PeerSim's public address to see its values, or set PEERSIM_PUBLIC_URL.")
        return
    parts = urlsplit(base)
    if not trustworthy(parts.scheme, parts.hostname):
        st.warning(
            "Learning platforms open PeerSim only over HTTPS. Serve PeerSim at an https:// address and set "
            "PEERSIM_PUBLIC_URL to it; the values below change with it.",
            icon=":material/lock_open:",
        )
    for label, value in tool_values(base):
        st.caption(esc(label))
        st.code(value, language=None)
    if not os.environ.get("PEERSIM_FRAME_ANCESTORS", "").strip():
        st.info(
            "To open inside a course page, PeerSim must be allowed in the platform's frames: set "
            "PEERSIM_FRAME_ANCESTORS to the platform's address (for example https://moodle.example.edu) and restart "
            "PeerSim. Until then, choose to open PeerSim in a new window in the platform's settings.",
            icon=":material/info:",
        )


def _register(admin: User) -> None:
    with st.form("lti_register", clear_on_submit=False):  # a problem keeps what was typed
        st.markdown("**Register a platform**")
        form = _fields(NEW)
        if st.form_submit_button("Register platform"):
            try:
                made = services.store().lti.register(admin, form)
            except LtiError as exc:
                st.error(esc(str(exc)))
            else:
                _forget(NEW)
                _say(f"Registered {esc(made.name)}. Launches from it work now.")
                st.rerun()


def _edit(admin: User, platforms: list[Platform]) -> None:
    by_id = {p.id: p for p in platforms}
    chosen = st.selectbox("Platform to edit or remove", list(by_id), format_func=lambda i: by_id[i].name, key="lti_edit_which")
    platform = by_id[chosen]
    prefix = f"{EDIT}{platform.id}_"
    with st.form(f"lti_edit_{platform.id}"):
        form = _fields(prefix, platform)
        if st.form_submit_button("Save changes"):
            try:
                saved = services.store().lti.update(admin, platform.id, form)
            except LtiError as exc:
                st.error(esc(str(exc)))
            else:
                _forget(prefix)
                _say(f"Saved the changes to {esc(saved.name)}.")
                st.rerun()
    if st.session_state.get(CONFIRM_REMOVE) == platform.id:
        st.warning(
            f"Remove {esc(platform.name)}? Launches from it stop working. Accounts, cohorts and practice records stay; "
            "scores not sent yet are dropped.",
            icon=":material/warning:",
        )
        cols = st.columns(2)
        if cols[0].button("Yes, remove it", type="primary", key="lti_remove_yes"):
            st.session_state.pop(CONFIRM_REMOVE, None)
            try:
                services.store().lti.remove(admin, platform.id)
            except LtiError as exc:
                _say(esc(str(exc)), "error")
            else:
                _forget(prefix)
                _say(f"Removed {esc(platform.name)}.")
            st.rerun()
        if cols[1].button("Cancel", key="lti_remove_no"):
            st.session_state.pop(CONFIRM_REMOVE, None)
            st.rerun()
    elif st.button("Remove this platform…", key="lti_remove"):
        st.session_state[CONFIRM_REMOVE] = platform.id
        st.rerun()


def _grades(admin: User) -> None:
    store = services.store()
    report = store.lti.grade_report(admin)
    st.markdown("**Scores for the platforms' gradebooks**")
    st.caption(
        f"{report.sent} sent, {report.waiting} waiting, {report.gave_up} given up. PeerSim sends a score when a trainee "
        "finishes an activity opened from a course, and tries again when a platform does not take it."
    )
    if report.recent_problems:
        st.dataframe(
            [
                {
                    "platform": row.platform_name,
                    "activity": row.activity,
                    "trainee": row.person,
                    "score": f"{row.score_given} of {row.score_maximum}",
                    "tries": row.tries,
                    "status": "given up" if row.gave_up_at else "will try again",
                    "what went wrong": row.last_error,
                }
                for row in report.recent_problems
            ],
            hide_index=True,
            key="lti_problems",
        )
        given_up = {row.id: row for row in report.recent_problems if row.gave_up_at}
        if given_up:
            which = st.selectbox(
                "A score that was given up",
                list(given_up),
                format_func=lambda i: f"{given_up[i].person}, {given_up[i].activity}",
                key="lti_resend_which",
            )
            if st.button("Send it again", key="lti_resend"):
                store.lti.send_again(admin, which)
                _say("It will be sent again in a moment.")
                st.rerun()
    if report.waiting and st.button("Send waiting scores now", key="lti_send_now"):
        sent = lti_grades.send_due(store)
        _say(
            f"{sent.sent} sent, {sent.failed} not taken (they are tried again later).", "success" if not sent.failed else "error"
        )
        st.rerun()


def show(admin: User) -> None:
    """The section, for the signed-in admin."""
    st.subheader("LMS platforms (LTI 1.3)")
    st.caption(
        "Let instructors add PeerSim scenarios and mock exams to their courses in Moodle, Canvas or another learning "
        "platform: their people sign in to PeerSim from the course, each course becomes a cohort, and scores go to "
        "the course's gradebook. Register the platform here, with the values it shows for PeerSim."
    )
    flash = st.session_state.pop(FLASH, None)
    if flash:
        kind, message = flash
        (st.error if kind == "error" else st.success)(message)
    _values_section(base_url())
    platforms = services.store().lti.platforms(admin)
    if platforms:
        st.dataframe(
            [
                {
                    "name": p.name,
                    "issuer": p.issuer,
                    "client ID": p.client_id,
                    "deployment IDs": ", ".join(p.deployment_ids) or "none yet",
                    "since": f"{p.created_at:%d %b %Y}",
                }
                for p in platforms
            ],
            hide_index=True,
            key="lti_platforms",
        )
        _edit(admin, platforms)
    else:
        st.caption("No platform is registered yet.")
    _register(admin)
    _grades(admin)
