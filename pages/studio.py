"""Scenario studio (instructors and admins): write, check, draw, play-test and publish scenarios."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from records import AccessDenied, User
from records.authored import Authored, AuthoringError, Revision, StaleDraft
from scenarios import Problem, roundtrip
from scenarios.audit import audit_scenario, giveaways, scenario_rows
from scenarios.diff import diff_text
from scenarios.quality import TooLarge
from scenarios.studio import TEMPLATES, Inspection, graph, template_text, to_dot, with_new_id
from ui import identity, services, state, studio, studio_code, studio_form, studio_twine
from ui.play import shown_order
from ui.render import SCORE_HELP, esc, peer_says, text_table, you_say
from ui.render import feedback as show_feedback

user = identity.require_user("instructor", "admin")  # the page re-checks the role itself
BLANK = "blank"  # "Start from": an empty draft, opened in the form
store = services.store()
library = services.library().scenarios
STATUS = {"draft": "Draft", "published": "Published", "retired": "Retired"}
OPEN_NEXT = f"{state.STUDIO_OPEN}.next"


def flash(message: str) -> None:
    """A message for the next run, shown as Markdown: escape any text a person wrote before passing it."""
    st.session_state[state.FLASH] = message


def open_item(key: str) -> None:
    """Open ``key`` on the next run (the selectbox that holds it may already be drawn in this one)."""
    st.session_state[OPEN_NEXT] = key
    st.rerun()


def checks_label(item: Authored) -> str:
    return "passes" if item.checks_pass else "has problems to fix"


# ------------------------------------------------------------------- problems
def show_problems(inspection: Inspection) -> None:
    errors, warnings = inspection.errors, inspection.warnings
    if not errors and not warnings:
        st.success("Passes every check, with no teaching warnings.", icon=":material/check_circle:")
        return
    if errors:
        st.error(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} to fix before trainees can play this.",
            icon=":material/error:",
        )
    elif warnings:
        st.success("Passes every check.", icon=":material/check_circle:")
    if warnings:
        st.warning(
            f"{len(warnings)} teaching warning{'s' if len(warnings) != 1 else ''}: worth a look, but they do not block publishing.",
            icon=":material/lightbulb:",
        )
    show_problem_list(inspection)


def show_problem_list(inspection: Inspection) -> None:
    """Each problem beside its line of YAML: the first studio.PROBLEMS_SHOWN, then how many more there are."""
    shown, hidden = studio.first_problems(inspection)
    lines = inspection.text.splitlines()
    for problem in shown:
        show_problem(problem, lines)
    if hidden:
        st.caption(studio.more_problems(hidden))


def show_problem(problem: Problem, lines: list[str]) -> None:
    kind = "Error" if problem.severity == "error" else "Warning"
    st.markdown(f"**{kind} at line {problem.line}, column {problem.column}:** {esc(problem.message)}")
    line = lines[problem.line - 1] if 1 <= problem.line <= len(lines) else ""
    if line.strip():
        pointer = " " * max(0, problem.column - 1) + "^"
        st.code(
            f"{problem.line:>4} | {line}\n     | {pointer}", language=None, wrap_lines=True
        )  # no scroll: keyboard users reach it all


# ---------------------------------------------------------------------- graph
def show_graph(inspection: Inspection, item: Authored | None = None) -> None:
    """The scenario's graph; for a draft (``item``) its places open in the form from the list or the table."""
    if inspection.scenario is None:
        st.info("The graph appears once the YAML fits the scenario format. Fix the problems listed first.")
        return
    drawn = graph(inspection.scenario, services.rubric())
    st.caption(
        "Boxes are decision points (with the peer's readiness and first words); double boxes are endings. "
        "Arrows are choices, labeled with their quality: ✓ strongest (thick solid line), + helpful (solid line), "
        "± mixed: helpful in part, with a pitfall (dotted line), ✗ pitfall (dashed line). Unreachable nodes and dead "
        "ends are labeled in capitals."
    )
    st.graphviz_chart(to_dot(drawn), width="content")
    if item is None:  # a shipped scenario: read only
        with st.expander("The graph as a table"):
            text_table(drawn.rows())
        return
    labels = studio_form.place_labels(roundtrip.load(inspection.text))
    places = [node.id for node in drawn.nodes if node.id in labels]
    pills_key, rows_key = f"studio_graph_open_{item.id}", f"studio_graph_rows_{item.id}"

    def open_place() -> None:
        place = st.session_state.get(pills_key)
        if place:
            studio_form.open_in_form(item.id, place)
            st.session_state[pills_key] = None

    def open_row() -> None:
        rows = st.session_state[rows_key].selection.rows
        if rows:
            studio_form.open_in_form(item.id, drawn.edges[rows[0]].node_id)

    st.pills(
        "Open in the form",
        places,
        format_func=lambda place: esc(labels[place]),  # pills read Markdown: an author's words show as typed
        key=pills_key,
        on_change=open_place,
        help="Opens that decision point or ending in the form above, ready to edit.",
    )
    st.caption("The graph as a table, one row per response: click a row to open its decision point in the form above.")
    st.dataframe(drawn.rows(), hide_index=True, on_select=open_row, selection_mode="single-row", key=rows_key)


# ------------------------------------------------------------------ surface cues
def show_cues(inspection: Inspection) -> None:
    """The test-wiseness audit for this draft: how far picking by the look of a response gets."""
    if inspection.loaded is None:
        st.info("The surface-cue check runs once the scenario passes its checks.")
        return
    st.caption(
        "What a trainee who picks by the look of a response, never its meaning, can expect in this scenario, beside "
        "a random pick. Trainees see the responses shuffled, so their order gives nothing away; their length, a "
        "question mark or the words in them can. The library holds every scenario to the same bar "
        "(`python -m scenarios audit`)."
    )
    try:
        item = audit_scenario(inspection.loaded.scenario, services.rubric())
    except TooLarge as exc:
        st.info(esc(str(exc)))
        return
    found = giveaways(item)
    if found:
        for sentence in found:
            st.warning(esc(sentence), icon=":material/visibility:")
    else:
        st.success("No surface cue gives the strongest responses away: a trainee has to read them.", icon=":material/check:")
    text_table(scenario_rows(item), hide_index=True)


# ------------------------------------------------------------------ play-test
def show_playtest(inspection: Inspection) -> None:
    if inspection.loaded is None:
        st.info("Play-testing opens once the scenario passes its checks.")
        return
    scenario = inspection.loaded.scenario
    version = inspection.loaded.content_hash
    st.caption("A play-test is not recorded anywhere: no attempt, no score in anyone's progress.")
    path = studio.playtest_path(version)
    node_id = scenario.start
    for step_node, step_choice in path:
        node = scenario.nodes[step_node]
        peer_says(scenario.peer.name, node.peer, node.scene)
        you_say(scenario.choice(step_node, step_choice).say)
        with st.expander("Feedback on this choice"):
            show_feedback(studio.playtest_feedback(inspection, step_node, step_choice))
        node_id = scenario.choice(step_node, step_choice).next
    if node_id in scenario.endings:
        ending = scenario.endings[node_id]
        peer_says(scenario.peer.name, ending.peer)
        summary = studio.playtest_summary(inspection, path)
        st.markdown(
            f"**Ending:** {esc(ending.title or node_id)} · score {summary.score}% "
            f"({summary.among_strongest} of {summary.decisions} among the strongest, {summary.pitfall_count} "
            f"pitfall{'s' if summary.pitfall_count != 1 else ''})",
            help=SCORE_HELP,
        )
        st.info(f"**To reflect on:** {esc(ending.debrief)}", icon=":material/psychology:")
    else:
        node = scenario.nodes[node_id]
        peer_says(scenario.peer.name, node.peer, node.scene)
        st.markdown("**How do you respond?**")
        for choice in shown_order(studio.playtest_seed(version), node_id, node):
            if st.button(esc(choice.say), key=f"playtest_{version[:12]}_{len(path)}_{choice.id}", width="stretch"):
                studio.playtest_choose(version, node_id, choice.id)
                st.rerun()
    if path and st.button("Restart the play-test", key=f"playtest_restart_{version[:12]}", icon=":material/replay:"):
        studio.playtest_restart(version)
        st.rerun()


# ----------------------------------------------------------------- publishing
def show_publishing(item: Authored, inspection: Inspection, saved: bool) -> None:
    cohorts = {c.id: c for c in store.cohorts.mine(user) if not c.archived or c.id in item.cohort_ids}
    names = {c.id: c.name for c in cohorts.values()}
    if item.status == "published":
        shown = ", ".join(names.get(c, f"cohort {c}") for c in item.cohort_ids)
        st.markdown(f"**Published** to {esc(shown)} · version `{(item.published_hash or '')[:12]}`")
        if item.unpublished_changes:
            st.caption("The draft has changes that trainees do not see yet. Publish again to share them.")
    elif item.status == "retired":
        st.markdown("**Retired:** trainees no longer see it. Publish again to bring it back.")
    else:
        st.caption("Not published yet: only you can see it.")
    if not cohorts:
        st.info("Create a cohort on the Cohorts page first; you publish scenarios to your cohorts.")
        return
    chosen = st.multiselect(
        "Publish to these cohorts",
        list(names),
        default=[c for c in item.cohort_ids if c in names],
        format_func=names.__getitem__,
        key=f"studio_cohorts_{item.id}",
        placeholder="Choose cohorts",
    )
    ready = inspection.ok and saved
    if not inspection.ok:
        st.caption("Fix the problems listed above to publish.")
    elif not saved:
        st.caption("Save the draft to publish it.")
    cols = st.columns(2)
    if cols[0].button("Publish", key=f"studio_publish_{item.id}", type="primary", disabled=not ready, icon=":material/publish:"):
        assert inspection.loaded is not None
        try:
            store.authored.publish(
                user,
                item.id,
                chosen,
                content_hash=inspection.loaded.content_hash,
                scenario_id=inspection.loaded.id,
                reserved_ids=set(library),
            )
        except (AuthoringError, AccessDenied) as exc:
            st.error(esc(str(exc)))
        else:
            flash(f"Published “{esc(inspection.loaded.scenario.title)}”. Trainees in the chosen cohorts see it in their library.")
            st.rerun()
    if item.status == "published" and cols[1].button("Stop offering it (retire)", key=f"studio_retire_{item.id}"):
        store.authored.retire(user, item.id)
        flash(f"Retired “{esc(item.name)}”. Attempts already played keep their records.")
        st.rerun()


# -------------------------------------------------------- history and sharing
def when(moment: datetime) -> str:
    return f"{moment:%d %b %Y %H:%M}"


def version_label(revision: Revision) -> str:
    who = revision.saved_by_name or "a deleted account"
    restored = f" (restored version {revision.restored_from})" if revision.restored_from is not None else ""
    return f"Version {revision.number}{restored} · {who} · {when(revision.saved_at)}"


def show_diff(old: str, new: str, old_label: str, new_label: str) -> None:
    found = diff_text(old, new, old_label, new_label)
    st.caption(found.summary())
    if not found.same:
        st.code(found.text, language="diff", wrap_lines=True)


def forget_editor(item: Authored) -> None:
    """The editor starts again from the latest saved version on the next run."""
    for prefix in ("studio_source_", "studio_base_", "studio_base_text_", "studio_conflict_"):
        st.session_state.pop(f"{prefix}{item.id}", None)


def show_conflict(item: Authored, text: str) -> None:
    """After a refused save: who saved since, and the difference between their version and the editor's text."""
    conflict = st.session_state.get(f"studio_conflict_{item.id}")
    if conflict is None:
        return
    message, number, theirs_by = conflict
    st.warning(esc(message), icon=":material/group:")
    with st.expander("The difference between their version and yours", expanded=True):
        theirs = store.authored.revision_source(user, item.id, number)
        show_diff(theirs, text, f"Version {number}, saved by {theirs_by}", "Your text")


def show_history(item: Authored, saved: bool) -> None:
    revisions = store.authored.history(user, item.id)
    st.caption("Every save that changed the text is kept as a version. Restoring one saves it again as a new version.")
    text_table(
        [
            {
                "Version": r.number,
                "Saved by": r.saved_by_name or "a deleted account",
                "Saved": when(r.saved_at),
                "Title": r.name,
                "Note": f"restored version {r.restored_from}" if r.restored_from is not None else "",
            }
            for r in revisions
        ],
        hide_index=True,
    )
    by_number = {r.number: r for r in revisions}
    numbers = list(by_number)
    if len(numbers) < 2:
        st.caption("Save a change to compare versions.")
    else:
        cols = st.columns(2)
        old = cols[0].selectbox(
            "Compare version",
            numbers,
            index=1,
            format_func=lambda n: version_label(by_number[n]),
            key=f"studio_history_old_{item.id}",
        )
        new = cols[1].selectbox(
            "with version",
            numbers,
            index=0,
            format_func=lambda n: version_label(by_number[n]),
            key=f"studio_history_new_{item.id}",
        )
        show_diff(
            store.authored.revision_source(user, item.id, old),
            store.authored.revision_source(user, item.id, new),
            f"Version {old}",
            f"Version {new}",
        )
    st.subheader("Restore a version")
    chosen = st.selectbox(
        "Version to restore",
        numbers[1:],
        format_func=lambda n: version_label(by_number[n]),
        key=f"studio_restore_pick_{item.id}",
        index=None,
        placeholder="Choose a version",
    )
    if not saved:
        st.caption("Save or undo your unsaved changes first: restoring replaces the text in the editor.")
    sure = st.checkbox(
        "Yes, make this version the current draft (the versions since stay in the history)",
        key=f"studio_restore_sure_{item.id}",
        disabled=chosen is None or not saved,
    )
    if st.button(
        "Restore this version",
        key=f"studio_restore_{item.id}",
        icon=":material/history:",
        disabled=chosen is None or not saved or not sure,
    ):
        assert chosen is not None
        try:
            restored = studio.restore(user, item, chosen)
        except (AuthoringError, AccessDenied) as exc:
            st.error(esc(str(exc)))
        else:
            forget_editor(item)
            st.session_state.pop(f"studio_restore_sure_{item.id}", None)
            st.session_state.pop(f"studio_restore_pick_{item.id}", None)
            flash(f"Restored version {chosen} as version {restored.revision}. Every other version stays in the history.")
            if restored.name != item.name:
                open_item(f"a:{item.id}")
            st.rerun()


def show_sharing(item: Authored) -> None:
    st.subheader("Share")
    instructors = {i.id: i.name for i in store.authored.instructors(user, item.id)}
    if not instructors:
        st.caption("There is no other instructor to share this draft with yet.")
        return
    st.caption(
        "Co-authors can open, edit, restore and play-test this draft and see its history. Only its author or an "
        "admin can publish, retire, share or delete it."
    )
    chosen = st.multiselect(
        "Share with these instructors",
        list(instructors),
        default=[u for u in item.shared_with if u in instructors],
        format_func=instructors.__getitem__,
        key=f"studio_share_{item.id}",
        placeholder="Choose instructors",
    )
    if st.button(
        "Save sharing",
        key=f"studio_share_save_{item.id}",
        icon=":material/group_add:",
        disabled=set(chosen) == set(item.shared_with),
    ):
        try:
            store.authored.share(user, item.id, chosen)
        except (AuthoringError, AccessDenied) as exc:
            st.error(esc(str(exc)))
        else:
            names = ", ".join(instructors[u] for u in chosen)
            flash(f"Shared with {esc(names)}." if chosen else "This draft is no longer shared.")
            st.rerun()


# ------------------------------------------------------------------- editors
def edit_authored(item: Authored) -> None:
    key = f"studio_source_{item.id}"
    base_key, base_text_key = f"studio_base_{item.id}", f"studio_base_text_{item.id}"
    if key not in st.session_state or base_key not in st.session_state:
        st.session_state[key] = st.session_state[base_text_key] = item.source
        st.session_state[base_key] = item.revision  # the version this editor opened
    elif st.session_state[base_key] != item.revision and st.session_state[key] == st.session_state[base_text_key]:
        # A co-author saved since, and nothing was changed here: show their version (nothing is lost).
        st.session_state[key] = st.session_state[base_text_key] = item.source
        st.session_state[base_key] = item.revision
    elif st.session_state[key] == item.source and st.session_state[base_key] != item.revision:
        # The editor holds the latest version (saved from the form, or the same words): it builds on that one.
        st.session_state[base_text_key], st.session_state[base_key] = item.source, item.revision
        st.session_state.pop(f"studio_conflict_{item.id}", None)
    owner = user.role == "admin" or item.author_id == user.id
    left, right = st.columns([3, 2], gap="large")
    with left:
        show_conflict(item, st.session_state[key])
        if studio_form.view_switch(item):  # the form edits the same text, saving each change (ui/studio_form.py)
            text = studio_form.edit(user, item, key)
        else:  # a code editor with the problems in its gutter, or a plain text box (ui/studio_code.py)
            st.session_state[key] = st.session_state[key]  # kept while the plain box (its widget) is not drawn
            shown = studio.check(st.session_state[key], studio.source_name(item))
            text = studio_code.edit(item, key, shown, studio.MAX_UPLOAD)
    inspection = studio.check(text, studio.source_name(item))
    saved = text == item.source
    with left:
        st.caption(
            f"{STATUS[item.status]} · by {esc(item.author_name)} · version {item.revision}, saved "
            f"{item.updated_at:%d %b %Y %H:%M}"
            + (f" by {esc(item.saved_by_name)}" if item.saved_by_name else "")
            + (
                f" · shared with {len(item.shared_with)} co-author{'s' if len(item.shared_with) != 1 else ''}"
                if item.shared_with
                else ""
            )
            + ("" if saved else " · **unsaved changes**")
        )
        cols = st.columns(3)
        if cols[0].button("Save draft", key=f"studio_save_{item.id}", type="primary", icon=":material/save:", disabled=saved):
            try:
                saved_item = studio.save(user, item, text, st.session_state[base_key])
            except StaleDraft as exc:
                # Saving again replaces their version: the editor now builds on it. Their text stays in the history.
                st.session_state[base_key] = exc.theirs.number
                st.session_state[base_text_key] = exc.their_source
                st.session_state[f"studio_conflict_{item.id}"] = (
                    str(exc),
                    exc.theirs.number,
                    exc.theirs.saved_by_name or "someone",
                )
                st.rerun()  # the warning and the difference show above the editor
            except AuthoringError as exc:
                st.error(esc(str(exc)))
            else:
                forget_editor(item)
                flash("Draft saved." + ("" if inspection.ok else " It still has problems to fix before it can be published."))
                if saved_item.name != item.name:
                    open_item(f"a:{item.id}")  # its label in the box changed: select it again
                st.rerun()
        cols[1].download_button(
            "Download YAML",
            text.encode("utf-8"),
            file_name=studio.source_name(item),
            mime="application/yaml",
            key=f"studio_download_{item.id}",
            icon=":material/download:",
        )
        if cols[2].button("Undo unsaved changes", key=f"studio_revert_{item.id}", disabled=saved):
            forget_editor(item)
            st.rerun()
        studio_twine.export_button(inspection, item)  # under the row: its label is too long for a third of it
    with right:
        st.subheader("Checks")
        show_problems(inspection)
    # A keyed tab set remembers which tab is open across reruns (a play-test click must not jump back to Graph).
    graph_tab, cues_tab, play_tab, history_tab, publish_tab = st.tabs(
        ["Graph", "Surface cues", "Play-test", "History", "Publish"], key=f"studio_tabs_{item.id}", on_change="rerun"
    )
    with graph_tab:
        show_graph(inspection, item)
    with cues_tab:
        show_cues(inspection)
    with play_tab:
        show_playtest(inspection)
    with history_tab:
        show_history(item, saved)
    with publish_tab:
        if not owner:
            st.info(
                f"{esc(item.author_name)} shared this draft with you. Only its author or an admin can publish, retire, "
                "share or delete it.",
                icon=":material/group:",
            )
            return
        show_publishing(item, inspection, saved)
        show_sharing(item)
        with st.expander("Delete this scenario"):
            st.caption("Attempts trainees already played stay in their records. This cannot be undone.")
            sure = st.checkbox("Yes, delete it from the studio", key=f"studio_delete_sure_{item.id}")
            if st.button("Delete", key=f"studio_delete_{item.id}", disabled=not sure, icon=":material/delete:"):
                store.authored.delete(user, item.id)
                st.session_state.pop(state.STUDIO_OPEN, None)
                flash(f"Deleted “{esc(item.name)}”.")
                st.rerun()


def view_library(scenario_id: str) -> None:
    loaded = library[scenario_id]
    inspection = studio.check(loaded.text, f"{scenario_id}.yaml")
    st.caption("A shipped library scenario: read-only. Copy it into a new draft to adapt it for your class.")
    if st.button("Copy into a new draft", key=f"studio_copy_{scenario_id}", icon=":material/content_copy:"):
        created = studio.create(user, with_new_id(loaded.text, f"{scenario_id}-copy"), f"{scenario_id}-copy.yaml")
        flash(f"Copied “{esc(loaded.scenario.title)}” into a new draft with the id '{scenario_id}-copy'.")
        open_item(f"a:{created.id}")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.code(loaded.text, language="yaml", line_numbers=True, wrap_lines=True)
    with right:
        st.subheader("Checks")
        show_problems(inspection)
    graph_tab, cues_tab, play_tab = st.tabs(
        ["Graph", "Surface cues", "Play-test"], key=f"studio_tabs_{scenario_id}", on_change="rerun"
    )
    with graph_tab:
        show_graph(inspection)
    with cues_tab:
        show_cues(inspection)
    with play_tab:
        show_playtest(inspection)


# ---------------------------------------------------------------------- page
def start_panel(user: User, mine: list[Authored]) -> None:
    st.subheader("Your scenarios")
    if mine:
        text_table(
            [
                {
                    "Scenario": item.name,
                    "Id": item.scenario_id or "",
                    "Status": STATUS[item.status],
                    "Checks": checks_label(item),
                    "Cohorts": len(item.cohort_ids),
                    "Saved": f"{item.updated_at:%d %b %Y %H:%M}",
                    **({"Author": item.author_name} if user.role == "admin" else {}),
                }
                for item in mine
            ]
        )
    else:
        st.caption("You have not written a scenario yet. Start a new one, upload a YAML file, or copy one from the library.")
    cols = st.columns([1, 2])
    with cols[0]:
        starts = {**TEMPLATES, BLANK: ("An empty form: build it from scratch, no YAML", "")}
        shape = st.selectbox(
            "Start from",
            list(starts),
            format_func=lambda key: starts[key][0],
            key="studio_template",
            help="Each shape passes every check and has guidance beside each field; the empty form lists what to fill in.",
        )
        if st.button("New scenario", key="studio_new", icon=":material/add:"):
            if shape == BLANK:  # opens in the form, which shows what each field still needs
                created = studio.create(user, roundtrip.blank(), "new-scenario.yaml")
                st.session_state[f"studio_view_{created.id}"] = "Form"
                flash("Started an empty draft in the form. Fill in each field; the checks say what is still missing.")
            else:
                created = studio.create(user, template_text(shape), f"new-{shape}.yaml")
                origin = "the starter scenario" if shape == "starter" else f"the template “{TEMPLATES[shape][0].split(':')[0]}”"
                flash(f"Started a new draft from {origin}. Change it to your own and save.")
            open_item(f"a:{created.id}")
    with cols[1]:
        upload = st.file_uploader(
            "Upload a scenario (.yaml) or a Twine story (.twee, .html)",
            type=["yaml", "yml", *studio_twine.TYPES],
            key="studio_upload",
        )
    if upload is not None:
        seen: set[str] = st.session_state.setdefault(state.STUDIO_UPLOADED, set())
        if upload.file_id not in seen:
            seen.add(upload.file_id)
            if studio_twine.is_twine(upload.name):  # a new draft and its import report, or a message
                studio_twine.import_upload(user, upload.name, upload.getvalue(), open_item)
                return
            try:
                text = studio.decode_upload(upload.getvalue())
                created = studio.create(user, text, upload.name)
            except studio.Unreadable as exc:
                st.error(esc(str(exc)), icon=":material/error:")
                show_problem_list(exc.inspection)
            except ValueError as exc:
                st.error(f"{esc(upload.name)}: {exc}")  # decode_upload: fixed text, no user input
            else:
                flash(
                    f"Uploaded {esc(upload.name)} as a new draft."
                    + ("" if created.checks_pass else " It has problems to fix: each is listed beside the YAML.")
                )
                open_item(f"a:{created.id}")


user_items = store.authored.mine(user)
message = st.session_state.pop(state.FLASH, None)
st.title("Scenario studio")
st.caption(
    "Write scenarios for your classes, check them as you go, try them out, and publish them to your cohorts. "
    "The shipped library is read-only; copy a library scenario to adapt it."
)
if message:
    st.info(message)
start_panel(user, user_items)

by_key = {f"a:{item.id}": item for item in user_items}
options = [*by_key, *(f"l:{sid}" for sid in library)]
labels = {
    # Labels change only with a title (saving re-selects it then): a changed label would drop the selection.
    **{k: f"{'Yours' if item.author_id == user.id else 'By ' + item.author_name}: {item.name}" for k, item in by_key.items()},
    **{f"l:{sid}": f"Library (read-only): {loaded.scenario.title}" for sid, loaded in library.items()},
}
# What is open lives in STUDIO_OPEN, not only in the selectbox: the box's labels change when a draft is saved
# (its title, its check status), and a changed label would otherwise drop the selection.
PICK = "studio_pick"
set_here = OPEN_NEXT in st.session_state  # then the box's value is set directly, so it takes no index
if set_here:
    st.session_state[state.STUDIO_OPEN] = st.session_state[PICK] = st.session_state.pop(OPEN_NEXT)
current = st.session_state.get(state.STUDIO_OPEN)
if current not in options:
    current = None
    st.session_state.pop(state.STUDIO_OPEN, None)
st.divider()


def remember_pick() -> None:
    # Only a real choice: when a co-author saves a new title, the open draft's label changes under the box and the
    # browser sends back the old label (not an option); the draft must stay open with the text being written in it.
    if st.session_state[PICK] in options:
        st.session_state[state.STUDIO_OPEN] = st.session_state[PICK]


picked = st.selectbox(
    "Open a scenario",
    options,
    format_func=labels.__getitem__,
    index=options.index(current) if current is not None and not set_here else None,
    key=PICK,
    placeholder="Choose",
    on_change=remember_pick,
)
opened = picked if picked in options else current
if opened is None:
    st.stop()
if opened.startswith("a:"):
    st.header(esc(by_key[opened].name))
    studio_twine.show_report(by_key[opened])
    edit_authored(by_key[opened])
else:
    st.header(esc(library[opened[2:]].scenario.title))
    view_library(opened[2:])
