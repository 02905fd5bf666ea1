"""When the database cannot be reached: a kind message instead of an error box, and recovery without a restart.

serve.py hands :func:`on_script_error` to ``st.App``, which calls it for any uncaught exception of a page,
a fragment or a callback. The engine checks each pooled connection before use (``pool_pre_ping``), so the
first run after the database is back works again by itself.
"""

from __future__ import annotations

import logging

import streamlit as st

from records import UNAVAILABLE, is_unavailable

log = logging.getLogger("peersim")
MESSAGE = (
    "PeerSim cannot reach its database just now, so this page cannot load. Everything you saved before this "
    "moment is safe. Please try again in a minute (reload the page); it will work again as soon as the "
    "database is back."
)


def on_script_error(error: Exception) -> bool | None:
    """Show the outage message for database outages (True: Streamlit shows nothing more); other errors keep
    Streamlit's own handling (None)."""
    if not is_unavailable(error):
        return None
    log.warning("database unavailable: %s: %s", error.__class__.__name__, str(error).splitlines()[0][:200])
    st.error(MESSAGE, icon=":material/cloud_off:")
    return True


__all__ = ["MESSAGE", "UNAVAILABLE", "on_script_error"]
