"""xAPI statements (Experience API 1.0.3) for a learning record store: what PeerSim says about practice and mock
exams, in the cmi5 verbs people expect. Pure: facts in, statement dictionaries out (records/xapi_rows.py stores them
in the outbox in the same transaction as what they describe, records/xapi.py sends them).

Who: a learner is an xAPI ``account`` on this PeerSim (``homePage`` is its public address) with an opaque ``name``
(:func:`learner_name`), never a name or an email address. A learning record store is often run by someone else,
kept for years and read by many people; what a trainee practiced, and how it went, is sensitive in peer support
training, and it is enough for the program to be able to map the id back to a person inside PeerSim. The name is a
hash of the account's id and creation time under this installation's address: stable for the account, different on
another PeerSim, and different for a later account that gets the same id after a deletion (SQLite can reuse ids).
Once an account is deleted, nobody can map its statements back to the person.

What:

* ``launched``: an attempt (a scenario, or a mock exam) started.
* ``answered``: one decision. The object is the decision point (a ``cmi.interaction`` of type ``choice``), the
  response's id is ``result.response`` and an extension, the criteria it showed, its quality and whether it
  counted are extensions; the scenario is the context's parent activity.
* ``completed``: an attempt reached an ending, or a mock exam closed, with ``result.score.scaled``.
* ``passed`` / ``failed``: a mock exam's result against its pass mark (``result.success``).

Every statement of one attempt carries the same ``context.registration``, a UUID derived from the attempt
(:func:`registration`), and its timestamp is when the thing happened (the decision's time, the attempt's start and
end), not when it was sent. Activity ids and PeerSim's extension IRIs are under the installation's address.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

XAPI_VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
LAUNCHED = ADL_VERBS + "launched"
ANSWERED = ADL_VERBS + "answered"
COMPLETED = ADL_VERBS + "completed"
PASSED = ADL_VERBS + "passed"
FAILED = ADL_VERBS + "failed"

SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"

LANGUAGE = "en-US"
PLATFORM = "PeerSim"

Statement = dict[str, Any]


@dataclass(frozen=True)
class Site:
    """This PeerSim installation: its public address, under which every id and IRI is made."""

    base_url: str

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(f"The PeerSim address must start with https:// or http:// (it is '{self.base_url}').")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    def iri(self, *parts: str) -> str:
        """An IRI under ``{base_url}/xapi/``, each part escaped (ids are slugs, but studio ids come from people)."""
        return "/".join([self.base_url, "xapi", *(quote(part, safe="-._~") for part in parts)])

    def extension(self, name: str) -> str:
        return self.iri("extensions", name)

    @property
    def namespace(self) -> uuid.UUID:
        """The UUID namespace of this installation: derived ids differ from one PeerSim to another."""
        return uuid.uuid5(uuid.NAMESPACE_URL, self.base_url)


def learner_name(site: Site, user_id: int, created_at: datetime) -> str:
    """The opaque, stable ``account.name`` of an account (see the module's docstring for why not an email)."""
    return str(uuid.uuid5(site.namespace, f"account:{user_id}:{_instant(created_at)}"))


def registration(site: Site, kind: str, record_id: int, started_at: datetime) -> str:
    """The ``context.registration`` of one attempt (``kind`` "attempt") or mock exam (``kind`` "exam"): the same for
    every statement about it, whenever it is built. The start time is part of it, so a later record that gets a
    deleted one's id never shares its registration."""
    return str(uuid.uuid5(site.namespace, f"{kind}:{record_id}:{_instant(started_at)}"))


@dataclass(frozen=True)
class Played:
    """A practice attempt, as its statements describe it."""

    attempt_id: int
    scenario_id: str
    version: str
    """The content hash of the scenario version played."""
    mode: str
    started_at: datetime
    title: str | None = None
    """The scenario's title, when the caller has it (activity definitions are optional in xAPI)."""


@dataclass(frozen=True)
class Choice:
    """One decision of an attempt."""

    step: int
    node_id: str
    choice_id: str
    criteria: tuple[str, ...]
    quality: str | None
    counted: bool
    time_taken_ms: int
    decided_at: datetime


@dataclass(frozen=True)
class Ending:
    """How an attempt ended."""

    ending_id: str | None
    score: int
    """0 to 100."""
    strongest: int | None
    pitfalls: int | None
    finished_at: datetime


@dataclass(frozen=True)
class Sitting:
    """A mock exam sitting."""

    exam_id: int
    items: int
    minutes: int
    pass_mark: int
    """A percentage."""
    started_at: datetime


@dataclass(frozen=True)
class ExamOutcome:
    """A closed mock exam's result."""

    correct: int
    total: int
    """The items scored (an item no longer in the bank is left out)."""
    percent: int
    ended_by: str
    """"submitted" or "time"."""
    submitted_at: datetime

    def passed(self, pass_mark: int) -> bool:
        return self.percent >= pass_mark


# ------------------------------------------------------------------------------------------------ practice
def launched(site: Site, statement_id: str, learner: str, played: Played) -> Statement:
    """An attempt started (a practice branch too: its mode says so)."""
    return _statement(
        site,
        statement_id,
        learner,
        LAUNCHED,
        _scenario(site, played),
        played.started_at,
        context=_practice_context(site, played),
    )


def answered(site: Site, statement_id: str, learner: str, played: Played, choice: Choice) -> Statement:
    """One decision: the decision point as the activity, the response and its criteria as the result."""
    point = {
        "objectType": "Activity",
        "id": site.iri("scenarios", played.scenario_id, "points", choice.node_id),
        "definition": {"type": INTERACTION, "interactionType": "choice"},
    }
    result: dict[str, Any] = {
        "response": choice.choice_id,
        "duration": iso_duration(choice.time_taken_ms),
        "extensions": {
            site.extension("response-id"): choice.choice_id,
            site.extension("criteria"): list(choice.criteria),
            site.extension("counted"): choice.counted,
        },
    }
    if choice.quality is not None:
        result["extensions"][site.extension("quality")] = choice.quality
    context = _practice_context(site, played, step=choice.step)
    context["contextActivities"] = {"parent": [_scenario(site, played)]}
    return _statement(site, statement_id, learner, ANSWERED, point, choice.decided_at, result=result, context=context)


def completed(site: Site, statement_id: str, learner: str, played: Played, ending: Ending) -> Statement:
    """An attempt reached an ending, with its score (0 to 100) as ``result.score``."""
    extensions: dict[str, Any] = {}
    if ending.ending_id is not None:
        extensions[site.extension("ending")] = ending.ending_id
    if ending.strongest is not None:
        extensions[site.extension("strongest")] = ending.strongest
    if ending.pitfalls is not None:
        extensions[site.extension("pitfalls")] = ending.pitfalls
    result: dict[str, Any] = {
        "score": _score(ending.score, 0, 100),
        "completion": True,
        "duration": iso_duration(_milliseconds(played.started_at, ending.finished_at)),
    }
    if extensions:
        result["extensions"] = extensions
    return _statement(
        site,
        statement_id,
        learner,
        COMPLETED,
        _scenario(site, played),
        ending.finished_at,
        result=result,
        context=_practice_context(site, played),
    )


# ------------------------------------------------------------------------------------------------ mock exams
def exam_launched(site: Site, statement_id: str, learner: str, sitting: Sitting) -> Statement:
    return _statement(
        site, statement_id, learner, LAUNCHED, _exam(site), sitting.started_at, context=_exam_context(site, sitting)
    )


def exam_closed(
    site: Site, statement_ids: Sequence[str], learner: str, sitting: Sitting, outcome: ExamOutcome
) -> list[Statement]:
    """A closed mock exam: ``completed`` with its score, then ``passed`` or ``failed`` against the pass mark (two
    statement ids, in that order)."""
    if len(statement_ids) != 2:
        raise ValueError("a closed exam needs two statement ids: completed, then passed or failed")
    success = outcome.passed(sitting.pass_mark)
    result: dict[str, Any] = {
        "score": _score(outcome.correct, 0, outcome.total, scaled=outcome.percent / 100),
        "success": success,
        "completion": True,
        "duration": iso_duration(_milliseconds(sitting.started_at, outcome.submitted_at)),
        "extensions": {site.extension("ended-by"): outcome.ended_by},
    }
    context = _exam_context(site, sitting)
    return [
        _statement(site, statement_ids[0], learner, COMPLETED, _exam(site), outcome.submitted_at, result=result, context=context),
        _statement(
            site,
            statement_ids[1],
            learner,
            PASSED if success else FAILED,
            _exam(site),
            outcome.submitted_at,
            result=result,
            context=context,
        ),
    ]


# ------------------------------------------------------------------------------------------------ parts
def iso_duration(milliseconds: int) -> str:
    """An ISO 8601 duration to the hundredth of a second, as xAPI asks: 900 -> "PT0.9S", 3_725_500 -> "PT1H2M5.5S"."""
    hundredths = max(0, round(milliseconds / 10))
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds, fraction = divmod(rest, 100)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds or fraction or text == "PT":
        text += f"{seconds}.{fraction:02d}".rstrip("0").rstrip(".") + "S"
    return text


def _statement(
    site: Site,
    statement_id: str,
    learner: str,
    verb: str,
    activity: dict[str, Any],
    moment: datetime,
    *,
    result: dict[str, Any] | None = None,
    context: dict[str, Any],
) -> Statement:
    statement: Statement = {
        "id": str(uuid.UUID(statement_id)),
        "actor": {"objectType": "Agent", "account": {"homePage": site.base_url, "name": learner}},
        "verb": {"id": verb, "display": {LANGUAGE: verb.rsplit("/", 1)[1]}},
        "object": activity,
    }
    if result is not None:
        statement["result"] = result
    statement["context"] = context
    statement["timestamp"] = _instant(moment)
    return statement


def _scenario(site: Site, played: Played) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": SIMULATION}
    if played.title:
        definition["name"] = {LANGUAGE: played.title}
    return {"objectType": "Activity", "id": site.iri("scenarios", played.scenario_id), "definition": definition}


def _exam(site: Site) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": site.iri("mock-exam"),
        "definition": {"type": ASSESSMENT, "name": {LANGUAGE: "Mock exam"}},
    }


def _practice_context(site: Site, played: Played, *, step: int | None = None) -> dict[str, Any]:
    extensions: dict[str, Any] = {
        site.extension("attempt-id"): played.attempt_id,
        site.extension("scenario-version"): played.version,
        site.extension("mode"): played.mode,
    }
    if step is not None:
        extensions[site.extension("step")] = step
    return {
        "registration": registration(site, "attempt", played.attempt_id, played.started_at),
        "platform": PLATFORM,
        "language": LANGUAGE,
        "extensions": extensions,
    }


def _exam_context(site: Site, sitting: Sitting) -> dict[str, Any]:
    return {
        "registration": registration(site, "exam", sitting.exam_id, sitting.started_at),
        "platform": PLATFORM,
        "language": LANGUAGE,
        "extensions": {
            site.extension("exam-id"): sitting.exam_id,
            site.extension("items"): sitting.items,
            site.extension("minutes"): sitting.minutes,
            site.extension("pass-mark"): sitting.pass_mark,
        },
    }


def _score(raw: int, low: int, high: int, *, scaled: float | None = None) -> dict[str, Any]:
    """``result.score``: ``scaled`` from -1 to 1 (here 0 to 1), with the raw score and its range."""
    if scaled is None:
        scaled = (raw - low) / (high - low) if high > low else 0.0
    return {"scaled": round(scaled, 4), "raw": raw, "min": low, "max": high}


def _instant(moment: datetime) -> str:
    """An aware time as ISO 8601 in UTC; a naive one is a bug (records.clock is aware)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use an aware UTC datetime")
    return moment.astimezone(UTC).isoformat()


def _milliseconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds() * 1000))
