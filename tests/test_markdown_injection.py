"""Text people type is shown as text on every page, for every role (issue 11, finding 6): Markdown images, links,
:color[...] directives, $math$ and **emphasis** in names, cohort names and a studio scenario's title, summary,
peer, choices, feedback and ending reach Streamlit only escaped (ui.render.esc).

The walk here is the fast one (AppTest, no browser): it opens every page a role may see, with the interactions
that bring the typed text on screen, and reads every string of every element that Streamlit renders as Markdown
(labels, bodies, help, radio options, metric values, expander and tab labels, st.table headers and cells). None
may hold a Markdown construct from the payloads; and where the text should be on screen, it reads back exactly as
typed (tests.shown). tests/browser/test_markdown_injection.py walks the same world in a real browser and records
every request it makes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from google.protobuf.descriptor import FieldDescriptor
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from records import Store, User, clock
from scenarios import LoadedScenario, load_scenario
from scenarios.studio import inspect, with_new_id
from scoring import default_rubric
from scoring.review import new_card
from scoring.scorer import feedback
from tests.helpers import FIXTURES, PASSWORD, app_for
from tests.helpers import play as play_path
from tests.shown import shown, shown_rows
from ui.render import WORD_JOINER, esc, esc_frame

pytestmark = pytest.mark.usefixtures("fixture_library")

HOST = "http://127.0.0.2:9"
"""Where every payload points: an address nothing listens on (a browser that fetched it would show in the log)."""


def payload(tag: str) -> str:
    """Markdown that would fetch an image, make a link, colour text, typeset math and embolden, marked by ``tag``."""
    return f"![{tag}]({HOST}/{tag}.png) [{tag}]({HOST}/) :red[{tag}] ${tag}$ **{tag}**"


ADMIN = payload("a")
INSTRUCTOR = payload("i")
TRAINEE = payload("t")
OUTSIDER = payload("o")
COHORT = f"Night class {payload('c')}"
TITLE = f"Title {payload('s')}"
SUMMARY = f"Summary {payload('u')}"
PEER = f"Peer {payload('p')}"
SAY = f"Say {payload('y')}"
WHY = f"Why {payload('w')}"
ENDING = f"Ending {payload('e')}"
DEBRIEF = f"Debrief {payload('d')}"
NOTE = f"Note {payload('n')}"
SCENARIO_ID = "payload-check"
TYPED = [ADMIN, INSTRUCTOR, TRAINEE, OUTSIDER, COHORT, TITLE, SUMMARY, PEER, SAY, WHY, ENDING, DEBRIEF, NOTE]

LIVE = re.compile(r"!\[|\]\(http|:red\[|\*\*[a-z]\*\*|\$[a-z]\$")
"""A payload's Markdown left unescaped: an image, a link target, a colour directive, emphasis or math."""


def test_every_payload_fits_where_it_is_typed():
    assert all(len(name) <= 80 for name in (ADMIN, INSTRUCTOR, TRAINEE, OUTSIDER))  # the longest name allowed
    assert all(LIVE.search(text) for text in TYPED)


# ------------------------------------------------------------------------------------------ the helper
MARKDOWN_PAYLOADS = [
    f"![x]({HOST}/img.png)",
    f"[click]({HOST}/)",
    ":red[x]",
    "$x$",
    "**b**",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt; &amp;",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "a | b\n--|--\nc | d",
    "Title\n===",
    "    indented code",
    "`code`",
    "~~gone~~",
    ":smile: :material/home: :streamlit:",
    "a -> b -- c >= d",
    "www.example.org http://example.org/x",
    "\\*not emphasis\\*",
    'Nguyễn Thị Lan, RN; "Annie" O\'Neil 50% @home ^_^',
]


@pytest.mark.parametrize("text", MARKDOWN_PAYLOADS)
def test_escaped_text_reads_back_exactly_and_holds_no_markdown(text):
    escaped = esc(text)
    assert shown(escaped) == text
    assert not LIVE.search(escaped)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\u00a0" + WORD_JOINER)))
def test_any_text_reads_back_as_typed(text):
    expected = re.sub(r"(?m)^[ \t]+", lambda m: " " * len(m.group(0).expandtabs(4)), text)
    assert shown(esc(text)) == expected


def test_a_table_for_st_table_has_its_text_escaped_and_its_numbers_kept():
    frame = pd.DataFrame({"name **n**": [TRAINEE, None], "points": [-1, 2]})
    escaped = esc_frame(frame)
    assert list(escaped.columns) == [esc("name **n**"), "points"]
    assert escaped["points"].tolist() == [-1, 2] and escaped["points"].dtype == frame["points"].dtype
    assert shown_rows(escaped)[0] == {"name **n**": TRAINEE, "points": -1}
    assert frame.iloc[0, 0] == TRAINEE  # the original is untouched


# ---------------------------------------------------------------------------------------- the world
def scenario_text() -> str:
    """The 'mini' fixture, under a new id, with every text an author types replaced by a payload."""
    text = with_new_id((FIXTURES / "good" / "mini.yaml").read_text(encoding="utf-8"), SCENARIO_ID)
    for old, new in (
        ("title: A short check-in", f"title: '{TITLE}'"),
        ("summary: Sam is thinking about going back to school.", f"summary: '{SUMMARY}'\ncontent_note: '{NOTE}'"),
        ("  name: Sam", f"  name: '{PEER}'"),
        ('say: "Let\'s sign you up for classes this week."', f"say: '{SAY}'"),
        ("why: Sam has not said he is ready to plan.", f"why: '{WHY}'"),
        ("title: A first step", f"title: '{ENDING}'"),
        ("debrief: What helped Sam move from thinking to a first step?", f"debrief: '{DEBRIEF}'"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@dataclass
class World:
    url: str
    admin: User
    instructor: User
    trainee: User
    outsider: User
    cohort_id: int
    loaded: LoadedScenario
    live_code: str

    def token(self, who: User) -> str:
        store = Store.open(self.url)
        try:
            return store.accounts.start_session(who)
        finally:
            store.close()


def play(store: Store, user: User, loaded: LoadedScenario, path: list[tuple[str, str]]) -> int:
    """One attempt along ``path``, recorded as the Practice page does; finished when it reaches an ending."""
    return play_path(store, user, loaded, default_rubric(), path)


def build_world(url: str) -> World:
    """Accounts of every role named with payloads, a cohort named with one, a studio scenario full of them
    published to it, a trainee who played it (a pitfall on the way, so it is in spaced review) and finished it,
    and a live class of it running."""
    store = Store.open(url)
    try:
        admin = store.accounts.create_first_admin(ADMIN, "ada@example.org", PASSWORD)
        instructor = store.accounts.create_user(admin, INSTRUCTOR, "ivan@example.org", PASSWORD, "instructor")
        trainee = store.accounts.register(TRAINEE, "tia@example.org", PASSWORD)
        outsider = store.accounts.register(OUTSIDER, "otto@example.org", PASSWORD)
        cohort = store.cohorts.create(instructor, COHORT)
        store.cohorts.join(trainee, cohort.join_code)

        text = scenario_text()
        checked = inspect(text, default_rubric(), source=f"{SCENARIO_ID}.yaml")
        assert checked.loaded is not None, checked.problems
        draft = store.authored.create(
            instructor, text, name=TITLE, scenario_id=SCENARIO_ID, checked_hash=checked.loaded.content_hash
        )
        store.authored.publish(
            instructor, draft.id, [cohort.id], content_hash=checked.loaded.content_hash, scenario_id=SCENARIO_ID
        )
        loaded = load_scenario(text, default_rubric(), source=f"{SCENARIO_ID}.yaml")

        play(store, trainee, loaded, [("open", "plan")])  # the pitfall: a payload choice, its why, the ending
        play(store, trainee, loaded, [("open", "reflect"), ("ready", "pen")])  # the ending with a payload title
        assert feedback(loaded.scenario, "open", "plan", default_rubric()).pitfalls
        card = new_card(clock.now())  # as ui.reviews.add_pitfall does after a pitfall
        store.reviews.add(trainee, "pitfall", f"{loaded.content_hash}:open:plan", card.card, card.due, card.state, clock.now())
        session = store.live.start(instructor, cohort.id, loaded)
        return World(url, admin, instructor, trainee, outsider, cohort.id, loaded, session.code)
    finally:
        store.close()


@pytest.fixture
def world(isolated_data: str) -> World:
    return build_world(isolated_data)


# ----------------------------------------------------------------------------------------- the walk
PLAIN = {
    # Fields Streamlit draws as plain text (checked in a browser), or that are not text people read.
    "any": {"id", "form_id", "key", "icon", "url", "page", "page_script_hash", "url_path", "anchor", "avatar", "type"},
    "selectbox": {"options", "default", "raw_value", "value", "placeholder"},
    "multiselect": {"options", "default", "raw_values", "value", "placeholder"},
    "text_input": {"value", "default", "placeholder"},
    "text_area": {"value", "default", "placeholder"},
    "number_input": {"placeholder"},
    "date_input": {"value", "default", "min", "max", "format"},
    "text": {"body"},
    "code": {"code_text", "language"},
    "json": {"body"},
    "chat_message": {"name"},  # the peer's name as an aria-label attribute (React sets it as text), never Markdown
}
SKIPPED = {
    "plotly_chart",
    "graphviz_chart",
    "dataframe",
    "arrow_data_frame",
    "vega_lite_chart",
    "deck_gl_json_chart",
    "component_instance",
}
"""Not Markdown: charts (scoring.charts makes their text plain), st.dataframe (a canvas of plain text) and the
studio's code editor (a component: Ace shows the YAML as the text it is, in its own frame)."""


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _strings(message: Any, path: str = "") -> Iterator[tuple[str, str]]:
    for field, value in message.ListFields():
        where = f"{path}.{field.name}" if path else field.name
        for item in value if field.is_repeated else [value]:
            if field.type == FieldDescriptor.TYPE_STRING:
                yield where, item
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                yield from _strings(item, where)


def markdown_strings(at: AppTest) -> Iterator[tuple[str, str]]:
    """(element type and field, text) of every string on the page that Streamlit renders as Markdown."""
    for node in _nodes(at._tree):
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if proto is None or kind in SKIPPED:
            continue
        if kind == "table":
            frame = node.value
            for column in frame.columns:
                yield "table.header", str(column)
                for cell in frame[column]:
                    if isinstance(cell, str):
                        yield "table.cell", cell
            continue
        plain = PLAIN["any"] | PLAIN.get(kind, set())
        for where, text in _strings(proto):
            if where.split(".")[-1] not in plain:
                yield f"{kind}.{where}", text


def unescaped(at: AppTest) -> list[tuple[str, str]]:
    """Every Markdown string on the page that still holds a payload's Markdown."""
    return [(where, text) for where, text in markdown_strings(at) if LIVE.search(text)]


def on_screen(at: AppTest) -> str:
    """All Markdown text of the page as a reader sees it, one string per line."""
    return "\n".join(shown(text) for _, text in markdown_strings(at))


class Walk:
    """One browser session of one user, checked after every step."""

    def __init__(self, world: World, who: User) -> None:
        self.at = app_for(world.token(who))
        self.found: list[tuple[str, str, str]] = []
        self.check("home")

    def check(self, step: str) -> AppTest:
        assert not self.at.exception, (step, self.at.exception)
        self.found += [(step, where, text) for where, text in unescaped(self.at)]
        return self.at

    def open(self, page: str) -> AppTest:
        self.at.switch_page(f"pages/{page}.py").run()
        return self.check(page)

    def click(self, key: str, step: str) -> AppTest:
        self.at.button(key=key).click().run()
        return self.check(step)

    def choose(self, key: str, value: object, step: str) -> AppTest:
        self.at.selectbox(key=key).set_value(value).run()
        return self.check(step)


def test_a_trainee_sees_every_typed_text_as_typed_on_every_page(world):
    walk = Walk(world, world.trainee)
    at = walk.at
    assert f"Welcome, {TRAINEE}" in on_screen(at)

    at = walk.open("practice")
    assert f"#### {TITLE}" in on_screen(at) and SUMMARY in on_screen(at) and NOTE in on_screen(at)
    at = walk.click(f"choose_{SCENARIO_ID}", "practice: start")
    assert TITLE in on_screen(at).splitlines()  # st.title
    assert f"**You will be talking with {PEER}**" in on_screen(at)
    at = walk.click("start", "practice: first point")
    assert SAY in [shown(b.label) for b in at.button]
    at = walk.click("choice_open_plan", "practice: feedback")
    assert f"**Why:** {WHY}" in on_screen(at)
    at = walk.click("continue", "practice: summary")
    assert f"1. {SAY}" in [shown(e.label) for e in at.expander]  # the summary's expander labels
    assert f"1. {SAY} (a pitfall to learn from)" in on_screen(at)

    at = walk.open("progress")
    assert TITLE in [shown(str(c)) for table in at.table for c in table.value.get("title", [])]
    at = walk.open("review")  # the latest conversation, drawn as a transcript
    assert f"**{PEER}:** I keep thinking about finishing my GED. Not sure, though." in on_screen(at)
    at = walk.open("spaced")
    assert f"**From “{TITLE}”.** What would you say this time?" in on_screen(at)
    at = walk.click("review_show", "spaced: answer")
    at = walk.open("exam")
    at = walk.open("live")
    at = walk.open("account")
    assert TRAINEE in on_screen(at)
    assert walk.found == []


def test_a_trainee_who_joins_with_only_a_live_code_sees_the_cohort_as_typed(world):
    walk = Walk(world, world.outsider)  # in no cohort: the live code alone adds them (records/live.py)
    at = walk.open("live")
    at.text_input(key="live_code").input(world.live_code)
    at.button(key="live_join_submit").click().run()
    walk.check("live: joined with one code")
    assert f"You joined the cohort {COHORT} with this code." in on_screen(at)
    assert walk.found == []


def test_an_instructor_sees_every_typed_text_as_typed_on_every_page(world):
    walk = Walk(world, world.instructor)
    at = walk.open("cohorts")
    assert at.selectbox(key="cohort_pick").options == [f"{COHORT} (1 trainee)"]  # plain text: as typed
    at = walk.choose("trainee_pick", world.trainee.id, "cohorts: a trainee")
    assert f"Download {TRAINEE}'s records (CSV)" in [shown(b.label) for b in at.get("download_button")]

    at = walk.open("dashboard")
    at = walk.choose("dashboard_cohort", world.cohort_id, "dashboard: cohort")
    assert TRAINEE in [row["trainee"] for row in shown_rows(at.table[0].value)]
    assert TITLE in [row["scenario"] for row in shown_rows(at.table[1].value)]
    at = walk.choose("dashboard_scenario", SCENARIO_ID, "dashboard: item analysis")
    at = walk.choose("dashboard_trainee", world.trainee.id, "dashboard: a trainee")
    attempt = at.selectbox(key="dashboard_attempt").options
    assert attempt
    at.selectbox(key="dashboard_attempt").select_index(0).run()
    walk.check("dashboard: a transcript")

    at = walk.open("studio")
    assert TITLE in [row["Scenario"] for row in shown_rows(at.table[0].value)]
    at = walk.choose("studio_pick", "a:1", "studio: the published scenario")
    assert TITLE in [shown(h.value) for h in at.header]

    at = walk.open("live")
    assert TITLE in on_screen(at)  # the running class's heading
    for page in ("home", "practice", "progress", "review", "exam", "spaced", "account"):
        walk.open(page)
    assert walk.found == []


def test_an_admin_sees_every_typed_text_as_typed_on_every_page(world):
    walk = Walk(world, world.admin)
    at = walk.open("admin")
    at = walk.choose("manage_user", world.trainee.id, "admin: an account")
    at.selectbox(key=f"role_value_{world.trainee.id}").set_value("instructor")
    next(b for b in at.button if b.label == "Change role").click().run()
    walk.check("admin: role changed")
    assert f"{TRAINEE} is now instructor." in on_screen(at)
    at = walk.open("cohorts")
    at = walk.open("dashboard")
    at = walk.choose("dashboard_cohort", world.cohort_id, "dashboard: cohort")
    at = walk.open("studio")
    for page in ("home", "practice", "progress", "review", "exam", "spaced", "live", "account"):
        walk.open(page)
    assert walk.found == []
