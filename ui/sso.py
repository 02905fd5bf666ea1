"""Optional single sign-on through the program's OIDC provider, configured by environment variables.

    PEERSIM_OIDC_METADATA_URL   https://idp.example.org/.well-known/openid-configuration
    PEERSIM_OIDC_CLIENT_ID      the client id PeerSim is registered under
    PEERSIM_OIDC_CLIENT_SECRET  its secret
    PEERSIM_OIDC_REDIRECT_URI   https://peersim.example.org/oauth2callback (this server's public address)
    PEERSIM_OIDC_LABEL          the button text's provider name (default: "your program's sign-in")
    STREAMLIT_SERVER_COOKIE_SECRET  signs Streamlit's identity cookie; the same on every server

serve.py hands these to Streamlit as its [auth] secrets, so st.login() works; ui.identity maps the provider's
identity onto a PeerSim user and keeps a revocable server-side session for it.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

IDENTITY_COOKIE = "_streamlit_user"  # Streamlit's signed identity cookie, set after st.login()
_GENERATED_SECRET = secrets.token_urlsafe(48)


def settings() -> dict[str, Any] | None:
    """Streamlit [auth] secrets from the environment, or None when single sign-on is not configured."""
    metadata = os.environ.get("PEERSIM_OIDC_METADATA_URL")
    if not metadata:
        return None
    return {
        "redirect_uri": os.environ["PEERSIM_OIDC_REDIRECT_URI"],
        "cookie_secret": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or _GENERATED_SECRET,
        "client_id": os.environ["PEERSIM_OIDC_CLIENT_ID"],
        "client_secret": os.environ["PEERSIM_OIDC_CLIENT_SECRET"],
        "server_metadata_url": metadata,
    }


def enabled() -> bool:
    return bool(os.environ.get("PEERSIM_OIDC_METADATA_URL"))


def label() -> str:
    return os.environ.get("PEERSIM_OIDC_LABEL") or "your program's sign-in"
