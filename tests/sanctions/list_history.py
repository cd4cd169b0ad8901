"""A list entry with a history: the seed UN list, then versions that amend one entry (an alias
and a date of birth added, its designation replaced), remove it and list it again, with a
rejected download in between. Written through the real `list_version_apply`."""
from __future__ import annotations

import dataclasses
import datetime
import hashlib

from monitoring.demo import DEFAULT_LIST_PATH
from sanctions.models import ListSource
from sanctions.parsers.types import ParsedBirthDate, ParsedName
from sanctions.parsers.un_xml import parse_un_consolidated
from sanctions.services import list_version_apply, list_version_record_failure

ENTRY = "KPi.026"  # RI MAN GON, with his name in hangul
NEW_ALIAS = "RI MAN KON"
NEW_DESIGNATION = "Director, Organisational Guidance Department"
FAILURE = "The list is not well-formed XML: premature end of data, line 4108."


def amend_remove_relist(reference_number: str = ENTRY) -> None:
    """Apply three more versions of the UN list after the seed one (which must be applied)."""
    source = ListSource.objects.get(slug="un-sc")
    parsed = parse_un_consolidated(DEFAULT_LIST_PATH.read_bytes())
    record = next(r for r in parsed.records if r.reference_number == reference_number)
    amended = dataclasses.replace(
        record,
        names=record.names + (ParsedName(name=NEW_ALIAS, kind="alias", quality="good"),),
        birth_dates=record.birth_dates + (ParsedBirthDate(qualifier="exact", date=datetime.date(1945, 10, 29)),),
        designations=(NEW_DESIGNATION,),
    )
    others = tuple(r for r in parsed.records if r.reference_number != reference_number)
    start = parsed.generated_at or datetime.datetime(2026, 11, 25, tzinfo=datetime.timezone.utc)

    def apply(records, tag: str, days: int) -> None:
        version = dataclasses.replace(parsed, records=records, content_sha256=hashlib.sha256(tag.encode()).hexdigest(),
                                      generated_at=start + datetime.timedelta(days=days))
        assert list_version_apply(source=source, parsed=version, fetched_from=f"test:{tag}").status == "applied"

    apply(others + (amended,), "amended", 1)
    list_version_record_failure(source=source, status="rejected", fetched_from="test:truncated", error=FAILURE)
    apply(others, "removed", 2)
    apply(others + (amended,), "relisted", 3)
