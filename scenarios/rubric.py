"""The rubric format: domains and criteria that scenario choices refer to by id.

The data lives in ``scoring/rubric.yaml``; this module only defines its shape, so that the scenario checks
(here, in the pure ``scenarios`` package) and the scorer (in ``scoring``) share one definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from scenarios.model import CriterionId, DomainId, Stage, Text, _Strict

Kind = Literal["pitfall", "possibility"]


class Domain(_Strict):
    id: DomainId
    title: Text
    about: Text


class Criterion(_Strict):
    id: CriterionId = Field(description="pf.* for a pitfall, po.* for a possibility.")
    domain: DomainId
    title: Text = Field(description="A plain-language name, shown to trainees.")
    description: Text = Field(description="One or two sentences saying what this looks like in a conversation.")
    weight: int = Field(default=1, ge=1, le=5, description="Points added (possibility) or taken away (pitfall).")
    fits: list[Stage] | None = Field(
        default=None,
        description="Readiness stages at which this criterion can honestly describe a response; omitted: any stage.",
    )

    @property
    def kind(self) -> Kind:
        return "pitfall" if self.id.startswith("pf.") else "possibility"

    @property
    def signed_weight(self) -> int:
        return -self.weight if self.kind == "pitfall" else self.weight


class Rubric(_Strict):
    domains: list[Domain] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_and_known(self) -> Rubric:
        domain_ids = [d.id for d in self.domains]
        duplicates = sorted({d for d in domain_ids if domain_ids.count(d) > 1})
        if duplicates:
            raise ValueError(f"domain ids must be unique; repeated: {', '.join(duplicates)}")
        ids = [c.id for c in self.criteria]
        repeated = sorted({c for c in ids if ids.count(c) > 1})
        if repeated:
            raise ValueError(f"criterion ids must be unique; repeated: {', '.join(repeated)}")
        missing = sorted({c.domain for c in self.criteria} - set(domain_ids))
        if missing:
            raise ValueError(f"criteria name domains that the rubric does not define: {', '.join(missing)}")
        return self

    def __contains__(self, criterion_id: object) -> bool:
        return criterion_id in self.by_id

    @cached_property
    def by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}

    def criterion(self, criterion_id: str) -> Criterion:
        return self.by_id[criterion_id]

    def domain(self, domain_id: str) -> Domain:
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise KeyError(domain_id)

    def points(self, criteria: Iterable[str]) -> int:
        """Possibilities add their weight, pitfalls subtract theirs; unknown ids count nothing."""
        return sum(self.by_id[c].signed_weight for c in criteria if c in self.by_id)

    def is_pitfall_choice(self, criteria: Iterable[str]) -> bool:
        return any(c.startswith("pf.") for c in criteria)
