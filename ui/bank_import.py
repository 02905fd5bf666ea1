"""The mock-exam question bank and a learning platform (scenarios.exchange), on the Class dashboard's Export tab:
the bank as GIFT and Moodle XML downloads, and a GIFT file imported into the bank's format, with a report by line
and the YAML to download."""

from __future__ import annotations

import streamlit as st

from scenarios.exchange import GiftError, ImportResult, decode_gift, from_gift, to_gift, to_moodle_xml
from scenarios.questions import Question
from ui import services
from ui.render import esc, text_table

UPLOAD = "bank_gift_upload"
RESULTS = {"ready": "ready for the bank", "needs work": "imported, more to do", "not imported": "not imported"}


def bank_questions() -> list[Question]:
    """Every question of the bank that passed its checks, in bank order."""
    return list(services.bank().values())


def gift_file() -> bytes:
    return to_gift(bank_questions()).encode("utf-8")


def moodle_xml_file() -> bytes:
    return to_moodle_xml(bank_questions()).encode("utf-8")


def bank_downloads() -> None:
    """The two downloads; each file is made only when its button is clicked."""
    empty = not services.bank()
    why_not = "The question bank has no questions that pass its checks, so there is nothing to export."
    st.download_button(
        "Download the question bank for Moodle (GIFT)",
        gift_file,
        file_name="peersim-question-bank-gift.txt",  # Moodle's GIFT import takes .txt files,
        mime="text/plain",
        key="bank_gift",
        icon=":material/download:",
        disabled=empty,
        help=why_not if empty else "A GIFT text file: in Moodle, Question bank > Import > GIFT format.",
    )
    st.download_button(
        "Download the question bank for Moodle (Moodle XML)",
        moodle_xml_file,
        file_name="peersim-question-bank.xml",
        mime="application/xml",
        key="bank_moodle_xml",
        icon=":material/download:",
        disabled=empty,
        help=why_not if empty else "A Moodle XML file: in Moodle, Question bank > Import > Moodle XML format.",
    )


@st.cache_data(show_spinner=False, max_entries=8)
def imported(data: bytes) -> ImportResult | str:
    """A GIFT upload imported (cached by its bytes, so other clicks on the page do not import it again), or the
    message that says why it cannot be read."""
    try:
        text = decode_gift(data)
    except GiftError as exc:
        return str(exc)
    return from_gift(text, services.rubric())


def report_rows(result: ImportResult) -> list[dict[str, object]]:
    """The import report as table rows: a row for each question, then one for each thing to do or left out."""
    rows: list[dict[str, object]] = []
    for question in result.questions:
        name = question.id or "–"
        if question.id is not None:
            rows.append(
                {
                    "line": question.line,
                    "question": name,
                    "result": RESULTS[question.status],
                    "details": f"Imported: {question.imported}.",
                }
            )
        for note in question.notes:
            rows.append({"line": note.line, "question": name, "result": note.kind, "details": note.message})
    return rows


def gift_import_section() -> None:
    """Upload a GIFT file, see by line what was imported and what each question still needs, download the YAML."""
    st.markdown("**Bring GIFT questions into PeerSim's bank**")
    st.caption(
        "Upload a GIFT file (exported from Moodle, or written by hand) to turn its multiple-choice questions into "
        "PeerSim's question-bank format. The report lists, by line of the file, what was imported and what each "
        "question still needs, such as its domain and the rubric criteria it tests. Download the YAML, fill those "
        "in, and give it to whoever looks after your PeerSim's question bank to add."
    )
    upload = st.file_uploader("A GIFT file", type=["gift", "txt"], key=UPLOAD)
    if upload is None:
        return
    result = imported(upload.getvalue())
    if isinstance(result, str):
        st.error(f"{esc(upload.name)}: {esc(result)}", icon=":material/error:")
        return
    ready = bool(result.questions) and all(q.status == "ready" for q in result.questions)
    box = st.success if ready else st.warning if result.yaml else st.error
    box(esc(result.summary))
    if result.questions:
        text_table(report_rows(result), hide_index=True)
    if result.yaml:
        st.download_button(
            "Download the imported questions (bank YAML)",
            result.yaml.encode("utf-8"),
            file_name=f"{upload.name.rsplit('.', 1)[0] or 'imported'}.yaml",
            mime="application/yaml",
            key="bank_gift_yaml",
            on_click="ignore",  # a download changes nothing on the page: no rerun
            icon=":material/download:",
        )
