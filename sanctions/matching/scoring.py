"""Scoring a query against one candidate: the best name comparison, then identifiers, date of
birth, nationality and kind as evidence for or against, each explained."""
from __future__ import annotations

import re
from collections.abc import Iterable

from sanctions import identifiers as ids

from .names import PreparedNames, compare_names
from .types import Candidate, CandidateBirthDate, CandidateName, Feature, MatchResult, Query

ALGORITHM_NAME = "msmt-name-id"
# Stored hits carry the version that found them; a new version re-screens every open report's
# subjects (monitoring.screening.version_key). What each version changed: bench/README.md.
ALGORITHM_VERSION = "1.2.0"
DEFAULT_THRESHOLD = 0.70

WEAK_ALIAS_FACTOR = 0.65  # a "Low" quality alias alone never reaches the threshold
IDENTIFIER_MATCH_FLOOR = 0.95  # the same IMO or passport number is a hit whatever the name says
IDENTIFIER_CONFLICT = -0.15  # both carry an IMO number, and they differ
BIRTH_YEAR_DISJOINT = -0.15
BIRTH_DAY_DISJOINT = -0.10
BIRTH_DATE_AGREES = 0.05
NATIONALITY_CONFLICT = -0.10
NATIONALITY_AGREES = 0.03

# Which candidate kinds a query kind may match. A vessel never matches a person.
COMPATIBLE_KINDS = {
    "person": {"individual"},
    "organization": {"entity"},
    "vessel": {"vessel", "entity"},
    "any": {"individual", "entity", "vessel"},
    "unknown": {"individual", "entity", "vessel"},
}
STRONG_IDENTIFIER_TYPES = {"imo", "imo_company", "passport", "national_id", "mmsi"}


def normalize_identifier(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def query_identifiers(query: Query) -> dict[str, str]:
    """Normalised identifier -> how it was given. IMO numbers are read in every common way."""
    found: dict[str, str] = {}
    for raw in (query.imo, *query.identifiers):
        if not raw or not raw.strip():
            continue
        imo = ids.normalize_imo(raw)
        if len(imo) == 7 and imo.isdigit():
            found[imo] = raw
        found.setdefault(normalize_identifier(raw), raw)
    found.pop("", None)
    return found


def _name_feature(query: Query, candidate: Candidate, names: Iterable[CandidateName] | None,
                  prepared: PreparedNames | None = None) -> tuple[float, Feature, str]:
    best_score, best = 0.0, Feature(0.0, "no name in common", query.name, candidate.primary_name)
    matched_name = candidate.primary_name
    names = tuple(candidate.names if names is None else names)
    kind = candidate.kind
    for query_name in (query.name, *query.aliases):
        if not query_name.strip():
            continue
        for name in names:
            comparison = compare_names(query_name, name.name, organization=kind == "entity",
                                       person=kind == "individual", vessel=kind == "vessel", prepared=prepared)
            score = comparison.score * (WEAK_ALIAS_FACTOR if name.quality == "low" else 1.0)
            if score > best_score:
                label = {"primary": "name", "alias": "alias", "original_script": "name in original script"}[name.kind]
                weak = " (weak alias)" if name.quality == "low" else ""
                best_score, matched_name = score, name.name
                best = Feature(score, f"{label}{weak}: {comparison.detail}", query_name, name.name)
                if score >= 1.0:
                    return best_score, best, matched_name  # nothing scores above 1, and a tie keeps the first
    return best_score, best, matched_name


def _identifier_feature(query: Query, candidate: Candidate) -> tuple[float | None, Feature | None]:
    given = query_identifiers(query)
    if not given:
        return None, None
    for identifier in candidate.identifiers:
        if identifier.normalized and identifier.normalized in given:
            strong = identifier.type in STRONG_IDENTIFIER_TYPES
            detail = f"{identifier.type.replace('_', ' ')} {identifier.value} is the same"
            return (IDENTIFIER_MATCH_FLOOR if strong else 0.85), Feature(1.0, detail, given[identifier.normalized],
                                                                          identifier.value)
    query_imos = {v for v in given if len(v) == 7 and v.isdigit()}
    listed_imos = {i.normalized for i in candidate.identifiers if i.type == "imo"}
    if query_imos and listed_imos and not query_imos & listed_imos:
        return -1.0, Feature(IDENTIFIER_CONFLICT, "IMO numbers differ", ", ".join(sorted(query_imos)),
                             ", ".join(sorted(listed_imos)))
    return None, None


def _birth_feature(query: Query, candidate: Candidate) -> Feature | None:
    if not query.birth_date.strip() or not candidate.birth_dates:
        return None
    try:
        given = ids.parse_partial_date(query.birth_date)
    except ValueError:
        return None

    def agrees(listed: CandidateBirthDate) -> str:
        if listed.year is None:
            return ""
        last = listed.year_to or listed.year
        if not listed.year <= given.year <= last:
            return ""
        if listed.year_to or given.month is None or listed.month is None:
            return "year"
        if given.month != listed.month:
            return "year only"
        if given.day is None or listed.day is None or given.day == listed.day:
            return "date"
        return "year only"

    outcomes = [agrees(b) for b in candidate.birth_dates]
    listed_text = ", ".join(_birth_text(b) for b in candidate.birth_dates)
    if "date" in outcomes or ("year" in outcomes and given.month is None):
        return Feature(BIRTH_DATE_AGREES, "date of birth agrees", given.isoformat(), listed_text)
    if "year" in outcomes:
        return Feature(0.0, "year of birth agrees", given.isoformat(), listed_text)
    if "year only" in outcomes:
        return Feature(BIRTH_DAY_DISJOINT, "same year of birth, different day", given.isoformat(), listed_text)
    return Feature(BIRTH_YEAR_DISJOINT, "year of birth differs", given.isoformat(), listed_text)


def _birth_text(b: CandidateBirthDate) -> str:
    if b.year_to:
        return f"{b.year}–{b.year_to}"
    parts = [str(b.year)] + [f"{v:02d}" for v in (b.month, b.day) if v]
    return "-".join(parts)


def _nationality_feature(query: Query, candidate: Candidate) -> Feature | None:
    if not query.nationality.strip() or not candidate.nationalities:
        return None
    code = ids.check_country_code(query.nationality)
    given = code.normalized if code.valid else (ids.country_code_from_name(query.nationality) or "")
    if not given:
        return None
    listed = ", ".join(candidate.nationalities)
    if given in candidate.nationalities:
        return Feature(NATIONALITY_AGREES, "nationality agrees", given, listed)
    return Feature(NATIONALITY_CONFLICT, "nationality differs", given, listed)


def compare(query: Query, candidate: Candidate, *, threshold: float = DEFAULT_THRESHOLD,
            names: Iterable[CandidateName] | None = None, prepared: PreparedNames | None = None) -> MatchResult:
    """Score `query` against `candidate`. `names` narrows the candidate's names compared (the
    index passes those sharing a key with the query); by default all are. `prepared`: the
    candidate names' forms, worked out when the index was built (the score is the same without)."""
    kind = query.kind or "any"
    if candidate.kind not in COMPATIBLE_KINDS.get(kind, COMPATIBLE_KINDS["any"]):
        feature = Feature(0.0, f"a {kind} cannot be a listed {candidate.kind}", kind, candidate.kind)
        return MatchResult(candidate, 0.0, False, candidate.primary_name, {"kind": feature})

    name_score, name_feature, matched_name = _name_feature(query, candidate, names, prepared)
    features = {"name": name_feature}
    score = name_score

    identifier_floor, identifier_feature = _identifier_feature(query, candidate)
    if identifier_feature is not None:
        features["identifiers"] = identifier_feature
        if identifier_floor is not None and identifier_floor > 0:
            score = max(score, identifier_floor) + (1 - max(score, identifier_floor)) * name_score
        else:
            score += identifier_feature.score

    for key, feature in (("birth_date", _birth_feature(query, candidate)),
                         ("nationality", _nationality_feature(query, candidate))):
        if feature is not None:
            features[key] = feature
            # Qualifiers move a name-based score; they do not make a hit out of nothing.
            if name_score > 0 or identifier_feature is not None:
                score += feature.score

    score = round(min(1.0, max(0.0, score)), 4)
    return MatchResult(candidate, score, score >= threshold, matched_name, features)
