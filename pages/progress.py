"""Progress: the trainee's patterns over time, each chart with a table beside it as its text alternative."""

from __future__ import annotations

import streamlit as st

from scoring import charts, patterns
from ui import identity, progress_data, services, spaced
from ui.render import chart_section, esc, text_table

user = identity.require_user()
st.title("Your progress")
data = progress_data.load(user)

if data.scores.empty and data.hits.empty and not data.exams:
    st.info("Your patterns will appear here once you have made some choices. Every conversation counts, finished or not.")
    st.page_link("pages/practice.py", label="Open the scenario library", icon=":material/forum:")
    st.stop()

st.markdown(esc(progress_data.headline(data)))

chart_section(
    "Score per attempt",
    empty=data.scores.empty,
    empty_text="Finish a conversation to see its score here.",
    figure=lambda: charts.score_chart(data.scores),
    table=lambda: data.scores.assign(finished=data.scores["finished_at"].dt.strftime("%Y-%m-%d %H:%M"))[
        ["finished", "title", "mode", "score"]
    ],
    key="scores",
)
if not data.scores.empty:
    st.subheader("By scenario")
    st.caption("Each scenario you finished, its latest score against your first try of it, most recent first.")
    text_table(patterns.by_scenario(data.scores), hide_index=True)
chart_section(
    "Pitfalls per week",
    empty=data.pitfall_weeks.empty,
    empty_text="No pitfalls so far. That is worth noticing.",
    figure=lambda: charts.pitfall_heatmap(data.pitfall_weeks),
    table=lambda: data.pitfall_weeks.set_axis([f"Week of {c:%d %b}" for c in data.pitfall_weeks.columns], axis=1).reset_index(),
    key="pitfalls",
)
chart_section(
    "Possibilities versus pitfalls",
    empty=data.hits.empty,
    empty_text="Play a conversation to see the possibilities and pitfalls in your choices, week by week.",
    figure=lambda: charts.balance_chart(data.balance),
    table=lambda: data.balance,
    key="balance",
)
chart_section(
    "Domain profile",
    empty=data.hits.empty,
    empty_text="Your domain profile appears once you have made choices in a conversation.",
    caption="For each domain: of the criteria your choices touched, the share that were possibilities.",
    figure=lambda: charts.domain_chart(data.domains),
    table=lambda: data.domains[["domain_title", "period", "possibilities", "pitfalls", "share"]],
    key="domains",
)

st.subheader("Your most frequent pitfalls")
if data.top.empty:
    st.caption("None yet.")
library = services.library()
for row in data.top.itertuples():
    with st.container(border=True):
        times = "once" if row.times == 1 else "twice" if row.times == 2 else f"{row.times} times"
        st.markdown(f"**{esc(row.title)}** ({esc(row.domain_title)}): {times}")
        st.caption(esc(services.rubric().criterion(row.criterion_id).description))
        practice = [s for s in row.practice if s in library.scenarios][:3]
        if practice:
            st.markdown("Practice it in: " + ", ".join(f"*{esc(library.scenarios[s].scenario.title)}*" for s in practice))
            if st.button("Practice now", key=f"practise_{row.criterion_id}", icon=":material/replay:"):
                progress_data.choose(practice[0])
                st.switch_page("pages/practice.py")

st.subheader("Spaced review")
queue = spaced.counts(user)
cols = st.columns(3)
cols[0].metric("Due now", queue.due)
cols[1].metric("Learned", queue.learned, help="Remembered over growing intervals")
cols[2].metric("Lapsed", queue.lapsed, help="Forgotten once after being learned, and being relearned")
if queue.due:
    st.page_link("pages/spaced.py", label="Review what is due", icon=":material/event_repeat:")

st.subheader("Readiness for the exam")
st.caption(
    "An estimate from your mock exams and the choices you made in conversations. It needs at least five items "
    "in an area before it says anything."
)
rows = [*data.readiness.exam_domains, *data.readiness.domains]
text_table(
    [
        {
            "area": e.title,
            "estimate": "too few to say" if e.percent is None else f"{e.percent}%",
            "based on": f"{e.basis} item(s)",
        }
        for e in rows
    ]
)
weakest = data.readiness.weakest()
if weakest:
    st.markdown("**Practice next:** " + ", ".join(f"{esc(e.title)} ({e.percent}%)" for e in weakest))
    cols = st.columns(2)
    cols[0].page_link("pages/practice.py", label="Scenario library", icon=":material/forum:")
    cols[1].page_link("pages/exam.py", label="Mock exam", icon=":material/quiz:")

st.subheader("Your progress report")
st.download_button(
    "Download my progress report (PDF)",
    lambda: progress_data.report_pdf(user.name, data),
    file_name="peersim-progress-report.pdf",
    mime="application/pdf",
    key="report_pdf",
    icon=":material/picture_as_pdf:",
)
