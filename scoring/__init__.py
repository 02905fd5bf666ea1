"""Scoring: the rubric, the pure scorer, pattern analytics (pandas) and chart builders (plotly).

Pure: no Streamlit, no database. Takes data, returns data.
"""

from functools import lru_cache
from pathlib import Path

from scenarios import Rubric, load_rubric
from scoring.scorer import SCORING_VERSION

RUBRIC_FILE = Path(__file__).resolve().parent / "rubric.yaml"


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    """The shipped rubric, read once per process."""
    return load_rubric(RUBRIC_FILE)


__all__ = ["RUBRIC_FILE", "SCORING_VERSION", "default_rubric"]
