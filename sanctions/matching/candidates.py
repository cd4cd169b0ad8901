"""Building candidates: from list entries in the database (sanctions.selectors) and straight from
a parsed list file (benchmarks and engine tests). Both hand over objects with the same attribute
names (name/quality/kind, type/value/normalized, date/year/year_to, country_code)."""
from __future__ import annotations

from collections.abc import Iterable

from sanctions.parsers.types import ParsedList, ParsedRecord

from .types import Candidate, CandidateBirthDate, CandidateIdentifier, CandidateName


def build_candidate(*, entry_id: int, source: str, reference_number: str, kind: str, primary_name: str,
                    names: Iterable, identifiers: Iterable, birth_dates: Iterable,
                    nationalities: Iterable) -> Candidate:
    candidate_names = [CandidateName(n.name, n.quality, n.kind) for n in names]
    if not any(n.kind == "primary" for n in candidate_names):
        candidate_names.insert(0, CandidateName(primary_name))
    return Candidate(
        entry_id=entry_id,
        source=source,
        reference_number=reference_number,
        kind=kind,
        primary_name=primary_name,
        names=tuple(candidate_names),
        identifiers=tuple(CandidateIdentifier(i.type, i.value, i.normalized) for i in identifiers),
        birth_dates=tuple(
            CandidateBirthDate(year=b.date.year if b.date else b.year, year_to=b.year_to,
                               month=b.date.month if b.date else None, day=b.date.day if b.date else None)
            for b in birth_dates if b.date or b.year
        ),
        nationalities=tuple(sorted({str(n.country_code) for n in nationalities if n.country_code})),
    )


def candidate_from_record(record: ParsedRecord, *, entry_id: int, source: str) -> Candidate:
    return build_candidate(
        entry_id=entry_id, source=source, reference_number=record.reference_number, kind=record.kind,
        primary_name=record.primary_name, names=record.names, identifiers=record.identifiers,
        birth_dates=record.birth_dates, nationalities=record.nationalities,
    )


def candidates_from_parsed(parsed: ParsedList, *, source: str, first_id: int = 1) -> list[Candidate]:
    return [candidate_from_record(r, entry_id=first_id + i, source=source) for i, r in enumerate(parsed.records)]
