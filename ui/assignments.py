"""Assignments as people read them: due dates in the program's time zone, and what each trainee has to do.

The program's time zone is ``PEERSIM_TIME_ZONE`` (an IANA name such as ``America/Chicago``; UTC when unset), so
"due Friday" means the end of Friday where the class meets. Records keep UTC.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from records import User, clock
from records.assignments import Mine
from scoring.assignments import due_phrase, state
from ui import services
from ui import state as keys
from ui.render import esc

log = logging.getLogger("peersim")
STATE_LABELS = {"done": "Done", "done late": "Done late", "overdue": "Overdue", "to do": "To do"}
STATE_ICONS = {"done": "✓", "done late": "✓", "overdue": "!", "to do": "○"}


@cache
def zone() -> ZoneInfo:
    name = os.environ.get("PEERSIM_TIME_ZONE", "UTC").strip() or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("PEERSIM_TIME_ZONE=%r is not a time zone name (like America/Chicago); using UTC", name)
        return ZoneInfo("UTC")


def local(moment: datetime) -> datetime:
    return moment.astimezone(zone())


def when(moment: datetime) -> str:
    """'Fri, Mar 5, 11:59 PM EST'."""
    shown = local(moment)
    hour = shown.strftime("%I:%M %p").lstrip("0")
    return f"{shown:%a, %b} {shown.day}, {hour} {shown.tzname()}"


def due_moment(day: date, at: time) -> datetime:
    """A date and time picked in the program's time zone, as UTC."""
    return datetime.combine(day, at, tzinfo=zone()).astimezone(UTC)


def due_text(due_at: datetime, now: datetime | None = None) -> str:
    """'due Fri, Mar 5, 11:59 PM UTC (in 2 days)'."""
    now = clock.now() if now is None else now
    return f"{when(due_at)} ({due_phrase(local(due_at), local(now))})"


def title(kind: str, scenario_id: str | None) -> str:
    if kind == "exam":
        return "A mock exam"
    found = services.library().scenarios.get(scenario_id or "")
    if found is not None:
        return found.scenario.title
    return scenario_id or "A scenario"


def open_work(mine: Mine) -> None:
    """The button's callback: the assigned scenario's start screen, or the mock exam."""
    if mine.assignment.kind == "scenario":
        st.session_state[keys.CHOSEN_SCENARIO] = mine.assignment.scenario_id
        st.session_state.pop(keys.PLAY, None)


def assigned_to(user: User) -> list[tuple[Mine, str]]:
    """The trainee's assignments with their state, the ones still to do first (overdue before to do), then done."""
    now = clock.now()
    rows = [(m, state(m.assignment.due_at, m.progress.done_at, now)) for m in services.store().assignments.mine(user, user.id)]
    order = {"overdue": 0, "to do": 1, "done late": 2, "done": 3}
    return sorted(rows, key=lambda row: (order[row[1]], row[0].assignment.due_at))


def show_mine(user: User, *, where: str) -> None:
    """'Assigned to you' on Home and in the library: each assignment with its due date, state and a way in."""
    rows = assigned_to(user)
    if not rows:
        return
    st.markdown("#### Assigned to you")
    playable = services.playable(user)
    for mine, now_state in rows:
        assignment = mine.assignment
        with st.container(border=True):
            name = title(assignment.kind, assignment.scenario_id)
            st.markdown(f"**{esc(name)}** · {esc(assignment.cohort_name)}")
            line = f"{STATE_ICONS[now_state]} {STATE_LABELS[now_state]} · due {due_text(assignment.due_at)}"
            if mine.progress.done_at is not None:
                best = "" if mine.progress.best is None else f" · best {mine.progress.best}%"
                line = f"{STATE_ICONS[now_state]} {STATE_LABELS[now_state]} {when(mine.progress.done_at)}{best} · was due {when(assignment.due_at)}"
            st.caption(esc(line))
            if assignment.note:
                st.markdown(f"*From your instructor:* {esc(assignment.note)}")
            label = "Practice again" if mine.progress.done_at is not None else "Start"
            if assignment.kind == "exam":
                st.page_link("pages/exam.py", label=f"{label}: open the mock exam", icon=":material/quiz:")
            elif assignment.scenario_id in playable:
                clicked = st.button(
                    f"{label}: {name}",
                    key=f"assigned_{where}_{assignment.id}",
                    icon=":material/play_arrow:",
                    on_click=open_work,
                    args=(mine,),
                )
                if clicked and where == "home":
                    st.switch_page("pages/practice.py")
            else:
                st.caption("This scenario is not in your library any more; ask your instructor about it.")
