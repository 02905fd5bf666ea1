"""The one edge where errors become what people read: a kind message instead of an error box.

serve.py hands :func:`on_script_error` to ``st.App``, which calls it for any uncaught exception of a page,
a fragment or a callback.

* The database cannot be reached: the outage message. The engine checks each pooled connection before use
  (``pool_pre_ping``), so the first run after the database is back works again by itself.
* A refusal from records (records.errors.UserError: no access, no such record, a page out of date ...) that the
  page did not turn into its own message: its text, which records writes for the person who asked and which is
  safe to show (escaped, so nothing in it is read as Markdown).
* Anything else is a bug: Streamlit's own handling, and nothing of it is dressed up as a message.
"""

from __future__ import annotations

import logging

import streamlit as st

from records import UNAVAILABLE, is_unavailable
from records.errors import UserError
from ui.render import esc

log = logging.getLogger("peersim")
MESSAGE = (
    "PeerSim cannot reach its database just now, so this page cannot load. Everything you saved before this "
    "moment is safe. Please try again in a minute (reload the page); it will work again as soon as the "
    "database is back."
)


def on_script_error(error: Exception) -> bool | None:
    """Show the outage message for database outages, and a refusal's own words for a UserError (True: Streamlit
    shows nothing more); other errors keep Streamlit's own handling (None)."""
    if isinstance(error, UserError):
        st.warning(esc(str(error)), icon=":material/info:")
        return True
    if not is_unavailable(error):
        return None
    log.warning("database unavailable: %s: %s", error.__class__.__name__, str(error).splitlines()[0][:200])
    st.error(MESSAGE, icon=":material/cloud_off:")
    return True


__all__ = ["MESSAGE", "UNAVAILABLE", "on_script_error"]
