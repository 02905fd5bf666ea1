"""The scenario format: pydantic models that reject unknown keys, so a typo fails loudly."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Stage = Literal["not-ready", "contemplating", "preparing", "acting", "maintaining"]
"""The peer's readiness for planning at a point in the conversation (stages of change)."""

STAGES: tuple[Stage, ...] = ("not-ready", "contemplating", "preparing", "acting", "maintaining")

STAGE_LABELS: dict[str, str] = {
    "not-ready": "Not ready",
    "contemplating": "Thinking about it",
    "preparing": "Getting ready",
    "acting": "Taking steps",
    "maintaining": "Keeping it going",
}

DomainId = Literal[
    "readiness",
    "self-determination",
    "person-centered",
    "goals",
    "plan-care",
    "wellness",
    "relationship",
    "self-care",
    "safety",
    "ethics",
]

DOMAIN_IDS: tuple[str, ...] = get_args(DomainId)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=64)]
CriterionId = Annotated[str, StringConstraints(pattern=r"^p[fo]\.[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]

Quality = Literal["strongest", "helpful", "mixed", "pitfall"]
"""How good a response is, set by the author and checked against its criteria (see scenarios.quality)."""

QUALITIES: tuple[Quality, ...] = ("strongest", "helpful", "mixed", "pitfall")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Peer(_Strict):
    """Who the trainee is talking with."""

    name: Text = Field(description="The name the peer goes by in the conversation.")
    about: Text = Field(description="A line or two of background the trainee reads before starting.")
    pronouns: Text | None = Field(default=None, description="The peer's pronouns, if the scenario states them.")


class Choice(_Strict):
    """One response the trainee can give at a decision point."""

    id: Slug = Field(description="Short name for this choice, unique within its node (e.g. 'reflect').")
    say: Text = Field(description="What the trainee says to the peer.")
    criteria: list[CriterionId] = Field(
        min_length=1, description="Rubric criteria this response shows (po.*) or falls into (pf.*)."
    )
    why: Text = Field(description="The rationale shown as feedback: why this response helps or hinders.")
    quality: Quality | None = Field(
        default=None,
        description="How good this response is at its decision point: strongest (the best response here; at least "
        "one per node), helpful (sound, not the best), mixed (helps in part and names a pitfall) or pitfall. Scores "
        "come from this label, never from the number of criteria. A response naming a pitfall (pf.*) is mixed or "
        "pitfall. Every library scenario sets it; when it is left out, it is worked out from the criteria and the "
        "teaching lint says so.",
    )
    better: Slug | None = Field(
        default=None,
        description="For a pitfall choice: the id of a stronger choice at the same node.",
    )
    next: Slug = Field(description="The node or ending this choice leads to.")
    loop: bool = Field(
        default=False,
        description="True when this choice leads back to a point the conversation has already passed (a loop the "
        "author means). A revisited point is never scored again. The checker refuses a loop that is not marked.",
    )


class Node(_Strict):
    """A decision point: the peer speaks, the trainee chooses."""

    peer: Text = Field(description="What the peer says at this point.")
    scene: Text | None = Field(
        default=None, description="Optional narration shown before the peer's line (setting, body language)."
    )
    readiness: Stage = Field(description="The peer's readiness for planning at this point.")
    choices: list[Choice] = Field(min_length=2, max_length=5, description="The responses the trainee can choose from.")


class Ending(_Strict):
    """Where a path through the scenario ends."""

    peer: Text = Field(description="The peer's last words.")
    title: Text | None = Field(default=None, description="A short name for this ending, shown in the summary.")
    debrief: Text = Field(description="Questions or notes for reflection after the conversation.")


class Scenario(_Strict):
    """A scripted conversation with a peer."""

    id: Slug = Field(description="Stable identifier; also the file name without .yaml.")
    title: Text
    summary: Text = Field(description="One or two sentences shown in the library.")
    domains: list[DomainId] = Field(min_length=1, max_length=4, description="Curriculum domains; the first is the main one.")
    difficulty: int = Field(ge=1, le=3, description="1 (introductory) to 3 (advanced).")
    minutes: int = Field(ge=1, le=60, description="Estimated minutes to play.")
    content_note: Text | None = Field(default=None, description="Shown before starting when the scenario touches hard topics.")
    peer: Peer
    start: Slug = Field(description="The id of the first node.")
    nodes: dict[Slug, Node] = Field(min_length=1)
    endings: dict[Slug, Ending] = Field(min_length=1)

    @property
    def main_domain(self) -> str:
        return self.domains[0]

    def content_hash(self) -> str:
        """A version that changes when anything a trainee sees or is scored on changes (not comments)."""
        data = self.model_dump(mode="json")
        for node in data["nodes"].values():
            for choice in node["choices"]:
                # Fields added later are left out at their defaults, so a file that does not use them keeps
                # the version (and the attempts recorded against it) it had before they existed.
                if choice.get("quality") is None:
                    choice.pop("quality", None)
                if choice.get("loop") is False:
                    choice.pop("loop", None)
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def choice(self, node_id: str, choice_id: str) -> Choice:
        for choice in self.nodes[node_id].choices:
            if choice.id == choice_id:
                return choice
        raise KeyError(f"{node_id}/{choice_id}")

    def decision_count(self) -> int:
        return len(self.nodes)
