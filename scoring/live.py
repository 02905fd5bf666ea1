"""Live classroom mode, the pure part: how the class's answers at one decision point are spread over its
choices (a frame and a plotly figure), which choice the class picked most (or that it is a tie, which the host
breaks), and discussion prompts.

Before the instructor reveals the feedback nothing here gives away which response is strongest: choices keep
the order and letters the trainees see, every bar has the same colour, and the frame has no ``kind`` column.
After the reveal each choice is named by its quality in words ("strongest", "helpful", "helpful in part, with a
pitfall" or "pitfall"), and the bars differ in colour and pattern too, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from scenarios import Node, Rubric, Scenario
from scoring.charts import FONT, PITFALL_COLOUR, POSSIBILITY_COLOUR, plain
from scoring.scorer import feedback

LETTERS = "ABCDEFGHIJ"
NEUTRAL_COLOUR = "#6B6B6B"  # before the reveal: one colour for every choice
MIXED_COLOUR = "#CC79A7"  # Okabe-Ito reddish purple
SHORT = 44
"""Characters of a response kept in chart labels (the table beside the chart has the full text)."""

KIND_STYLE = {
    "strongest": (POSSIBILITY_COLOUR, ""),
    "helpful": (POSSIBILITY_COLOUR, "."),
    "helpful in part, with a pitfall": (MIXED_COLOUR, "/"),
    "pitfall": (PITFALL_COLOUR, "x"),
}
KIND_OF_VERDICT = {
    "strongest": "strongest",
    "helpful": "helpful",
    "mixed": "helpful in part, with a pitfall",
    "pitfall": "pitfall",
}
COLUMNS = ["choice", "choice_id", "response", "trainees", "share"]


def shorten(text: str, width: int = SHORT) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def letter(index: int) -> str:
    return LETTERS[index]


def kind_of(scenario: Scenario, node_id: str, choice_id: str, rubric: Rubric) -> str:
    """'strongest', 'helpful', 'helpful in part, with a pitfall' or 'pitfall': the response's quality in words."""
    return KIND_OF_VERDICT[feedback(scenario, node_id, choice_id, rubric).verdict]


def distribution(
    scenario: Scenario,
    node_id: str,
    counts: Mapping[str, int],
    rubric: Rubric,
    *,
    revealed: bool,
    shown: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per choice at ``node_id``, in the order trainees see them (``shown``: the class's shuffled order;
    file order when None): letter, id, full response text, how many trainees picked it and their share (whole
    percent of those who answered). After the reveal, a ``kind`` column names each choice in words."""
    node: Node = scenario.nodes[node_id]
    answered = sum(counts.get(c.id, 0) for c in node.choices)
    by_id = {c.id: c for c in node.choices}
    ordered = [by_id[i] for i in shown] if shown is not None else list(node.choices)
    rows: list[dict[str, object]] = []
    for index, choice in enumerate(ordered):
        picked = int(counts.get(choice.id, 0))
        row: dict[str, object] = {
            "choice": letter(index),
            "choice_id": choice.id,
            "response": choice.say,
            "trainees": picked,
            "share": round(100 * picked / answered) if answered else 0,
        }
        if revealed:
            row["kind"] = kind_of(scenario, node_id, choice.id, rubric)
        rows.append(row)
    return pd.DataFrame(rows, columns=[*COLUMNS, "kind"] if revealed else COLUMNS)


def distribution_chart(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars, choice A at the top, each labeled with its letter and shortened text and showing the count
    and share in text; after the reveal (a ``kind`` column) each label names the kind on a second line and the bars
    differ in colour and pattern."""
    revealed = "kind" in frame.columns
    labels = [f"{c}. {plain(shorten(str(r)))}" for c, r in zip(frame["choice"], frame["response"], strict=True)]
    counts = [int(n) for n in frame["trainees"]]
    shares = [int(s) for s in frame["share"]]
    texts = [f"{n} · {s}%" for n, s in zip(counts, shares, strict=True)]
    if revealed:
        kinds = [str(k) for k in frame["kind"]]
        labels = [f"{label}<br><i>{k}</i>" for label, k in zip(labels, kinds, strict=True)]
        colours = [KIND_STYLE[k][0] for k in kinds]
        patterns = [KIND_STYLE[k][1] for k in kinds]
    else:
        colours = [NEUTRAL_COLOUR] * len(labels)
        patterns = [""] * len(labels)
    fig = go.Figure(
        go.Bar(
            x=counts,
            y=labels,
            orientation="h",
            name="Trainees",
            marker={"color": colours, "pattern": {"shape": patterns, "fgcolor": "white"}},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>%{text}<extra></extra>",
        )
    )
    top = max([*counts, 1])
    fig.update_layout(
        meta={"title": "How the class answered"},
        font=FONT,
        height=120 + 60 * len(labels),
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
    )
    fig.update_xaxes(title="Trainees", range=[0, top * 1.25 + 0.5], dtick=max(1, top // 5), linecolor="#444", showgrid=False)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels[::-1], automargin=True, linecolor="#444")
    return fig


def top_choices(node: Node, counts: Mapping[str, int], shown: Sequence[str] | None = None) -> list[str]:
    """The choices that share the highest count, in the order the class sees them (``shown``; file order when
    None): one choice when the class has a majority, several on a tie, none when no one answered."""
    order = list(shown) if shown is not None else [c.id for c in node.choices]
    top = max((counts.get(choice_id, 0) for choice_id in order), default=0)
    return [choice_id for choice_id in order if top > 0 and counts.get(choice_id, 0) == top]


def most_chosen(node: Node, counts: Mapping[str, int], shown: Sequence[str] | None = None) -> str | None:
    """The one choice more trainees picked than any other. None on a tie and when no one answered: then the host
    picks the response the class follows (never file order, never an automatic rule)."""
    top = top_choices(node, counts, shown)
    return top[0] if len(top) == 1 else None


def tie_sentence(node: Node, counts: Mapping[str, int], shown: Sequence[str] | None = None) -> str | None:
    """On a tie, the host's plain words for it ("A tie: 2 chose A, 2 chose C. Pick the response the class
    follows."), with the letters the class sees; None when there is no tie."""
    order = list(shown) if shown is not None else [c.id for c in node.choices]
    top = top_choices(node, counts, order)
    if len(top) < 2:
        return None
    said = ", ".join(f"{counts[choice_id]} chose {letter(order.index(choice_id))}" for choice_id in top)
    return f"A tie: {said}. Pick the response the class follows."


NO_ANSWERS = "No one answered at this point. Pick the response the class follows."
"""The host's words when no one answered: the host picks, as on a tie."""


STAGE_PROMPTS: dict[str, tuple[str, ...]] = {
    "not-ready": (
        "{name} has not said {they} {want} to plan. What would real support look like here without a goal, a plan or a step?",
        "How could a response honor {name}'s right to set {their} own course, and keep the door open for later?",
    ),
    "contemplating": (
        "{name} is thinking about a change and is not sure yet. How could a response hold both sides without pushing "
        "toward a plan?",
        "What might happen to the conversation if steps or a plan came now, before {name} has signaled readiness?",
    ),
    "preparing": (
        "Which of {name}'s words signal readiness to plan: resolve, a question about change, a picture of a new future?",
        "How could you check gently that {name} wants to plan now, and then let {them} name the first small step?",
    ),
    "acting": (
        "{name} is taking steps. How could you help {them} notice progress and agree how {they} will know it is working?",
        "What back-up plan might help {name} if the next step does not go as planned?",
    ),
    "maintaining": (
        "{name} is keeping a change going. What would {they} keep, stop or try next, in {their} own words?",
        "How could you celebrate what {name} has done and still make room for new goals and dreams?",
    ),
}

PRONOUNS = {
    "he": {"they": "he", "them": "him", "their": "his", "want": "wants", "are": "is"},
    "she": {"they": "she", "them": "her", "their": "her", "want": "wants", "are": "is"},
}
THEY = {"they": "they", "them": "them", "their": "their", "want": "want", "are": "are"}
"""The words the prompts use for the peer, by the first of the peer's pronouns (he/him, she/her); 'they' for
they/them, for any other set, and when none is given."""


def pronoun_words(pronouns: str | None) -> dict[str, str]:
    first = (pronouns or "").split("/")[0].strip().lower()
    return PRONOUNS.get(first, THEY)


def discussion_prompts(scenario: Scenario, node_id: str, counts: Mapping[str, int], rubric: Rubric) -> list[str]:
    """Questions for the class after the reveal: where the peer is (their line and readiness stage), what the
    stage asks of a peer specialist, and, from the answers, a split class or a popular pitfall."""
    node = scenario.nodes[node_id]
    name = scenario.peer.name
    words = pronoun_words(scenario.peer.pronouns)
    prompts = [f"What in what {name} just said points to where {words['they']} {words['are']} right now?"]
    prompts += [p.format(name=name, **words) for p in STAGE_PROMPTS[node.readiness]]
    picked = [c for c in node.choices if counts.get(c.id, 0) > 0]
    if len(picked) >= 2:
        prompts.append(f"The class chose different responses. What does each of them assume about where {name} is?")
    top = top_choices(node, counts)
    pitfalls = sum(1 for choice_id in top if feedback(scenario, node_id, choice_id, rubric).pitfalls)
    if pitfalls:
        if len(top) == 1:
            said = "The response chosen most falls into a pitfall. What made it tempting"
        elif pitfalls == 1:
            said = "One of the responses chosen most falls into a pitfall. What made it tempting"
        else:
            which = "Some" if pitfalls < len(top) else "Both" if pitfalls == 2 else "All"
            said = f"{which} of the responses chosen most fall into pitfalls. What made them tempting"
        prompts.append(f"{said}, and how would you put the stronger response in your own words?")
    return prompts
