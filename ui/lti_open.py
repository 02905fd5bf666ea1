"""Opening a scenario from its address: ``/practice?scenario=<id>``, where a launch from a learning platform sends a
trainee (ui/lti_routes.py). The Practice page calls :func:`scenario_from_link` before it decides what to show."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from scenarios import LoadedScenario
from ui import play, state

PARAM = "scenario"
NOT_AVAILABLE = "The scenario this link names is not in your library, so the library is shown instead."


def scenario_from_link(playable: Mapping[str, LoadedScenario]) -> None:
    """Show the start (content note and mode) of the scenario the address names, once: the parameter is taken off
    the address, so going back to the library later is not sent to it again."""
    wanted = st.query_params.get(PARAM)
    if wanted is None:
        return
    del st.query_params[PARAM]
    if wanted in playable:
        play.stop()
        st.session_state[state.CHOSEN_SCENARIO] = wanted
    else:
        st.session_state.pop(state.CHOSEN_SCENARIO, None)
        st.session_state[state.FLASH] = NOT_AVAILABLE
