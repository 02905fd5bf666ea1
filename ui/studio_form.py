"""The studio's form view: a draft's fields as a form, for authors who would rather not write YAML.

The YAML stays the draft: every change in the form is written into the text through ``scenarios.roundtrip``
(comments, order and quoting kept) and saved as the YAML view's Save button saves it (``ui.studio.save``), so
the gateway and the checks read every save. Problems the checks find are shown under the field they point to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from records import User
from records.authored import Authored, AuthoringError, StaleDraft
from scenarios import Problem, roundtrip
from scenarios.model import DOMAIN_IDS, QUALITIES, STAGE_LABELS, STAGES
from scenarios.quality import QUALITY_LABELS
from scenarios.studio import Inspection
from ui import services, state, studio
from ui.render import esc

VIEWS = ("YAML", "Form")
DIFFICULTY = {1: "1 · introductory", 2: "2 · intermediate", 3: "3 · advanced"}
OPEN_NEXT = f"{state.STUDIO_OPEN}.next"  # pages/studio.py reopens this draft when its label changed


# A select box sends back the words of its choice, and the words of a point change as its author types them: a
# choice sent in a point's old words is no choice of this list, and the field keeps what it holds.
UNCHANGED = object()


def focus_key(item_id: int) -> str:
    return f"studio_form_{item_id}.focus"


def open_in_form(item_id: int, place_id: str) -> None:
    """Show the form with one decision point or ending open (from the graph's table or its list of places)."""
    st.session_state[f"studio_view_{item_id}"] = "Form"
    st.session_state[focus_key(item_id)] = place_id


def _opened(ctx: Context, place_id: str, number: int, count: int) -> bool:
    """Is this point or ending's section drawn open: the one being edited or opened from the graph, else the
    last one (sections with problems are open too)."""
    focus = st.session_state.get(focus_key(ctx.item.id))
    return place_id == focus if focus else number == count


def view_switch(item: Authored) -> bool:
    """The Form/YAML switch above the editor; True when the form is chosen."""
    key = f"studio_view_{item.id}"
    st.session_state.setdefault(key, "YAML")  # not default=: the graph's "Open in the form" sets this state
    chosen = st.segmented_control("Edit as", VIEWS, key=key, help="Both edit the same draft: switch any time.")
    return chosen == "Form"


@dataclass(frozen=True)
class Context:
    user: User
    item: Authored
    text_key: str  # where the page keeps the draft's text (the YAML box's key)

    @property
    def prefix(self) -> str:
        return f"studio_form_{self.item.id}"

    @property
    def synced(self) -> str:
        """The key of the text the form's widgets show; when the text changes elsewhere, they are drawn anew."""
        return f"{self.prefix}.synced"

    @property
    def error(self) -> str:
        return f"{self.prefix}.error"

    def key(self, path: roundtrip.Path) -> str:
        return f"{self.prefix}:" + "/".join(str(part) for part in path)


def _write(ctx: Context, text: str) -> None:
    """The new text into the draft, saved as the YAML view's Save button saves it (checked by the gateway on the
    way, refused when a co-author saved since this editor opened the draft: pages/studio.py shows the difference)."""
    item_id = ctx.item.id
    base_key, base_text_key = f"studio_base_{item_id}", f"studio_base_text_{item_id}"
    st.session_state[ctx.text_key] = text
    try:
        saved = studio.save(ctx.user, ctx.item, text, st.session_state.get(base_key))
    except StaleDraft as exc:  # as the page's Save button does: the editor now builds on their version
        st.session_state[base_key] = exc.theirs.number
        st.session_state[base_text_key] = exc.their_source
        st.session_state[f"studio_conflict_{item_id}"] = (str(exc), exc.theirs.number, exc.theirs.saved_by_name or "someone")
        return
    except AuthoringError as exc:
        st.session_state[ctx.error] = str(exc)
        return
    st.session_state[base_key] = saved.revision
    st.session_state[base_text_key] = text
    st.session_state.pop(f"studio_conflict_{item_id}", None)
    if saved.name != ctx.item.name:
        st.session_state[OPEN_NEXT] = f"a:{ctx.item.id}"  # its label in the page's box changed: select it again


def _edit(ctx: Context, change: Callable[[roundtrip.Draft], Any], *, fields_move: bool) -> None:
    before = st.session_state[ctx.text_key]
    draft = roundtrip.load(before)
    change(draft)
    text = roundtrip.dump(draft)
    if not fields_move:
        st.session_state[ctx.synced] = text  # the widgets already show this text
    if text != before or text != ctx.item.source:  # a field set to what it was saves nothing (no empty version)
        _write(ctx, text)


def _changed(ctx: Context, path: roundtrip.Path, convert: Callable[[Any], Any] | None = None) -> None:
    if path[0] in ("nodes", "endings"):  # the point or ending being edited stays open when its last problem goes
        st.session_state[focus_key(ctx.item.id)] = path[1]
    value = st.session_state[ctx.key(path)]
    value = convert(value) if convert is not None else value
    if value is UNCHANGED:
        return
    _edit(ctx, lambda draft: roundtrip.set_field(draft, path, value), fields_move=False)


def _structure(ctx: Context, change: Callable[[roundtrip.Draft], Any]) -> None:
    """Adding, moving, duplicating or deleting: fields change places, so the widgets are drawn anew (and the last
    point or ending opens, not one opened from the graph before)."""
    st.session_state.pop(focus_key(ctx.item.id), None)
    _edit(ctx, change, fields_move=True)


# ------------------------------------------------------------------ problems by field
def _by_field(draft: roundtrip.Draft, inspection: Inspection) -> dict[roundtrip.Path, list[Problem]]:
    found: dict[roundtrip.Path, list[Problem]] = {}
    for problem in [*inspection.errors, *inspection.warnings]:
        path = roundtrip.field_at(draft, problem.line) or ()
        found.setdefault(path, []).append(problem)
    return found


class Shown:
    """Problems not yet drawn; each is drawn once, at the first place that claims it."""

    def __init__(self, problems: dict[roundtrip.Path, list[Problem]]) -> None:
        self.left = problems

    def here(self, path: roundtrip.Path, *, below: bool = False) -> None:
        """Draw the problems of ``path`` (and, with ``below``, of anything inside it)."""
        for key in [k for k in self.left if k == path or (below and k[: len(path)] == path)]:
            for problem in self.left.pop(key):
                show = st.error if problem.severity == "error" else st.warning
                show(esc(problem.message), icon=":material/error:" if problem.severity == "error" else ":material/lightbulb:")


# ---------------------------------------------------------------------- widgets
def _text(
    ctx: Context,
    shown: Shown,
    draft: roundtrip.Draft,
    path: roundtrip.Path,
    label: str,
    *,
    area: bool = False,
    help: str | None = None,
) -> None:
    value = roundtrip.get(draft, path, "") or ""
    widget = st.text_area if area else st.text_input
    widget(
        label,
        value=str(value),
        key=ctx.key(path),
        on_change=_changed,
        args=(ctx, path),
        help=help,
        max_chars=4000,
        **({"height": 90} if area else {}),
    )
    shown.here(path)


def _select(
    ctx: Context,
    shown: Shown,
    draft: roundtrip.Draft,
    path: roundtrip.Path,
    label: str,
    options: list[Any],
    labels: dict[Any, str],
    *,
    placeholder: str = "Choose",
    help: str | None = None,
) -> None:
    value = roundtrip.get(draft, path)
    st.selectbox(
        label,
        options,
        index=options.index(value) if value in options else None,
        format_func=lambda option: labels.get(option, str(option)),
        key=ctx.key(path),
        on_change=_changed,
        args=(ctx, path, lambda v: "" if v is None else v if v in options else UNCHANGED),
        placeholder=placeholder,
        help=help,
    )
    shown.here(path)


def _buttons(ctx: Context, what: str, key: str, actions: list[tuple[str, str, Callable[[roundtrip.Draft], Any], bool]]) -> None:
    # Two a row: four in a row cut their words short ("D…") in the form's column on a laptop or a tablet.
    cols = [col for _ in range(0, len(actions), 2) for col in st.columns(2)]
    for col, (label, icon, change, disabled) in zip(cols, actions, strict=False):
        col.button(
            label,
            key=f"{ctx.prefix}.{key}.{label}",
            icon=icon,
            on_click=_structure,
            args=(ctx, change),
            disabled=disabled,
            help=f"{label} this {what}",
            width="stretch",
        )


def _short(text: Any, limit: int = 60) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def place_labels(draft: roundtrip.Draft) -> dict[str, str]:
    """How points and endings are named in the lists: by number and words, never by their ids."""
    labels = {}
    for number, node_id in enumerate(roundtrip.ids(draft, "nodes"), start=1):
        words = _short(roundtrip.get(draft, ("nodes", node_id, "peer")))
        labels[node_id] = f"Point {number}: “{words}”" if words else f"Point {number} (no words yet)"
    for number, ending_id in enumerate(roundtrip.ids(draft, "endings"), start=1):
        title = _short(
            roundtrip.get(draft, ("endings", ending_id, "title")) or roundtrip.get(draft, ("endings", ending_id, "peer"))
        )
        labels[ending_id] = f"Ending {number}: {title}" if title else f"Ending {number} (no words yet)"
    return labels


# ---------------------------------------------------------------------- sections
def _details(ctx: Context, shown: Shown, draft: roundtrip.Draft, labels: dict[str, str]) -> None:
    rubric = services.rubric()
    st.subheader("Scenario details")
    shown.here(())
    _text(ctx, shown, draft, ("title",), "Title")
    _text(ctx, shown, draft, ("summary",), "Summary", area=True, help="One or two sentences shown in the library.")
    cols = st.columns(2)
    with cols[0]:
        _text(ctx, shown, draft, ("peer", "name"), "The peer's name")
    with cols[1]:
        _text(ctx, shown, draft, ("peer", "pronouns"), "Pronouns (optional)")
    _text(ctx, shown, draft, ("peer", "about"), "About the peer", area=True, help="What the trainee reads before starting.")
    shown.here(("peer",))
    _text(
        ctx,
        shown,
        draft,
        ("content_note",),
        "Content note (optional)",
        area=True,
        help="Shown before starting when the scenario touches hard topics: substance use, self-harm, trauma, grief, a crisis.",
    )
    domains = [d for d in (roundtrip.get(draft, ("domains",)) or []) if d in DOMAIN_IDS]
    st.multiselect(
        "Domains",
        list(DOMAIN_IDS),
        default=domains,
        format_func=lambda d: rubric.domain(d).title,
        key=ctx.key(("domains",)),
        on_change=_changed,
        args=(ctx, ("domains",)),
        max_selections=4,
        placeholder="Choose one to four; the first is the main one",
    )
    shown.here(("domains",), below=True)
    cols = st.columns(2)
    with cols[0]:
        _select(ctx, shown, draft, ("difficulty",), "Difficulty", [1, 2, 3], DIFFICULTY)
    with cols[1]:
        minutes = roundtrip.get(draft, ("minutes",))
        st.number_input(
            "Minutes to play",
            min_value=1,
            max_value=60,
            value=minutes if isinstance(minutes, int) and 1 <= minutes <= 60 else 5,
            key=ctx.key(("minutes",)),
            on_change=_changed,
            args=(ctx, ("minutes",)),
        )
        shown.here(("minutes",))
    _select(ctx, shown, draft, ("start",), "Where the conversation starts", roundtrip.ids(draft, "nodes"), labels)
    shown.here(("id",))


def _criteria(ctx: Context, shown: Shown, draft: roundtrip.Draft, path: roundtrip.Path) -> None:
    rubric = services.rubric()
    by_id = rubric.by_id
    options = [c.id for c in rubric.criteria]
    current = [c for c in (roundtrip.get(draft, path) or []) if c in by_id]

    def name(criterion_id: str) -> str:
        criterion = by_id[criterion_id]
        return f"{'Pitfall' if criterion.kind == 'pitfall' else 'Possibility'}: {criterion.title}"

    st.multiselect(
        "Criteria this response shows or falls into",
        options,
        default=current,
        format_func=name,
        key=ctx.key(path),
        on_change=_changed,
        args=(ctx, path),
        placeholder="Choose from the rubric",
    )
    for criterion_id in current:
        st.caption(f"**{esc(name(criterion_id))}**: {esc(by_id[criterion_id].description)}")
    shown.here(path, below=True)


def _response(
    ctx: Context, shown: Shown, draft: roundtrip.Draft, node_id: str, index: int, count: int, labels: dict[str, str]
) -> None:
    base: roundtrip.Path = ("nodes", node_id, "choices", index)
    with st.container(border=True):
        st.markdown(f"**Response {index + 1}**")
        shown.here(base)
        _text(ctx, shown, draft, (*base, "say"), "What the trainee says", area=True)
        _select(ctx, shown, draft, (*base, "quality"), "Quality", list(QUALITIES), QUALITY_LABELS)
        _criteria(ctx, shown, draft, (*base, "criteria"))
        _text(ctx, shown, draft, (*base, "why"), "Why (the feedback trainees read)", area=True)
        others = {}
        for other_index, choice_id in enumerate(roundtrip.choice_ids(draft, node_id)):
            if other_index != index and choice_id:
                words = _short(roundtrip.get(draft, ("nodes", node_id, "choices", other_index, "say")), 50)
                others[choice_id] = f"Response {other_index + 1}: “{words}”" if words else f"Response {other_index + 1}"
        _select(
            ctx,
            shown,
            draft,
            (*base, "better"),
            "A stronger alternative at this point",
            list(others),
            others,
            placeholder="None (needed when the response names a pitfall)",
        )
        _select(
            ctx,
            shown,
            draft,
            (*base, "next"),
            "Where the conversation goes next",
            list(labels),
            labels,
            placeholder="Choose a point or an ending",
        )
        shown.here(base, below=True)
        _buttons(
            ctx,
            "response",
            f"{node_id}.{index}",
            [
                ("Up", ":material/arrow_upward:", lambda d: roundtrip.move_choice(d, node_id, index, -1), index == 0),
                ("Down", ":material/arrow_downward:", lambda d: roundtrip.move_choice(d, node_id, index, 1), index == count - 1),
                ("Duplicate", ":material/content_copy:", lambda d: roundtrip.duplicate_choice(d, node_id, index), count >= 5),
                ("Delete", ":material/delete:", lambda d: roundtrip.delete_choice(d, node_id, index), False),
            ],
        )


def _points(ctx: Context, shown: Shown, draft: roundtrip.Draft, labels: dict[str, str]) -> None:
    st.subheader("Decision points")
    st.caption("At each point the peer speaks and the trainee picks one of the responses (two to five, usually three or four).")
    shown.here(("nodes",))
    node_ids = roundtrip.ids(draft, "nodes")
    for number, node_id in enumerate(node_ids, start=1):
        base: roundtrip.Path = ("nodes", node_id)
        has_problems = any(k[:2] == base for k in shown.left)
        with st.expander(labels[node_id], expanded=has_problems or _opened(ctx, node_id, number, len(node_ids))):
            shown.here(base)
            _text(
                ctx, shown, draft, (*base, "scene"), "Scene (optional)", area=True, help="Narration shown before the peer's line."
            )
            _text(ctx, shown, draft, (*base, "peer"), "What the peer says", area=True)
            _select(ctx, shown, draft, (*base, "readiness"), "The peer's readiness here", list(STAGES), STAGE_LABELS)
            count = len(roundtrip.choice_ids(draft, node_id))
            for index in range(count):
                _response(ctx, shown, draft, node_id, index, count, labels)
            shown.here((*base, "choices"), below=True)
            st.button(
                "Add a response",
                key=f"{ctx.prefix}.{node_id}.add",
                icon=":material/add:",
                on_click=_structure,
                args=(ctx, lambda d, n=node_id: roundtrip.add_choice(d, n)),
                disabled=count >= 5,
            )
            shown.here(base, below=True)
            _buttons(ctx, "point", node_id, _moves("nodes", node_id, number, len(node_ids)))
    st.button(
        "Add a decision point",
        key=f"{ctx.prefix}.add_point",
        icon=":material/add:",
        on_click=_structure,
        args=(ctx, roundtrip.add_node),
    )


def _moves(section: str, item_id: str, number: int, count: int) -> list[tuple[str, str, Callable[[roundtrip.Draft], Any], bool]]:
    return [
        ("Up", ":material/arrow_upward:", lambda d: roundtrip.move(d, section, item_id, -1), number == 1),
        ("Down", ":material/arrow_downward:", lambda d: roundtrip.move(d, section, item_id, 1), number == count),
        ("Duplicate", ":material/content_copy:", lambda d: roundtrip.duplicate(d, section, item_id), False),
        ("Delete", ":material/delete:", lambda d: roundtrip.delete(d, section, item_id), False),
    ]


def _endings(ctx: Context, shown: Shown, draft: roundtrip.Draft, labels: dict[str, str]) -> None:
    st.subheader("Endings")
    shown.here(("endings",))
    ending_ids = roundtrip.ids(draft, "endings")
    for number, ending_id in enumerate(ending_ids, start=1):
        base: roundtrip.Path = ("endings", ending_id)
        has_problems = any(k[:2] == base for k in shown.left)
        with st.expander(labels[ending_id], expanded=has_problems or _opened(ctx, ending_id, number, len(ending_ids))):
            shown.here(base)
            _text(ctx, shown, draft, (*base, "title"), "A short name for this ending (optional)")
            _text(ctx, shown, draft, (*base, "peer"), "The peer's last words", area=True)
            _text(ctx, shown, draft, (*base, "debrief"), "Debrief: questions to reflect on afterwards", area=True)
            shown.here(base, below=True)
            _buttons(ctx, "ending", ending_id, _moves("endings", ending_id, number, len(ending_ids)))
    st.button(
        "Add an ending",
        key=f"{ctx.prefix}.add_ending",
        icon=":material/add:",
        on_click=_structure,
        args=(ctx, roundtrip.add_ending),
    )


# ---------------------------------------------------------------------- the form
def edit(user: User, item: Authored, text_key: str) -> str:
    """Draw the form for the draft whose text the page keeps in ``st.session_state[text_key]``; return that text."""
    ctx = Context(user, item, text_key)
    # Keep the hidden YAML box's text: Streamlit drops the state of a widget that is not drawn in a run.
    st.session_state[text_key] = st.session_state[text_key]
    text: str = st.session_state[text_key]
    error = st.session_state.pop(ctx.error, None)
    if error:
        st.error(esc(error), icon=":material/error:")
    inspection = studio.check(text, studio.source_name(item))
    if not inspection.readable:
        st.warning(
            "The form opens once the YAML can be read. Switch to YAML to fix the problems listed under Checks, "
            "or undo the unsaved changes.",
            icon=":material/edit_note:",
        )
        return text
    try:
        draft = roundtrip.load(text)
    except roundtrip.NotAScenarioMapping as exc:
        st.warning(esc(str(exc)), icon=":material/edit_note:")
        return text
    if st.session_state.get(ctx.synced) != text:  # changed elsewhere (the YAML view, undo, a move): draw anew
        for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{ctx.prefix}:")]:
            del st.session_state[key]
        st.session_state[ctx.synced] = text
    st.caption("Every change is saved as you make it and checked at once; the YAML view shows the same draft.")
    shown = Shown(_by_field(draft, inspection))
    labels = place_labels(draft)
    _details(ctx, shown, draft, labels)
    _points(ctx, shown, draft, labels)
    _endings(ctx, shown, draft, labels)
    rest = [p for problems in shown.left.values() for p in problems]
    if rest:
        st.subheader("Other problems")
        for problem in rest:
            (st.error if problem.severity == "error" else st.warning)(esc(problem.message))
    return text
