"""The admin page's "Learning record store" section: whether PeerSim sends xAPI statements, how many wait and how
many were sent, and what went wrong last. A learning record store that is down loses nothing (the statements wait
in the outbox and the sender tries again by itself), so this is for knowing, not for acting; what to change when
it keeps failing is in docs/integrations.md."""

from __future__ import annotations

import streamlit as st

from records import Store, User
from ui.assignments import when
from ui.render import esc


def _statements(count: int) -> str:
    return f"{count} statement{'s' if count != 1 else ''}"


def render(store: Store, user: User) -> None:
    """The section (admins only: records refuses anyone else)."""
    status = store.xapi.status(user)
    st.subheader("Learning record store")
    if status.endpoint is None:
        st.caption(
            "Not set up. PeerSim can send what trainees do in practice and mock exams (as xAPI statements) to your "
            "program's learning record store. docs/integrations.md says how."
        )
        if status.waiting:
            st.info(f"{_statements(status.waiting)} from before still wait to be sent. They go once it is set up again.")
        return
    st.caption(f"PeerSim sends xAPI statements to {esc(status.endpoint)}.")
    cols = st.columns(3)
    cols[0].metric("Waiting to be sent", status.waiting)
    cols[1].metric("Sent in the last 30 days", status.sent)
    cols[2].metric("Last sent", when(status.last_sent_at) if status.last_sent_at else "Not yet")
    if status.last_error and status.last_error_at:
        st.warning(
            f"{_statements(status.failing)} could not be sent yet. PeerSim keeps them and tries again by itself. "
            f"The last try, {esc(when(status.last_error_at))}, said: {esc(status.last_error)}"
        )
    elif status.waiting:
        st.info(f"{_statements(status.waiting)} will be sent in a moment.")
    else:
        st.success("Everything has been sent.")
