"""Candidates straight from a parsed list, without the database: for benchmarks and tests of
the engine on real list files."""
from __future__ import annotations

from sanctions.parsers.types import ParsedList, ParsedRecord

from .types import Candidate, CandidateBirthDate, CandidateIdentifier, CandidateName


def candidate_from_record(record: ParsedRecord, *, entry_id: int, source: str) -> Candidate:
    names = [CandidateName(n.name, n.quality, n.kind) for n in record.names]
    if not any(n.kind == "primary" for n in names):
        names.insert(0, CandidateName(record.primary_name))
    return Candidate(
        entry_id=entry_id,
        source=source,
        reference_number=record.reference_number,
        kind=record.kind,
        primary_name=record.primary_name,
        names=tuple(names),
        identifiers=tuple(CandidateIdentifier(i.type, i.value, i.normalized) for i in record.identifiers),
        birth_dates=tuple(
            CandidateBirthDate(year=b.date.year if b.date else b.year, year_to=b.year_to,
                               month=b.date.month if b.date else None, day=b.date.day if b.date else None)
            for b in record.birth_dates if b.date or b.year
        ),
        nationalities=tuple(sorted({n.country_code for n in record.nationalities if n.country_code})),
    )


def candidates_from_parsed(parsed: ParsedList, *, source: str, first_id: int = 1) -> list[Candidate]:
    return [candidate_from_record(r, entry_id=first_id + i, source=source) for i, r in enumerate(parsed.records)]
