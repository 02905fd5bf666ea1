"""Progress: the trainee's patterns over time, each chart with a table beside it as its text alternative."""

from __future__ import annotations

import streamlit as st

from scoring import charts
from ui import identity, progress_data, reviews, services
from ui.render import esc

user = identity.require_user()
st.title("Your progress")
data = progress_data.load(user)

if data.scores.empty and data.hits.empty and not data.exams:
    st.info("Your patterns will appear here once you have made some choices. Every conversation counts, finished or not.")
    st.page_link("pages/practice.py", label="Open the scenario library", icon=":material/forum:")
    st.stop()

st.markdown(esc(progress_data.headline(data)))

st.subheader("Score per attempt")
if data.scores.empty:
    st.caption("Finish a conversation to see its score here.")
else:
    st.plotly_chart(charts.score_chart(data.scores), key="chart_scores")
    with st.expander("Score per attempt as a table"):
        table = data.scores.assign(finished=data.scores["finished_at"].dt.strftime("%Y-%m-%d %H:%M"))
        st.dataframe(table[["finished", "title", "mode", "score"]], hide_index=True, key="table_scores")

st.subheader("Pitfalls per week")
if data.pitfall_weeks.empty:
    st.caption("No pitfalls so far. That is worth noticing.")
else:
    st.plotly_chart(charts.pitfall_heatmap(data.pitfall_weeks), key="chart_pitfalls")
    with st.expander("Pitfalls per week as a table"):
        table = data.pitfall_weeks.copy()
        table.columns = [f"Week of {c:%d %b}" for c in table.columns]
        st.dataframe(table, key="table_pitfalls")

st.subheader("Possibilities versus pitfalls")
if data.hits.empty:
    st.caption("Play a conversation to see the possibilities and pitfalls in your choices, week by week.")
else:
    st.plotly_chart(charts.balance_chart(data.balance), key="chart_balance")
    with st.expander("Possibilities versus pitfalls as a table"):
        st.dataframe(data.balance, hide_index=True, key="table_balance")

st.subheader("Domain profile")
if data.hits.empty:
    st.caption("Your domain profile appears once you have made choices in a conversation.")
else:
    st.caption("For each domain: of the criteria your choices touched, the share that were possibilities.")
    st.plotly_chart(charts.domain_chart(data.domains), key="chart_domains")
    with st.expander("Domain profile as a table"):
        st.dataframe(
            data.domains[["domain_title", "period", "possibilities", "pitfalls", "share"]],
            hide_index=True,
            key="table_domains",
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
            st.markdown("Practise it in: " + ", ".join(f"*{esc(library.scenarios[s].scenario.title)}*" for s in practice))
            if st.button("Practise now", key=f"practise_{row.criterion_id}", icon=":material/replay:"):
                progress_data.choose(practice[0])
                st.switch_page("pages/practice.py")

st.subheader("Spaced review")
queue = reviews.counts(user)
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
st.table(
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
    st.markdown("**Practise next:** " + ", ".join(f"{esc(e.title)} ({e.percent}%)" for e in weakest))
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
