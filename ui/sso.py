"""Optional single sign-on through the program's OpenID Connect provider, configured by environment variables.

    PEERSIM_OIDC_METADATA_URL   https://idp.example.org/.well-known/openid-configuration (setting it turns SSO on)
    PEERSIM_OIDC_CLIENT_ID      the client id PeerSim is registered under
    PEERSIM_OIDC_CLIENT_SECRET  its secret (sent to the token endpoint with HTTP Basic, client_secret_basic)
    PEERSIM_OIDC_REDIRECT_URI   https://peersim.example.org/auth/sso/callback (this server's public address; register
                                exactly this with the provider)
    PEERSIM_OIDC_LABEL          the provider's name on the buttons, "Sign in with ..." (default: "your program's sign-in")
    PEERSIM_OIDC_PROMPT         a prompt parameter to send, such as "login" or "select_account" (default: none is sent;
                                send only a value the provider supports, or it refuses with invalid_request)
    PEERSIM_OIDC_SCOPES         the scopes to ask for (default: "openid email profile")
    STREAMLIT_SERVER_COOKIE_SECRET  signs the short-lived cookie that carries a sign-in to the provider and back;
                                the same on every server

PeerSim is the relying party itself (ui/sso_routes.py, with Authlib): /auth/sso starts the authorization code flow
(state, nonce and PKCE S256), /auth/sso/callback checks the state, exchanges the code, validates the ID token
(signature by the provider's JWKS, issuer, audience, expiry, nonce), merges the userinfo endpoint's claims, and
hands the identity to records (Accounts.single_sign_on), which decides which account it reaches. The person then
gets the same server-side PeerSim session as a password sign-in, and signs out the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_LABEL = "your program's sign-in"
DEFAULT_SCOPES = "openid email profile"
_REQUIRED = ("PEERSIM_OIDC_CLIENT_ID", "PEERSIM_OIDC_CLIENT_SECRET", "PEERSIM_OIDC_REDIRECT_URI")


class SingleSignOnMisconfigured(RuntimeError):
    """PEERSIM_OIDC_METADATA_URL is set but something else single sign-on needs is missing."""


@dataclass(frozen=True)
class Settings:
    metadata_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    label: str
    prompt: str | None
    scopes: str


def settings() -> Settings | None:
    """Single sign-on's settings from the environment, or None when it is not configured."""
    metadata = os.environ.get("PEERSIM_OIDC_METADATA_URL", "").strip()
    if not metadata:
        return None
    missing = [name for name in _REQUIRED if not os.environ.get(name, "").strip()]
    if missing:
        raise SingleSignOnMisconfigured(
            f"PEERSIM_OIDC_METADATA_URL is set, so single sign-on is on, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not. Set {'it' if len(missing) == 1 else 'them'} too (see docs/deploy.md)."
        )
    scopes = " ".join(os.environ.get("PEERSIM_OIDC_SCOPES", "").split()) or DEFAULT_SCOPES
    if "openid" not in scopes.split():
        raise SingleSignOnMisconfigured(f'PEERSIM_OIDC_SCOPES must include "openid" (it is "{scopes}").')
    return Settings(
        metadata_url=metadata,
        client_id=os.environ["PEERSIM_OIDC_CLIENT_ID"].strip(),
        client_secret=os.environ["PEERSIM_OIDC_CLIENT_SECRET"].strip(),
        redirect_uri=os.environ["PEERSIM_OIDC_REDIRECT_URI"].strip(),
        label=label(),
        prompt=os.environ.get("PEERSIM_OIDC_PROMPT", "").strip() or None,
        scopes=scopes,
    )


def enabled() -> bool:
    return bool(os.environ.get("PEERSIM_OIDC_METADATA_URL", "").strip())


def label() -> str:
    return os.environ.get("PEERSIM_OIDC_LABEL", "").strip() or DEFAULT_LABEL
