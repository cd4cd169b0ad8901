"""Plain types of the matching engine: what is screened (Query), what it is screened against
(Candidate, built from a list entry), and what comes out (MatchResult with per-feature
explanations). No ORM: the engine is shared by sync-time indexing and query time."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Query:
    name: str
    kind: str = "any"  # person | organization | vessel | any
    aliases: tuple[str, ...] = ()
    birth_date: str = ""  # as given: '1964', '1964-07', '1964-07-17'
    nationality: str = ""  # alpha-2 code or country name
    imo: str = ""
    identifiers: tuple[str, ...] = ()  # passport / national ID / MMSI / other numbers, any format
    id: str = ""


@dataclass(frozen=True)
class CandidateName:
    name: str
    quality: str = ""  # '' | good | low | aka | fka  (low = weak alias: never a match on its own)
    kind: str = "primary"  # primary | alias | original_script


@dataclass(frozen=True)
class CandidateBirthDate:
    year: int | None = None
    year_to: int | None = None  # for BETWEEN ranges
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class CandidateIdentifier:
    type: str  # imo | imo_company | mmsi | call_sign | passport | national_id | other
    value: str  # as published
    normalized: str


@dataclass(frozen=True)
class Candidate:
    entry_id: int
    source: str
    reference_number: str
    kind: str  # individual | entity | vessel
    primary_name: str
    names: tuple[CandidateName, ...]
    identifiers: tuple[CandidateIdentifier, ...] = ()
    birth_dates: tuple[CandidateBirthDate, ...] = ()
    nationalities: tuple[str, ...] = ()  # alpha-2 codes


@dataclass(frozen=True)
class Feature:
    """One line of explanation: what was compared, how, and what it did to the score."""

    score: float
    detail: str
    query: str = ""
    candidate: str = ""


@dataclass(frozen=True)
class MatchResult:
    candidate: Candidate
    score: float
    match: bool
    matched_name: str
    features: dict[str, Feature] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """One result as the `screen` command and the screening API give it."""
        return {
            "source": self.candidate.source, "reference_number": self.candidate.reference_number,
            "entry_id": self.candidate.entry_id, "name": self.candidate.primary_name,
            "matched_name": self.matched_name, "score": self.score, "match": self.match,
            "explanation": self.explanation(),
        }

    def explanation(self) -> dict[str, dict]:
        return {
            name: {"score": round(f.score, 4), "detail": f.detail, "query": f.query, "candidate": f.candidate}
            for name, f in self.features.items()
        }
