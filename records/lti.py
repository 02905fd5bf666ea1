"""LTI 1.3 records: learning platforms (LMSs) an admin registered, PeerSim's own signing key, and what a launch from
a platform does to PeerSim's records. One repository (``store.lti``); the protocol itself (OIDC login, checking the
platform's signed launch, deep linking, the services) is ui/lti_tool.py's, with the pylti1p3 library.

* **Platforms**: only admins register, change and remove them, and each change is in the audit log. The rules for
  what a registration needs are here (:meth:`Lti.register`), so any page gets the same messages.
* **People**: a platform's person (issuer and client id's ``sub``) signs in to one PeerSim account, made at their
  first launch (or from the course roster), with no password: the platform's signed launch is the only way in.
  An email address the platform sends is kept when no other account has it; it never links to an existing
  account, since PeerSim cannot tell whether the platform checked it.
* **Roles**: a course's Instructor, ContentDeveloper or Administrator (and a platform's system Administrator) is an
  instructor in PeerSim; anyone else a trainee. A launch may raise a trainee account to instructor (audited), never
  lower a role, and never touches an admin's.
* **Courses**: a course (context) fills one cohort, owned by the first instructor who launches from it (until then
  by the admin who registered the platform). Trainees join it at their launch, or from the roster (Names and Role
  Provisioning), except someone the cohort's instructor took out in PeerSim.
* **Activities**: a resource link opens a scenario or a mock exam (chosen by deep linking, or by an instructor at
  the first launch); who launched it, in which role and since when is kept for grade passback (records.lti_rows).
* **Launch state**: nonces and launch data live in the database, so any server process behind a load balancer
  can finish a launch another one started, and a nonce is used once.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from records import audit, clock
from records.access import User, require_role
from records.base import Repository
from records.codes import new_code
from records.cohort_rows import add_member, owned_cohort, removed_from
from records.errors import UserError
from records.identity import clean_email
from records.tables import (
    cohort_members,
    cohorts,
    install_markers,
    lti_contexts,
    lti_grade_outbox,
    lti_launch_state,
    lti_link_users,
    lti_platforms,
    lti_resource_links,
    lti_tool_keys,
    lti_users,
    users,
)


class LtiError(UserError, ValueError):
    """An LTI request that cannot be done: a registration with a problem, a launch PeerSim refuses."""


# ------------------------------------------------------------------------------------------------ roles
_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR_ROLES = frozenset(
    {
        *(f"{_LIS}membership#{name}" for name in ("Instructor", "ContentDeveloper", "Administrator")),
        f"{_LIS}system/person#Administrator",
        "Instructor",  # the short names LTI 1.3 still allows for course roles
        "ContentDeveloper",
        "Administrator",
    }
)
"""Course roles (and a platform's system Administrator) that make someone an instructor in PeerSim."""


def course_role(roles: Sequence[str]) -> str:
    """PeerSim's role for someone with these LTI roles: "instructor" or "trainee" (Learner and everyone else)."""
    return "instructor" if any(role in INSTRUCTOR_ROLES for role in roles) else "trainee"


# ------------------------------------------------------------------------------------------ messages
SWITCHED_OFF = "This PeerSim account has been switched off. Please contact your program's admin."
LEARNERS_CANNOT_LINK = (
    "Only the course's instructors can add PeerSim activities to a course. If you are the instructor, please check "
    "your role in the course with your learning platform's admin."
)
NOT_THEIR_LINK = "Only an instructor of this course (or an admin) can choose what this activity opens."
TARGETS = ("scenario", "exam")

PLATFORM_FIELDS = {
    "name": "Platform name",
    "issuer": "Issuer (platform ID)",
    "client_id": "Client ID",
    "auth_login_url": "Authentication request URL",
    "auth_token_url": "Access token URL",
    "keyset_url": "Public keyset URL",
    "deployment_ids": "Deployment IDs",
}
"""The registration form's labels, as the admin page shows them: messages name the field by its label."""

_EXAMPLES = {
    "issuer": "https://moodle.example.edu",
    "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
    "keyset_url": "https://moodle.example.edu/mod/lti/certs.php",
}


# ------------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class PlatformForm:
    """What an admin typed to register a platform (deployment ids: one per line, or separated by commas)."""

    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    keyset_url: str
    deployment_ids: str = ""


@dataclass(frozen=True)
class Platform:
    id: int
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    keyset_url: str
    deployment_ids: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    def form(self) -> PlatformForm:
        """The registration as the form shows it, to edit."""
        return PlatformForm(
            self.name,
            self.issuer,
            self.client_id,
            self.auth_login_url,
            self.auth_token_url,
            self.keyset_url,
            "\n".join(self.deployment_ids),
        )


@dataclass(frozen=True)
class ToolKey:
    """PeerSim's RSA key pair: the private key signs its messages and service requests, the public one is served."""

    kid: str
    private_pem: str
    public_jwk: dict[str, str]


@dataclass(frozen=True)
class LaunchClaims:
    """What a checked launch says (ui/lti_tool.py reads it from the platform's signed id_token)."""

    message_type: str  # "LtiResourceLinkRequest" or "LtiDeepLinkingRequest"
    deployment_id: str
    sub: str
    roles: tuple[str, ...]
    name: str | None = None
    email: str | None = None
    context_id: str | None = None
    context_title: str | None = None
    memberships_url: str | None = None
    link_id: str | None = None
    link_title: str | None = None
    target: tuple[str, str | None] | None = None  # ("scenario", id) or ("exam", None), from the activity's claims
    lineitem_url: str | None = None
    lineitems_url: str | None = None
    ags_scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceLink:
    id: int
    platform_id: int
    deployment_id: str
    link_id: str
    context_id: str | None
    title: str
    target_kind: str | None
    scenario_id: str | None
    lineitem_url: str | None
    lineitems_url: str | None
    ags_scopes: tuple[str, ...]

    @property
    def target(self) -> tuple[str, str | None] | None:
        return (self.target_kind, self.scenario_id) if self.target_kind else None


@dataclass(frozen=True)
class Launched:
    """What a launch did: who is signed in, in which course role, the course's cohort, and the activity."""

    user: User
    role: str  # the course role: "instructor" or "trainee"
    platform: Platform
    context_id: str | None
    cohort_id: int | None
    cohort_name: str | None
    link: ResourceLink | None
    new_account: bool


@dataclass(frozen=True)
class RosterMember:
    """One member of a course's roster (Names and Role Provisioning)."""

    sub: str
    name: str | None = None
    email: str | None = None
    roles: tuple[str, ...] = ()
    status: str = "Active"


@dataclass(frozen=True)
class RosterResult:
    cohort_id: int
    cohort_name: str
    added: tuple[str, ...]  # names of trainees added to the cohort now
    already: int  # trainees who were members already
    kept_out: tuple[str, ...]  # trainees the cohort's instructor took out in PeerSim: not added back
    instructors: int
    inactive: int  # members the platform says are inactive or deleted: left alone
    new_accounts: int


@dataclass(frozen=True)
class PendingScore:
    """A claimed outbox row with everything needed to send it: the platform, the activity and the person's sub."""

    id: int
    platform: Platform
    link: ResourceLink
    sub: str
    score_given: int
    score_maximum: int
    completed_at: datetime
    tries: int


@dataclass(frozen=True)
class ScoreRow:
    """A queued, sent or failing score, for the admins."""

    id: int
    platform_name: str
    activity: str
    person: str
    score_given: int
    score_maximum: int
    completed_at: datetime
    tries: int
    sent_at: datetime | None
    gave_up_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class GradeReport:
    waiting: int
    sent: int
    gave_up: int
    recent_problems: list[ScoreRow] = field(default_factory=list)


# ----------------------------------------------------------------------------------------- helpers
def _platform(row: Any) -> Platform:
    return Platform(
        row.id,
        row.name,
        row.issuer,
        row.client_id,
        row.auth_login_url,
        row.auth_token_url,
        row.keyset_url,
        tuple(json.loads(row.deployment_ids or "[]")),
        row.created_at,
        row.updated_at,
    )


def _link(row: Any) -> ResourceLink:
    return ResourceLink(
        row.id,
        row.platform_id,
        row.deployment_id,
        row.link_id,
        row.context_id,
        row.title,
        row.target_kind,
        row.scenario_id,
        row.lineitem_url,
        row.lineitems_url,
        tuple(row.ags_scopes.split()),
    )


def _loopback(host: str | None) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _address(form: PlatformForm, name: str) -> str:
    value = str(getattr(form, name)).strip()
    label = PLATFORM_FIELDS[name]
    example = _EXAMPLES[name]
    if not value:
        raise LtiError(f"Please fill in the {label}, like {example}. Your learning platform shows it.")
    if len(value) > (255 if name == "issuer" else 1000):
        raise LtiError(f"The {label} is too long; please check that you pasted only the address.")
    parts = urlsplit(value)
    if any(ch.isspace() for ch in value) or not parts.netloc or parts.scheme not in ("https", "http"):
        raise LtiError(f"The {label} must be a full address starting with https://, like {example}.")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise LtiError(
            f"The {label} must start with https://. Plain http:// is accepted only for a platform on this same "
            "computer, for trying things out."
        )
    return value


def clean_form(form: PlatformForm) -> PlatformForm:
    """The registration with its values trimmed and checked; LtiError names the first field with a problem."""
    name = " ".join(form.name.split())
    if not name:
        raise LtiError("Please give the platform a name people will recognize, like 'Moodle at Riverside College'.")
    if len(name) > 120:
        raise LtiError("Please keep the name to 120 characters.")
    issuer = _address(form, "issuer")
    client_id = form.client_id.strip()
    if not client_id:
        raise LtiError(
            "Please paste the Client ID your learning platform gave PeerSim (Moodle shows it in the tool's details; "
            "Canvas shows it as the developer key's ID)."
        )
    if len(client_id) > 255 or any(ch.isspace() for ch in client_id):
        raise LtiError("The Client ID has a space in it or is too long. Please paste it again, exactly as shown.")
    deployments: list[str] = []
    for item in form.deployment_ids.replace(",", "\n").splitlines():
        deployment = item.strip()
        if not deployment:
            continue
        if len(deployment) > 255 or any(ch.isspace() for ch in deployment):
            raise LtiError(
                f"The deployment ID '{deployment[:40]}' has a space in it or is too long. Put each deployment ID on a "
                "line of its own."
            )
        if deployment not in deployments:
            deployments.append(deployment)
    return PlatformForm(
        name,
        issuer,
        client_id,
        _address(form, "auth_login_url"),
        _address(form, "auth_token_url"),
        _address(form, "keyset_url"),
        "\n".join(deployments),
    )


def _values(form: PlatformForm) -> dict[str, object]:
    return {
        "name": form.name,
        "issuer": form.issuer,
        "client_id": form.client_id,
        "auth_login_url": form.auth_login_url,
        "auth_token_url": form.auth_token_url,
        "keyset_url": form.keyset_url,
        "deployment_ids": json.dumps(form.deployment_ids.splitlines() if form.deployment_ids else []),
    }


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _public_jwk(private_pem: str) -> dict[str, str]:
    """The public half as a JWK, with its RFC 7638 thumbprint as the key id."""
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    numbers = key.public_key().public_numbers()
    members = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode("ascii")
    return {**members, "kid": kid, "alg": "RS256", "use": "sig"}


def _display_name(name: str | None, email: str | None, sub: str) -> str:
    """A display name from the platform's claims, made to fit (a launch is never refused over a name)."""
    cleaned = " ".join("".join(ch if ord(ch) >= 32 else " " for ch in name or "").split())[:80].strip()
    if cleaned:
        return cleaned
    if email and "@" in email:
        return email.split("@")[0][:80]
    return f"Course member {sub[:8]}"


def _text(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


# --------------------------------------------------------------------------------------- repository
class Lti(Repository):
    STATE_KEEP = timedelta(hours=1)

    # ----------------------------------------------------------------------------- platforms (admins)
    def platforms(self, actor: User) -> list[Platform]:
        require_role(actor, "admin")
        with self._read() as connection:
            rows = connection.execute(select(lti_platforms).order_by(func.lower(lti_platforms.c.name), lti_platforms.c.id))
            return [_platform(r) for r in rows]

    def register(self, actor: User, form: PlatformForm) -> Platform:
        """An admin registers a platform; LtiError says what to fix (the first field with a problem)."""
        require_role(actor, "admin")
        cleaned = clean_form(form)
        moment = clock.now()
        try:
            with self._write() as connection:
                self._not_taken(connection, cleaned)
                new_id = connection.execute(
                    insert(lti_platforms).values(**_values(cleaned), created_by=actor.id, created_at=moment, updated_at=moment)
                ).inserted_primary_key
                assert new_id is not None
                audit.write(connection, actor, "register LMS platform", None, self._describe(cleaned))
                return self._get(connection, int(new_id[0]))
        except IntegrityError:  # registered by another admin at this very moment
            with self._read() as connection:
                self._not_taken(connection, cleaned)
            raise  # pragma: no cover - the unique key has no other cause

    def update(self, actor: User, platform_id: int, form: PlatformForm) -> Platform:
        require_role(actor, "admin")
        cleaned = clean_form(form)
        with self._write() as connection:
            self._get(connection, platform_id)
            self._not_taken(connection, cleaned, other_than=platform_id)
            connection.execute(
                update(lti_platforms).where(lti_platforms.c.id == platform_id).values(**_values(cleaned), updated_at=clock.now())
            )
            audit.write(connection, actor, "change LMS platform", None, self._describe(cleaned))
            return self._get(connection, platform_id)

    def remove(self, actor: User, platform_id: int) -> None:
        """Remove a registration: its launches stop working. Accounts, cohorts and practice records stay; the links
        of people, courses and activities to that platform go, and so do scores not sent yet."""
        require_role(actor, "admin")
        with self._write() as connection:
            platform = self._get(connection, platform_id)
            connection.execute(delete(lti_platforms).where(lti_platforms.c.id == platform_id))
            audit.write(connection, actor, "remove LMS platform", None, self._describe(platform.form()))

    @staticmethod
    def _describe(form: PlatformForm) -> str:
        return f"{form.name} ({form.issuer}, client ID {form.client_id})"

    @staticmethod
    def _get(connection: Connection, platform_id: int) -> Platform:
        row = connection.execute(select(lti_platforms).where(lti_platforms.c.id == platform_id)).first()
        if row is None:
            raise LtiError("That platform is no longer registered. Another admin may have removed it a moment ago.")
        return _platform(row)

    @staticmethod
    def _not_taken(connection: Connection, form: PlatformForm, other_than: int | None = None) -> None:
        query = select(lti_platforms.c.id, lti_platforms.c.name).where(
            lti_platforms.c.issuer == form.issuer, lti_platforms.c.client_id == form.client_id
        )
        if other_than is not None:
            query = query.where(lti_platforms.c.id != other_than)
        taken = connection.execute(query).first()
        if taken is not None:
            raise LtiError(
                f"A platform with this issuer and Client ID is registered already, as '{taken.name}'. Edit that one instead."
            )

    # --------------------------------------------------------------------- lookups for a launch (no actor)
    # A launch has no signed-in user yet: the platform's signed message is what vouches for it, and ui/lti_tool.py
    # checks it before anything below changes a record.
    def platform_for(self, issuer: str, client_id: str | None) -> Platform | None:
        with self._read() as connection:
            query = select(lti_platforms).where(lti_platforms.c.issuer == issuer)
            if client_id:
                query = query.where(lti_platforms.c.client_id == client_id)
            rows = connection.execute(query.order_by(lti_platforms.c.id)).all()
        if not rows or (not client_id and len(rows) > 1):
            return None
        return _platform(rows[0])

    def issuer_known(self, issuer: str) -> bool:
        with self._read() as connection:
            return (
                connection.execute(select(lti_platforms.c.id).where(lti_platforms.c.issuer == issuer).limit(1)).first()
                is not None
            )

    def platform(self, platform_id: int) -> Platform:
        with self._read() as connection:
            return self._get(connection, platform_id)

    def link(self, link_id: int) -> ResourceLink:
        with self._read() as connection:
            row = connection.execute(select(lti_resource_links).where(lti_resource_links.c.id == link_id)).first()
        if row is None:
            raise LtiError("That activity is no longer known to PeerSim. Please open it again from your course.")
        return _link(row)

    # -------------------------------------------------------------------------------------- tool key
    def tool_keys(self) -> list[ToolKey]:
        """Every key pair, the one that signs first; one is made the first time (once, whichever server asks)."""
        keys = self._keys()
        if keys:
            return keys
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # outside any transaction
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        kid = _public_jwk(pem)["kid"]
        try:
            with self._write() as connection:
                connection.execute(insert(install_markers).values(name="lti-tool-key", at=clock.now()))
                connection.execute(insert(lti_tool_keys).values(kid=kid, private_pem=pem, created_at=clock.now()))
        except IntegrityError:  # another server made it a moment ago: use theirs
            pass
        return self._keys()

    def tool_key(self) -> ToolKey:
        return self.tool_keys()[0]

    def _keys(self) -> list[ToolKey]:
        with self._read() as connection:
            rows = connection.execute(select(lti_tool_keys).order_by(lti_tool_keys.c.created_at, lti_tool_keys.c.kid)).all()
        return [ToolKey(r.kid, r.private_pem, _public_jwk(r.private_pem)) for r in rows]

    # ---------------------------------------------------------------------------------- launch state
    def state_put(self, key: str, value: object, seconds: int) -> None:
        moment = clock.now()
        with self._write() as connection:
            connection.execute(delete(lti_launch_state).where(lti_launch_state.c.expires_at <= moment))
            connection.execute(delete(lti_launch_state).where(lti_launch_state.c.key == key))
            connection.execute(
                insert(lti_launch_state).values(
                    key=key[:255], value=json.dumps(value), expires_at=moment + timedelta(seconds=seconds)
                )
            )

    def state_get(self, key: str) -> Any:
        with self._read() as connection:
            value = connection.execute(
                select(lti_launch_state.c.value).where(
                    lti_launch_state.c.key == key[:255], lti_launch_state.c.expires_at > clock.now()
                )
            ).scalar()
        return None if value is None else json.loads(value)

    def state_take(self, key: str) -> bool:
        """Use a value once: True when it was there (and not expired); it is gone afterwards, for every server."""
        with self._write() as connection:
            taken = connection.execute(
                delete(lti_launch_state).where(lti_launch_state.c.key == key[:255], lti_launch_state.c.expires_at > clock.now())
            ).rowcount
        return taken == 1

    # ---------------------------------------------------------------------------------------- launch
    def launch(self, platform_id: int, claims: LaunchClaims, *, address: str = "unknown") -> Launched:
        """Record a launch the platform signed and ui/lti_tool.py checked: the account (made the first time), its
        role, the course's cohort and membership, the activity and who launched it. One write transaction;
        LtiError when PeerSim refuses (a switched-off account, a learner asking to add activities)."""
        if claims.message_type == "LtiDeepLinkingRequest" and course_role(claims.roles) != "instructor":
            raise LtiError(LEARNERS_CANNOT_LINK)
        try:
            with self._write() as connection:
                outcome = self._launch(connection, platform_id, claims, address[:64])
        except IntegrityError:  # the same new person, course or activity launched twice at once: it exists now
            with self._write() as connection:
                outcome = self._launch(connection, platform_id, claims, address[:64])
        if isinstance(outcome, LtiError):
            raise outcome
        return outcome

    def _launch(self, connection: Connection, platform_id: int, claims: LaunchClaims, where: str) -> Launched | LtiError:
        platform = self._get(connection, platform_id)
        role = course_role(claims.roles)
        moment = clock.now()
        found = self._account(connection, platform, claims.sub, claims.name, claims.email, role, moment)
        if found is None:
            audit.record(
                connection,
                f"someone at {where}",
                "refused sign-in",
                self._user_id(connection, platform, claims.sub),
                "LTI launch: account switched off",
            )
            return LtiError(SWITCHED_OFF)
        user, created = found
        audit.write(connection, user, "sign in", user.id, f"LTI launch from {platform.name}, from {where}")
        cohort_id = cohort_name = None
        if claims.context_id:
            cohort_id, cohort_name = self._course(connection, platform, claims, user, role, moment)
        link = None
        if claims.message_type == "LtiResourceLinkRequest" and claims.link_id:
            link = self._activity(connection, platform, claims, user, role, moment)
        context_id = claims.context_id[:255] if claims.context_id else None
        return Launched(user, role, platform, context_id, cohort_id, cohort_name, link, created)

    @staticmethod
    def _user_id(connection: Connection, platform: Platform, sub: str) -> int | None:
        return connection.execute(
            select(lti_users.c.user_id).where(lti_users.c.platform_id == platform.id, lti_users.c.sub == sub)
        ).scalar()

    def _account(
        self,
        connection: Connection,
        platform: Platform,
        sub: str,
        name: str | None,
        email: str | None,
        role: str,
        moment: datetime,
    ) -> tuple[User, bool] | None:
        """The account of a platform's person, made the first time (without a password), raised to instructor when
        the course says so; None when it is switched off."""
        user_id = self._user_id(connection, platform, sub)
        if user_id is not None:
            row = connection.execute(select(users).where(users.c.id == user_id)).one()
            if row.disabled:
                return None
            if role == "instructor" and row.role == "trainee":
                connection.execute(update(users).where(users.c.id == row.id).values(role="instructor"))
                audit.record(
                    connection,
                    f"LMS: {platform.name}"[:80],
                    "change role",
                    row.id,
                    "role instructor, an instructor in an LMS course",
                )
                return User(row.id, row.name, "instructor", row.email), False
            return User(row.id, row.name, row.role, row.email), False
        try:
            address = clean_email(email) if email else None
        except UserError:
            address = None
        if address is not None and connection.execute(select(users.c.id).where(users.c.email == address)).first() is not None:
            address = None  # that address is another account's: never link by an address the platform may not have checked
        display = _display_name(name, address or email, sub)
        new_role = "instructor" if role == "instructor" else "trainee"
        new_id = connection.execute(
            insert(users).values(name=display, name_key=display.casefold(), email=address, role=new_role, created_at=moment)
        ).inserted_primary_key
        assert new_id is not None
        user = User(int(new_id[0]), display, new_role, address)
        connection.execute(insert(lti_users).values(platform_id=platform.id, sub=sub[:255], user_id=user.id, created_at=moment))
        audit.write(connection, user, "create account", user.id, f"LTI, {platform.name}")
        return user, True

    def _course(
        self, connection: Connection, platform: Platform, claims: LaunchClaims, user: User, role: str, moment: datetime
    ) -> tuple[int, str]:
        """The course's cohort (made at its first launch) and the launching trainee's place in it."""
        context_id = str(claims.context_id)[:255]
        title = _text(claims.context_title, 255) or f"Course {context_id[:40]}"
        row = connection.execute(
            select(lti_contexts.c.cohort_id).where(
                lti_contexts.c.platform_id == platform.id, lti_contexts.c.context_id == context_id
            )
        ).first()
        if row is None:
            owner = user.id if role == "instructor" else self._placeholder_owner(connection, platform)
            cohort_id = self._new_cohort(connection, owner, title, platform, moment)
            connection.execute(
                insert(lti_contexts).values(
                    platform_id=platform.id,
                    context_id=context_id,
                    cohort_id=cohort_id,
                    title=title,
                    memberships_url=claims.memberships_url,
                    created_at=moment,
                )
            )
        else:
            cohort_id = int(row.cohort_id)
            values: dict[str, object] = {"title": title}
            if claims.memberships_url:
                values["memberships_url"] = claims.memberships_url
            connection.execute(
                update(lti_contexts)
                .where(lti_contexts.c.platform_id == platform.id, lti_contexts.c.context_id == context_id)
                .values(**values)
            )
            if role == "instructor":
                self._take_over(connection, platform, cohort_id, user)
        if role == "trainee":
            member = connection.execute(
                select(cohort_members.c.user_id).where(
                    cohort_members.c.cohort_id == cohort_id, cohort_members.c.user_id == user.id
                )
            ).first()
            if member is None and not removed_from(connection, user.id, cohort_id):
                add_member(connection, user, cohort_id, moment, how="from the LMS course")
        name = connection.execute(select(cohorts.c.name).where(cohorts.c.id == cohort_id)).scalar_one()
        return cohort_id, str(name)

    @staticmethod
    def _placeholder_owner(connection: Connection, platform: Platform) -> int:
        """Who owns a course's cohort until an instructor launches: the admin who registered the platform, or the
        first active admin."""
        owner = connection.execute(
            select(users.c.id)
            .join(lti_platforms, lti_platforms.c.created_by == users.c.id)
            .where(lti_platforms.c.id == platform.id, users.c.role == "admin")
        ).scalar()
        if owner is None:
            owner = connection.execute(
                select(users.c.id).where(users.c.role == "admin", users.c.disabled.is_(False)).order_by(users.c.id).limit(1)
            ).scalar_one()
        return int(owner)

    @staticmethod
    def _new_cohort(connection: Connection, owner: int, title: str, platform: Platform, moment: datetime) -> int:
        """A cohort named after the course; a name the owner already uses gets the platform's name after it."""
        name = title[:120]
        for candidate in (name, f"{title[:80]} ({platform.name[:36]})"[:120]):
            taken = connection.execute(
                select(cohorts.c.id).where(
                    cohorts.c.owner_id == owner, func.lower(cohorts.c.name) == candidate.lower(), cohorts.c.archived.is_(False)
                )
            ).first()
            if taken is None:
                name = candidate
                break
        else:
            name = f"{title[:100]} {new_code()}"[:120]
        new_id = connection.execute(
            insert(cohorts).values(name=name, join_code=new_code(), owner_id=owner, created_at=moment)
        ).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    @staticmethod
    def _take_over(connection: Connection, platform: Platform, cohort_id: int, user: User) -> None:
        """The first instructor to launch from a course owns its cohort, when it was made by a learner's launch (its
        owner then is an admin who is not one of this platform's people)."""
        owner = connection.execute(select(cohorts.c.owner_id).where(cohorts.c.id == cohort_id)).scalar_one()
        if owner == user.id:
            return
        from_platform = connection.execute(
            select(lti_users.c.user_id).where(lti_users.c.platform_id == platform.id, lti_users.c.user_id == owner)
        ).first()
        if from_platform is not None:
            return  # another instructor of the course owns it
        connection.execute(update(cohorts).where(cohorts.c.id == cohort_id).values(owner_id=user.id))
        audit.write(connection, user, "take over cohort", user.id, f"cohort {cohort_id}, as the LMS course's instructor")

    def _activity(
        self, connection: Connection, platform: Platform, claims: LaunchClaims, user: User, role: str, moment: datetime
    ) -> ResourceLink:
        key = (
            lti_resource_links.c.platform_id == platform.id,
            lti_resource_links.c.deployment_id == claims.deployment_id[:255],
            lti_resource_links.c.link_id == str(claims.link_id)[:255],
        )
        values: dict[str, object] = {
            "context_id": claims.context_id[:255] if claims.context_id else None,
            "title": _text(claims.link_title, 255),
            "updated_at": moment,
        }
        if claims.target is not None and claims.target[0] in TARGETS:
            values |= {
                "target_kind": claims.target[0],
                "scenario_id": (claims.target[1] or None) if claims.target[0] == "scenario" else None,
            }
        if claims.lineitem_url or claims.lineitems_url:
            values |= {
                "lineitem_url": claims.lineitem_url,
                "lineitems_url": claims.lineitems_url,
                "ags_scopes": " ".join(claims.ags_scopes),
            }
        row = connection.execute(select(lti_resource_links.c.id).where(*key)).first()
        if row is None:
            new_id = connection.execute(
                insert(lti_resource_links).values(
                    platform_id=platform.id,
                    deployment_id=claims.deployment_id[:255],
                    link_id=str(claims.link_id)[:255],
                    created_at=moment,
                    **values,
                )
            ).inserted_primary_key
            assert new_id is not None
            link_id = int(new_id[0])
        else:
            link_id = int(row.id)
            connection.execute(update(lti_resource_links).where(lti_resource_links.c.id == link_id).values(**values))
        launched = connection.execute(
            update(lti_link_users)
            .where(lti_link_users.c.resource_link_id == link_id, lti_link_users.c.user_id == user.id)
            .values(role=role, last_launched_at=moment)
        ).rowcount
        if not launched:
            connection.execute(
                insert(lti_link_users).values(
                    resource_link_id=link_id, user_id=user.id, role=role, first_launched_at=moment, last_launched_at=moment
                )
            )
        return _link(connection.execute(select(lti_resource_links).where(lti_resource_links.c.id == link_id)).one())

    # ------------------------------------------------------------------------------ an activity's target
    def set_target(self, actor: User, link_id: int, kind: str, scenario_id: str | None = None) -> ResourceLink:
        """An instructor of the course (one who launched this activity as an instructor) or an admin chooses what the
        activity opens, when the platform's activity did not say."""
        if kind not in TARGETS or (kind == "scenario" and not scenario_id):
            raise LtiError("Please choose a scenario or the mock exam.")
        with self._write() as connection:
            row = connection.execute(select(lti_resource_links).where(lti_resource_links.c.id == link_id)).first()
            if row is None:
                raise LtiError("That activity is no longer known to PeerSim. Please open it again from your course.")
            if actor.role != "admin":
                launched = connection.execute(
                    select(lti_link_users.c.role).where(
                        lti_link_users.c.resource_link_id == link_id, lti_link_users.c.user_id == actor.id
                    )
                ).scalar()
                if launched != "instructor":
                    raise LtiError(NOT_THEIR_LINK)
            chosen = str(scenario_id)[:64] if kind == "scenario" else None
            connection.execute(
                update(lti_resource_links)
                .where(lti_resource_links.c.id == link_id)
                .values(target_kind=kind, scenario_id=chosen, updated_at=clock.now())
            )
            audit.write(connection, actor, "choose LMS activity", None, f"{row.title or row.link_id}: {chosen or 'mock exam'}")
            return _link(connection.execute(select(lti_resource_links).where(lti_resource_links.c.id == link_id)).one())

    # -------------------------------------------------------------------------------------- the roster
    def memberships_url(self, actor: User, platform_id: int, context_id: str) -> str | None:
        """The course's roster address, for the cohort's instructor (or an admin)."""
        with self._read() as connection:
            row = self._context(connection, actor, platform_id, context_id)
        return str(row.memberships_url) if row.memberships_url else None

    @staticmethod
    def _context(connection: Connection, actor: User, platform_id: int, context_id: str) -> Any:
        row = connection.execute(
            select(lti_contexts).where(lti_contexts.c.platform_id == platform_id, lti_contexts.c.context_id == context_id)
        ).first()
        if row is None:
            raise LtiError("PeerSim has no cohort for that course yet. Please open a PeerSim activity from the course first.")
        owned_cohort(connection, actor, row.cohort_id)  # the cohort's instructor or an admin
        return row

    def fill_cohort(self, actor: User, platform_id: int, context_id: str, members: Sequence[RosterMember]) -> RosterResult:
        """Fill the course's cohort from its roster: every active member gets an account (made without a password
        when new), and trainees join the cohort, except anyone its instructor took out in PeerSim. Members the
        platform marks inactive or deleted are left as they are. One write transaction, audited."""
        moment = clock.now()
        with self._write() as connection:
            context = self._context(connection, actor, platform_id, context_id)
            platform = self._get(connection, platform_id)
            cohort_id = int(context.cohort_id)
            added: list[str] = []
            kept_out: list[str] = []
            already = instructors = inactive = new_accounts = 0
            for member in members:
                if member.status not in ("Active", ""):
                    inactive += 1
                    continue
                role = course_role(member.roles)
                found = self._account(connection, platform, member.sub, member.name, member.email, role, moment)
                if found is None:
                    continue  # switched off: left as it is
                user, created = found
                new_accounts += created
                if role == "instructor":
                    instructors += 1
                    continue
                is_member = connection.execute(
                    select(cohort_members.c.user_id).where(
                        cohort_members.c.cohort_id == cohort_id, cohort_members.c.user_id == user.id
                    )
                ).first()
                if is_member is not None:
                    already += 1
                elif removed_from(connection, user.id, cohort_id):
                    kept_out.append(user.name)
                else:
                    add_member(connection, user, cohort_id, moment, how="from the LMS course roster")
                    added.append(user.name)
            name = str(connection.execute(select(cohorts.c.name).where(cohorts.c.id == cohort_id)).scalar_one())
            audit.write(
                connection,
                actor,
                "sync LMS roster",
                None,
                f"cohort {cohort_id}: {name}; {len(added)} added, {already} already members, {len(kept_out)} kept out",
            )
        return RosterResult(cohort_id, name, tuple(added), already, tuple(kept_out), instructors, inactive, new_accounts)

    # ------------------------------------------------------------------------------ grades (the outbox)
    CLAIM = timedelta(minutes=2)
    """A sender holds a score this long; if it crashes meanwhile, another sender takes it after."""
    GIVE_UP = timedelta(days=3)
    """A score that keeps failing stops being retried after this long; an admin can send it again."""

    def claim_scores(self, limit: int = 20) -> list[PendingScore]:
        """Scores due to be sent, claimed for this sender: no other process sends them while it tries."""
        moment = clock.now()
        claimed: list[PendingScore] = []
        with self._write() as connection:
            ids = (
                connection.execute(
                    select(lti_grade_outbox.c.id)
                    .where(
                        lti_grade_outbox.c.sent_at.is_(None),
                        lti_grade_outbox.c.gave_up_at.is_(None),
                        lti_grade_outbox.c.next_try_at <= moment,
                    )
                    .order_by(lti_grade_outbox.c.next_try_at, lti_grade_outbox.c.id)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            for outbox_id in ids:
                taken = connection.execute(
                    update(lti_grade_outbox)
                    .where(
                        lti_grade_outbox.c.id == outbox_id,
                        lti_grade_outbox.c.sent_at.is_(None),
                        lti_grade_outbox.c.next_try_at <= moment,
                    )
                    .values(next_try_at=moment + self.CLAIM, tries=lti_grade_outbox.c.tries + 1)
                ).rowcount
                if taken != 1:
                    continue  # another process claimed it first
                row = connection.execute(
                    select(lti_grade_outbox, lti_users.c.sub, lti_resource_links.c.platform_id)
                    .join(lti_resource_links, lti_resource_links.c.id == lti_grade_outbox.c.resource_link_id)
                    .outerjoin(
                        lti_users,
                        (lti_users.c.user_id == lti_grade_outbox.c.user_id)
                        & (lti_users.c.platform_id == lti_resource_links.c.platform_id),
                    )
                    .where(lti_grade_outbox.c.id == outbox_id)
                ).one()
                if row.sub is None:  # the person is no longer linked to that platform: nobody to send it for
                    connection.execute(
                        update(lti_grade_outbox)
                        .where(lti_grade_outbox.c.id == outbox_id)
                        .values(gave_up_at=moment, last_error="The person is no longer linked to this platform.")
                    )
                    continue
                link = _link(
                    connection.execute(select(lti_resource_links).where(lti_resource_links.c.id == row.resource_link_id)).one()
                )
                claimed.append(
                    PendingScore(
                        row.id,
                        self._get(connection, row.platform_id),
                        link,
                        row.sub,
                        row.score_given,
                        row.score_maximum,
                        row.completed_at,
                        row.tries,
                    )
                )
        return claimed

    def score_sent(self, outbox_id: int) -> None:
        with self._write() as connection:
            connection.execute(
                update(lti_grade_outbox).where(lti_grade_outbox.c.id == outbox_id).values(sent_at=clock.now(), last_error="")
            )

    def score_failed(self, outbox_id: int, error: str, *, final: bool = False) -> bool:
        """A try that failed: the score waits longer each time (30 seconds, doubling, at most an hour) and is given
        up after GIVE_UP, or at once when ``final`` (trying again cannot help). True when it was given up now."""
        moment = clock.now()
        with self._write() as connection:
            row = connection.execute(select(lti_grade_outbox).where(lti_grade_outbox.c.id == outbox_id)).first()
            if row is None or row.sent_at is not None:
                return False
            wait = min(timedelta(seconds=30) * 2 ** max(0, row.tries - 1), timedelta(hours=1))
            give_up = final or bool(moment - row.created_at >= self.GIVE_UP)
            connection.execute(
                update(lti_grade_outbox)
                .where(lti_grade_outbox.c.id == outbox_id)
                .values(last_error=error[:2000], next_try_at=moment + wait, gave_up_at=moment if give_up else None)
            )
        return give_up

    def grade_report(self, actor: User, limit: int = 20) -> GradeReport:
        """For admins: how many scores wait, were sent or were given up, and the latest that failed."""
        require_role(actor, "admin")
        with self._read() as connection:

            def count(*where: Any) -> int:
                return int(connection.execute(select(func.count()).select_from(lti_grade_outbox).where(*where)).scalar_one())

            waiting = count(lti_grade_outbox.c.sent_at.is_(None), lti_grade_outbox.c.gave_up_at.is_(None))
            sent = count(lti_grade_outbox.c.sent_at.is_not(None))
            gave_up = count(lti_grade_outbox.c.sent_at.is_(None), lti_grade_outbox.c.gave_up_at.is_not(None))
            rows = connection.execute(
                select(
                    lti_grade_outbox,
                    lti_platforms.c.name.label("platform_name"),
                    lti_resource_links.c.title.label("activity"),
                    lti_resource_links.c.link_id.label("link_ref"),
                    users.c.name.label("person"),
                )
                .join(lti_resource_links, lti_resource_links.c.id == lti_grade_outbox.c.resource_link_id)
                .join(lti_platforms, lti_platforms.c.id == lti_resource_links.c.platform_id)
                .join(users, users.c.id == lti_grade_outbox.c.user_id)
                .where(lti_grade_outbox.c.sent_at.is_(None), lti_grade_outbox.c.last_error != "")
                .order_by(lti_grade_outbox.c.id.desc())
                .limit(limit)
            ).all()
        problems = [
            ScoreRow(
                r.id,
                r.platform_name,
                r.activity or r.link_ref,
                r.person,
                r.score_given,
                r.score_maximum,
                r.completed_at,
                r.tries,
                r.sent_at,
                r.gave_up_at,
                r.last_error,
            )
            for r in rows
        ]
        return GradeReport(waiting, sent, gave_up, problems)

    def send_again(self, actor: User, outbox_id: int) -> None:
        """An admin sends a score that was given up again (after fixing the platform's registration, say)."""
        require_role(actor, "admin")
        with self._write() as connection:
            changed = connection.execute(
                update(lti_grade_outbox)
                .where(lti_grade_outbox.c.id == outbox_id, lti_grade_outbox.c.sent_at.is_(None))
                .values(gave_up_at=None, next_try_at=clock.now(), created_at=clock.now(), tries=0)
            ).rowcount
            if changed:
                audit.write(connection, actor, "resend LMS score", None, f"score {outbox_id}")
