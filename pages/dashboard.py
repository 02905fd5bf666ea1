"""Class dashboard (instructors and admins): a cohort's completion and scores, its recurring pitfalls, its domain
profile, item analysis of each scenario's decision points, one trainee's progress and transcripts, and a CSV
export. Figures come from records (access checked and audited there) and scoring.cohort; this page renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple
from datetime import time, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from records import Attempt, clock
from records.cohort_rows import Cohort
from records.decisions import BRANCH
from records.errors import CohortError
from scenarios import STAGE_LABELS
from scoring import charts, patterns
from scoring import cohort as figures_of
from scoring.assignments import state as assignment_state
from scoring.exam_items import EXAM_FLAG_ADVICE, exam_item_analysis, item_table
from scoring.scorer import feedback
from ui import assignments as assignments_ui
from ui import bank_import, identity, progress_data, services
from ui.render import chart_section, esc, peer_says, show_chart, text_table
from ui.render import feedback as show_feedback

ASSIGN_FLASH = "dashboard_assign_flash"
STATUS = {"finished": "finished", "active": "unfinished", "left": "left early", "live": "in a live class"}

user = identity.require_user("instructor", "admin")  # the page re-checks the role itself
store = services.store()
rubric = services.rubric()
st.title("Class dashboard")


def title_of(scenario_id: str, content_hash: str) -> str:
    try:
        return services.scenario_for(content_hash).scenario.title
    except Exception:  # a version that no longer loads still shows by id
        return scenario_id


def chart_with_table(
    heading: str, *, caption: str, figure: Callable[[], go.Figure], table: Callable[[], pd.DataFrame], key: str
) -> None:
    """A chart with its table (the Progress page's helper; here there is always data to draw)."""
    chart_section(heading, empty=False, empty_text="", figure=figure, table=table, key=key, caption=caption)


ASSIGN_KINDS = {"scenario": "A scenario to practice", "exam": "A mock exam"}


def assignment_tab(cohort: Cohort) -> None:
    """Set work for the cohort with a due date, see who has done it, change or remove it."""
    st.caption(
        "Ask the class to practice a scenario, or to take a mock exam, by a due date. Trainees see it on Home and "
        f"at the top of their library. Due dates are in {assignments_ui.zone().key}. Only work started after an "
        "assignment is set counts toward it; practice branches and live classes do not."
    )
    flash = st.session_state.pop(ASSIGN_FLASH, None)
    if flash:
        st.success(flash)
    set_work = store.assignments.of_cohort(user, cohort.id)
    progress = store.assignments.completion(user, cohort.id) if set_work else {}
    now = clock.now()
    for assignment in set_work:
        name = assignments_ui.title(assignment.kind, assignment.scenario_id)
        rows = progress.get(assignment.id, [])
        done = sum(p.done_at is not None for p in rows)
        with st.container(border=True):
            st.markdown(f"**{esc(name)}** · due {esc(assignments_ui.due_text(assignment.due_at, now))}")
            st.caption(f"Done by {done} of {len(rows)} trainee{'s' if len(rows) != 1 else ''}")
            if assignment.note:
                st.markdown(f"*Note to the class:* {esc(assignment.note)}")
            if rows:
                text_table(
                    [
                        {
                            "trainee": p.name,
                            "state": assignments_ui.STATE_LABELS[assignment_state(assignment.due_at, p.done_at, now)],
                            "done": "–" if p.done_at is None else assignments_ui.when(p.done_at),
                            "best": "–" if p.best is None else f"{p.best}%",
                        }
                        for p in rows
                    ],
                    hide_index=True,
                )
            with st.expander("Change the due date or note"):
                with st.form(f"change_assignment_{assignment.id}"):
                    shown = assignments_ui.local(assignment.due_at)
                    day = st.date_input("Due date", value=shown.date(), format="MM/DD/YYYY", key=f"due_day_{assignment.id}")
                    at = st.time_input(
                        "Due time", value=shown.time().replace(second=0, microsecond=0), key=f"due_time_{assignment.id}"
                    )
                    note = st.text_area(
                        "Note to the class", value=assignment.note, max_chars=500, key=f"due_note_{assignment.id}"
                    )
                    if st.form_submit_button("Save the change"):
                        try:
                            store.assignments.change(user, assignment.id, due_at=assignments_ui.due_moment(day, at), note=note)
                        except CohortError as exc:
                            st.error(esc(str(exc)))
                        else:
                            st.session_state[ASSIGN_FLASH] = (
                                f"Saved: {esc(name)} is now due {esc(assignments_ui.due_text(assignments_ui.due_moment(day, at)))}."
                            )
                            st.rerun()
                if st.button("Remove this assignment", key=f"remove_assignment_{assignment.id}", icon=":material/delete:"):
                    store.assignments.remove(user, assignment.id)
                    st.session_state[ASSIGN_FLASH] = (
                        f"Removed the assignment of {esc(name)}. The trainees' practice stays theirs."
                    )
                    st.rerun()
    if not set_work:
        st.caption(f"Nothing is assigned to {esc(cohort.name)} yet.")
    if cohort.archived:
        st.caption("This cohort is archived: restore it on the Cohorts page to assign work to it.")
        return
    st.markdown("#### Assign work")
    choices = services.playable(user)
    with st.form("new_assignment", clear_on_submit=True):
        kind = st.radio(
            "What to assign", list(ASSIGN_KINDS), format_func=ASSIGN_KINDS.__getitem__, horizontal=True, key="assign_kind"
        )
        scenario_id = st.selectbox(
            "Scenario (for a scenario to practice)",
            list(choices),
            format_func=lambda sid: choices[sid].scenario.title,
            index=None,
            placeholder="Choose a scenario",
            key="assign_scenario",
        )
        today = assignments_ui.local(clock.now()).date()
        day = st.date_input("Due date", value=today + timedelta(days=7), min_value=today, format="MM/DD/YYYY", key="assign_day")
        at = st.time_input("Due time", value=time(23, 59), key="assign_time")
        note = st.text_area(
            "Note to the class (optional)",
            max_chars=500,
            key="assign_note",
            placeholder="What to notice, or how it fits this week's class",
        )
        if st.form_submit_button("Assign", type="primary", icon=":material/assignment_add:"):
            try:
                made = store.assignments.create(
                    user, cohort.id, kind=kind, scenario_id=scenario_id, due_at=assignments_ui.due_moment(day, at), note=note
                )
            except CohortError as exc:
                st.error(esc(str(exc)), icon=":material/error:")
            else:
                st.session_state[ASSIGN_FLASH] = (
                    f"Assigned {esc(assignments_ui.title(made.kind, made.scenario_id))} to {esc(cohort.name)}, due "
                    f"{esc(assignments_ui.due_text(made.due_at))}."
                )
                st.rerun()


cohorts = store.cohorts.mine(user)
if not cohorts:
    st.info(
        "You have no cohorts yet. Create one on the Cohorts page and give your class its join code; "
        "their figures appear here as they practice."
    )
    st.page_link("pages/cohorts.py", label="Open Cohorts", icon=":material/groups:")
    st.stop()

labels = {
    c.id: f"{c.name} ({c.members} trainee{'s' if c.members != 1 else ''})" + (" · archived" if c.archived else "")
    for c in cohorts
}
cohort_id = st.selectbox(
    "Cohort", list(labels), format_func=labels.__getitem__, index=None, placeholder="Choose a cohort", key="dashboard_cohort"
)
if cohort_id is None:
    st.caption("Choose a cohort to see its figures. Opening them is noted in the audit log, as trainees' privacy requires.")
    st.stop()

figures = store.analytics.figures(user, cohort_id)
cohort = figures.cohort
TABS = ["Overview", "Assignments", "Pitfalls and domains", "Item analysis", "Mock exam items", "One trainee", "Export"]
overview, assigned, patterns_tab, items_tab, exam_tab, trainee_tab, export_tab = st.tabs(TABS, key="dashboard_tabs")
played = not figures.trainees.empty and figures.attempts > 0
NOT_YET = "Figures appear here once the class has practiced; the Overview tab says where it stands."

with assigned:
    assignment_tab(cohort)

with export_tab:
    st.subheader("Export")
    st.caption(
        "Every decision of the cohort's trainees, one row each, with the trainee's name and id, the conversation and "
        "its score. Downloading it is noted in the audit log."
    )
    st.download_button(
        "Download the cohort's attempts and decisions (CSV)",
        lambda: store.analytics.export_csv(user, cohort_id),  # made (and logged) only when clicked
        file_name=f"peersim-cohort-{cohort_id}.csv",
        mime="text/csv",
        key="cohort_csv",
        icon=":material/download:",
    )

    st.subheader("Question bank for your LMS")
    st.caption(
        "PeerSim's mock-exam questions for your own course site: in Moodle, open Question bank > Import and choose "
        "GIFT or Moodle XML. Each question keeps its four options, its right answer and the feedback for every "
        "option, in a category per exam domain."
    )
    bank_import.bank_downloads()
    bank_import.gift_import_section()

with overview:
    if figures.trainees.empty:
        st.info(
            f"No one has joined {esc(cohort.name)} yet. Trainees join with the code **`{cohort.join_code}`** when they "
            "create their account, or on their Account page."
        )
    elif figures.attempts == 0:
        st.info(
            f"No one in {esc(cohort.name)} has started a conversation yet. Name a scenario for the class to practice "
            "(the Assignments tab sets one with a due date); completion, pitfalls and item analysis appear here as "
            "they play."
        )
        text_table(figures_of.trainee_table(figures.trainees), hide_index=True)
    else:
        headline = figures_of.headline(figures.trainees)
        st.markdown(esc(headline.sentence()))
        cols = st.columns(4)
        cols[0].metric("Trainees practicing", f"{headline.active} of {headline.members}")
        cols[1].metric("Conversations started", headline.started)
        cols[2].metric("Conversations finished", headline.finished)
        cols[3].metric(
            "Mean score",
            "–" if headline.mean_score is None else f"{figures_of.whole(headline.mean_score)}%",
            help="The mean of the scores of every finished conversation in the class",
        )

        st.subheader("Completion per trainee")
        st.caption("Mean and best score are over each trainee's finished conversations; the mean is their overall score.")
        text_table(figures_of.trainee_table(figures.trainees), hide_index=True)

        titles = {
            s: title_of(s, h) for s, h in zip(figures.scenarios["scenario_id"], figures.scenarios["content_hash"], strict=True)
        }
        st.subheader("Completion per scenario")
        st.caption("How many trainees tried and finished each scenario, and the mean score of its finished conversations.")
        text_table(figures_of.scenario_table(figures.scenarios, titles, headline.members), hide_index=True)


if not played:
    for tab in (patterns_tab, items_tab, exam_tab, trainee_tab):
        tab.caption(NOT_YET)
    st.stop()

titles = {s: title_of(s, h) for s, h in zip(figures.scenarios["scenario_id"], figures.scenarios["content_hash"], strict=True)}

with patterns_tab:
    weeks = patterns.pitfalls_by_week(figures.hits, rubric)
    if weeks.empty:
        st.subheader("The class's pitfalls per week")
        st.caption("No pitfalls so far in this class's choices.")
    else:
        chart_with_table(
            "The class's pitfalls per week",
            caption="Each cell counts how often someone in the class chose a response with that pitfall that week.",
            figure=lambda: charts.class_pitfall_heatmap(weeks),
            table=lambda: weeks.set_axis([f"Week of {c:%d %b}" for c in weeks.columns], axis=1).reset_index(),
            key="class_pitfalls",
        )
    profile = figures_of.class_domain_profile(figures.hits, rubric)
    if not profile.empty:
        chart_with_table(
            "The class's domain profile",
            caption="For each curriculum domain: the possibilities the class's choices showed and the pitfalls they hit.",
            figure=lambda: charts.class_domain_chart(profile),
            table=lambda: profile[["domain_title", "possibilities", "pitfalls", "share"]].rename(
                columns={"domain_title": "domain", "share": "share of possibilities (%)"}
            ),
            key="class_domains",
        )


with items_tab:
    st.subheader("Item analysis")
    st.markdown(
        "Each decision point of a scenario is a question the class answered. These figures use **first attempts** "
        "only (the first time each trainee reached that point in their first try of the scenario), because later "
        "tries have already seen the feedback.\n\n"
        "- **Facility**: the share of trainees who chose the strongest response there. High means most people found it; "
        "low means most did not.\n"
        "- **Discrimination**: how much more often trainees who do well overall chose the strongest response than "
        "trainees who find the scenarios harder. We compare the top 27% with the bottom 27% by overall score (the mean "
        "score of their finished conversations). From -1 to +1: positive is what you want; around 0 means the point "
        "does not separate them; below 0 means the point may be confusing or mis-keyed.\n"
        "- **Flags** point at decision points worth a second look; what to do about each is written under it."
    )
    with_titles = {s: titles.get(s, s) for s in figures.scenarios["scenario_id"]}
    scenario_id = st.selectbox(
        "Scenario",
        list(with_titles),
        format_func=with_titles.__getitem__,
        index=None,
        placeholder="Choose a scenario",
        key="dashboard_scenario",
    )
    if scenario_id is None:
        st.caption("Choose a scenario the class has played to see how each of its decision points worked.")
    else:
        data = store.analytics.item_data(user, cohort_id, scenario_id)
        loaded = services.scenario_for(str(data.versions["content_hash"].iloc[0]))
        if len(data.versions) > 1:
            st.caption(
                f"The class played {len(data.versions)} versions of this scenario; responses are named as in the newest. "
                "A response that is not in it is shown by its id."
            )
        analysis = figures_of.item_analysis(loaded.scenario, rubric, data.counts, data.first_choices, data.scores)
        fit = figures_of.level_check(loaded.scenario.difficulty, analysis)
        if fit.verdict in ("harder", "easier"):
            st.warning(esc(fit.sentence()), icon=":material/tune:")
        else:
            st.caption(esc(fit.sentence()))
        text_table(figures_of.node_table(analysis), hide_index=True)
        for node in analysis.nodes.itertuples():
            st.markdown(f"#### Decision point `{node.node_id}`")
            if node.peer:
                st.markdown(f"**{esc(loaded.scenario.peer.name)}:** {esc(node.peer)}")
            st.markdown(
                f"Reached by {node.reached} trainee{'s' if node.reached != 1 else ''} in a first attempt; "
                f"facility {figures_of.percent(node.facility)}, discrimination {figures_of.signed(node.discrimination)}."
            )
            for flag in node.flags:
                st.warning(f"**{flag.capitalize()}.** {figures_of.FLAG_ADVICE[flag]}", icon=":material/flag:")
            choices = analysis.choices_at(node.node_id)
            show_chart(
                charts.choice_chart(choices, f"Choices at {node.node_id}"),
                key=f"chart_choices_{node.node_id}",
                alt="The responses chosen at this decision point",
            )
            text_table(figures_of.choice_table(choices), hide_index=True)


with exam_tab:
    st.subheader("Mock exam items")
    st.markdown(
        "The same figures for the mock exam's questions, from the class's finished exams. Each exam draws its own "
        "form, so each question is judged on the exams that held it; an unanswered question counts as wrong.\n\n"
        "- **Facility**: the share of those exams that answered it right.\n"
        "- **Discrimination**: how much more often the exams in the top 27% by overall percent answered it right than "
        "those in the bottom 27%.\n"
        "- **Answers** count each option by its number in the question bank (each form shows them in its own order)."
    )
    exam_items = exam_item_analysis(services.bank(), *astuple(store.analytics.exam_data(user, cohort_id)))
    st.caption(esc(exam_items.reliability.sentence()))
    if exam_items.items.empty:
        st.caption("No one in this cohort has finished a mock exam yet.")
    else:
        text_table(item_table(exam_items, services.bank()), hide_index=True)
        flagged = exam_items.items[[bool(f) and f != ["too few answers"] for f in exam_items.items["flags"]]]
        for row in flagged.itertuples():
            for flag in row.flags:
                st.warning(f"**{esc(row.question_id)}: {flag}.** {EXAM_FLAG_ADVICE[flag]}", icon=":material/flag:")


with trainee_tab:
    st.subheader("A trainee's progress")
    st.caption("Opening a trainee's records is noted in the audit log, as their privacy requires.")
    names = dict(zip(figures.trainees["user_id"], figures.trainees["name"], strict=True))
    trainee_id = st.selectbox(
        "Trainee", list(names), format_func=names.__getitem__, index=None, placeholder="Choose a trainee", key="dashboard_trainee"
    )
    if trainee_id is not None:
        progress = progress_data.load(user, int(trainee_id))
        st.markdown(esc(progress_data.headline(progress, names[trainee_id])))
        if not progress.scores.empty:
            chart_with_table(
                "Score per attempt",
                caption=f"{esc(names[trainee_id])}'s score for each finished conversation, in order.",
                figure=lambda: charts.score_chart(progress.scores),
                table=lambda: progress.scores.assign(finished=progress.scores["finished_at"].dt.strftime("%Y-%m-%d %H:%M"))[
                    ["finished", "title", "mode", "score"]
                ],
                key="trainee_scores",
            )
        if not progress.pitfall_weeks.empty:
            chart_with_table(
                "Pitfalls per week",
                caption=f"How often {esc(names[trainee_id])}'s choices had each pitfall, week by week.",
                figure=lambda: charts.pitfall_heatmap(progress.pitfall_weeks),
                table=lambda: progress.pitfall_weeks.set_axis(
                    [f"Week of {c:%d %b}" for c in progress.pitfall_weeks.columns], axis=1
                ).reset_index(),
                key="trainee_pitfalls",
            )
        if not progress.hits.empty:
            chart_with_table(
                "Possibilities versus pitfalls",
                caption=f"Week by week: the possibilities {esc(names[trainee_id])}'s choices showed and the pitfalls they hit.",
                figure=lambda: charts.balance_chart(progress.balance),
                table=lambda: progress.balance,
                key="trainee_balance",
            )
            chart_with_table(
                "Domain profile",
                caption="For each domain: of the criteria their choices touched, the share that were possibilities.",
                figure=lambda: charts.domain_chart(progress.domains),
                table=lambda: progress.domains[["domain_title", "period", "possibilities", "pitfalls", "share"]],
                key="trainee_domains",
            )

        st.markdown("#### Transcripts")
        history: list[Attempt] = store.attempts_of(user, int(trainee_id))
        if not history:
            st.caption(f"{esc(names[trainee_id])} has not started a conversation yet.")
        else:
            by_id = {a.id: a for a in history}

            def attempt_label(attempt_id: int) -> str:
                attempt = by_id[attempt_id]
                score = f" · {attempt.score}%" if attempt.score is not None else ""
                branch = " · practice branch" if attempt.mode == BRANCH else ""  # kept apart from first tries
                return (
                    f"{attempt.started_at:%d %b %Y %H:%M} · {title_of(attempt.scenario_id, attempt.content_hash)}{branch} · "
                    f"{STATUS.get(attempt.status, attempt.status)}{score}"
                )

            attempt_id = st.selectbox(
                "Conversation",
                list(by_id),
                format_func=attempt_label,
                index=None,
                placeholder="Choose a conversation",
                key="dashboard_attempt",
            )
            if attempt_id is not None:
                attempt = by_id[attempt_id]
                scenario = services.scenario_for(attempt.content_hash).scenario
                decisions = store.decisions(user, attempt.id)
                if not decisions:
                    st.caption("No choices were made in this conversation.")
                for decision in decisions:
                    node = scenario.nodes[decision.node_id]
                    peer_says(scenario.peer.name, node.peer, node.scene)
                    with st.chat_message("user", avatar=":material/record_voice_over:"):
                        st.markdown(
                            f"**{esc(names[trainee_id])}:** {esc(scenario.choice(decision.node_id, decision.choice_id).say)}"
                        )
                    with st.expander(f"Feedback on decision {decision.step}", expanded=True):
                        st.caption(f"Where {esc(scenario.peer.name)} was: {STAGE_LABELS[node.readiness].lower()}")
                        show_feedback(feedback(scenario, decision.node_id, decision.choice_id, rubric))
                if attempt.ending_id and attempt.ending_id in scenario.endings:
                    peer_says(scenario.peer.name, scenario.endings[attempt.ending_id].peer)
