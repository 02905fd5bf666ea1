"""Live class: instructors run a scenario with a cohort node by node; trainees join with a code and answer."""

from __future__ import annotations

import streamlit as st

from ui import identity, live

user = identity.require_user()
st.title("Live class")
live.page(user)
