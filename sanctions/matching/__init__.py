"""The matching engine: pure (no ORM, no network), versioned, explainable.

    index = ScreeningIndex(candidates)            # once per list version
    results = index.screen(Query(name="Kim Jong-un", kind="person"), limit=5)
    result.score, result.match, result.explanation()
"""
from .index import ScreeningIndex
from .names import compare_names
from .scoring import ALGORITHM_NAME, ALGORITHM_VERSION, DEFAULT_THRESHOLD, compare
from .types import Candidate, CandidateBirthDate, CandidateIdentifier, CandidateName, Feature, MatchResult, Query

__all__ = [
    "ALGORITHM_NAME", "ALGORITHM_VERSION", "DEFAULT_THRESHOLD", "Candidate", "CandidateBirthDate",
    "CandidateIdentifier", "CandidateName", "Feature", "MatchResult", "Query", "ScreeningIndex", "compare",
    "compare_names",
]
