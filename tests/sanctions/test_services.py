"""Applying list versions: upsert by DATAID, field-level diffs, delisting, relisting, refusals."""
import pytest

from monitoring.demo import DEFAULT_LIST_PATH
from sanctions.models import EntryChange, ListEntry, ListSource, ListVersion
from sanctions.parsers.un_xml import parse_un_consolidated
from sanctions.services import list_version_apply
from sanctions.signals import list_version_applied

SAMPLE = DEFAULT_LIST_PATH.read_bytes()


def individual(dataid: str, ref: str, first: str, second: str = "", extra: str = "") -> str:
    return f"""<INDIVIDUAL><DATAID>{dataid}</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>{first}</FIRST_NAME>
<SECOND_NAME>{second}</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>
<LISTED_ON>2016-11-30</LISTED_ON><COMMENTS1/><LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
<LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED>{extra}<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
<DATE>1964-07-17</DATE></INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY/></INDIVIDUAL_PLACE_OF_BIRTH>
<INDIVIDUAL_DOCUMENT/><SORT_KEY/><SORT_KEY_LAST_MOD/></INDIVIDUAL>"""


def document(*records: str, generated: str = "2026-05-08T23:00:06.922Z") -> bytes:
    body = "".join(records)
    return (f'<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST dateGenerated="{generated}">'
            f"<INDIVIDUALS>{body}</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>").encode()


def people(n: int, **overrides) -> list[str]:
    return [overrides.get(str(i)) or individual(f"{1000 + i}", f"KPi.{100 + i:03d}", f"PERSON{i}", "KIM")
            for i in range(n)]


@pytest.fixture
def un_source(db):
    return ListSource.objects.get(slug="un-sc")


def apply(source, data: bytes, **kwargs) -> ListVersion:
    return list_version_apply(source=source, parsed=parse_un_consolidated(data), **kwargs)


def test_first_version_adds_every_record_with_its_details(un_source):
    version = apply(un_source, SAMPLE)

    parsed = parse_un_consolidated(SAMPLE)
    assert version.status == "applied"
    assert version.added_count == len(parsed.records) == ListEntry.objects.filter(is_active=True).count()
    assert version.individual_count == parsed.individuals and version.entity_count == parsed.entities
    assert EntryChange.objects.filter(version=version, change_type="added").count() == len(parsed.records)
    kpe020 = ListEntry.objects.get(reference_number="KPe.020")
    assert kpe020.kind == "entity"
    assert kpe020.identifiers.filter(type="imo_company", is_valid=True).exists()
    hangul = ListEntry.objects.filter(names__kind="original_script", names__script="hangul")
    assert hangul.count() == 2


def test_same_content_regenerated_is_unchanged_and_touches_nothing(un_source):
    first = apply(un_source, document(*people(3)))
    entries_before = list(ListEntry.objects.values("id", "updated_at", "last_seen_in"))

    second = apply(un_source, document(*people(3), generated="2026-05-09T23:00:01Z"))

    assert second.status == "unchanged"
    assert second.content_sha256 == first.content_sha256
    assert list(ListEntry.objects.values("id", "updated_at", "last_seen_in")) == entries_before
    assert not EntryChange.objects.filter(version=second).exists()


def test_amendment_records_field_level_diff_and_replaces_details(un_source):
    apply(un_source, document(*people(20)))
    amended = individual("1003", "KPi.103", "PERSON3", "KIM",
                         extra="<NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>")

    version = apply(un_source, document(*people(20, **{"3": amended}), generated="2026-06-01T00:00:00Z"))

    assert (version.added_count, version.amended_count, version.removed_count) == (0, 1, 0)
    change = EntryChange.objects.get(version=version)
    assert change.change_type == "amended"
    assert set(change.diff) == {"nationalities"}
    assert change.diff["nationalities"]["before"] == []
    entry = ListEntry.objects.get(external_id="1003")
    assert list(entry.nationalities.values_list("country_code", flat=True)) == ["KP"]


def test_a_record_changed_only_outside_the_modelled_fields_is_kept_as_published_without_a_change(un_source):
    # As the UN did in 2026: INTERPOL links added to records otherwise unchanged.
    first = apply(un_source, document(*people(20)))
    untouched_before = ListEntry.objects.values("updated_at", "raw").get(external_id="1004")
    linked = individual("1003", "KPi.103", "PERSON3", "KIM",
                        extra="<HAS_INTERPOL_LINK>YES</HAS_INTERPOL_LINK><INTERPOL_LINK>https://x.int/1</INTERPOL_LINK>")

    version = apply(un_source, document(*people(20, **{"3": linked}), generated="2026-06-01T00:00:00Z"))

    assert version.status == "applied"
    assert (version.added_count, version.amended_count, version.removed_count) == (0, 0, 0)
    assert not EntryChange.objects.filter(version=version).exists()
    entry = ListEntry.objects.get(external_id="1003")
    assert entry.raw["INTERPOL_LINK"] == "https://x.int/1"
    assert entry.first_seen_in == first and entry.last_seen_in == version
    assert ListEntry.objects.values("updated_at", "raw").get(external_id="1004") == untouched_before


def test_absent_entry_is_delisted_with_history_and_relisted_as_same_entry(un_source):
    everyone = people(20)
    apply(un_source, document(*everyone))
    entry_id = ListEntry.objects.get(external_id="1005").pk

    removal = apply(un_source, document(*(everyone[:5] + everyone[6:]), generated="2026-06-01T00:00:00Z"))
    delisted = ListEntry.objects.get(pk=entry_id)
    relisting = apply(un_source, document(*everyone, generated="2026-07-01T00:00:00Z"))

    assert removal.removed_count == 1 and relisting.relisted_count == 1
    assert not delisted.is_active and str(delisted.delisted_on) == "2026-06-01"
    relisted = ListEntry.objects.get(external_id="1005")
    assert relisted.pk == entry_id and relisted.is_active and relisted.delisted_on is None
    assert list(relisted.changes.order_by("id").values_list("change_type", flat=True)) == ["added", "removed", "relisted"]


def test_version_that_would_delist_too_many_is_refused_and_changes_nothing(un_source):
    apply(un_source, document(*people(20)))

    refused = apply(un_source, document(*people(20)[:15], generated="2026-06-01T00:00:00Z"))

    assert refused.status == "rejected"
    assert "would delist 5 of 20" in refused.error
    assert ListEntry.objects.filter(is_active=True).count() == 20
    assert not EntryChange.objects.filter(version=refused).exists()

    forced = apply(un_source, document(*people(20)[:15], generated="2026-06-01T00:00:00Z"), force=True)
    assert forced.status == "applied" and forced.removed_count == 5


def test_changed_entries_are_announced_after_commit(un_source, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, version, changed_entry_ids, **kwargs):
        received.append((version.pk, sorted(changed_entry_ids)))

    list_version_applied.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            version = apply(un_source, document(*people(2)))
    finally:
        list_version_applied.disconnect(receiver)

    assert received == [(version.pk, sorted(ListEntry.objects.values_list("pk", flat=True)))]


def test_texts_longer_than_their_columns_are_cut_and_kept_whole_in_the_record(un_source):
    city, alias = "C" * 250, "A" * 600
    long_fields = (f"<GENDER>{'G' * 40}</GENDER><INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>{alias}</ALIAS_NAME>"
                   f"</INDIVIDUAL_ALIAS><INDIVIDUAL_ADDRESS><CITY>{city}</CITY><ZIP_CODE>{'9' * 60}</ZIP_CODE>"
                   f"</INDIVIDUAL_ADDRESS>")
    version = apply(un_source, document(individual("1000", "KPi.100", "PERSON0", "KIM", extra=long_fields)))

    assert version.status == "applied"
    entry = ListEntry.objects.get(external_id="1000")
    assert entry.gender == "G" * 32
    assert entry.addresses.get().city == city[:200] and entry.addresses.get().zip_code == "9" * 50
    assert entry.names.get(kind="alias").name == alias[:500]
    assert entry.raw["INDIVIDUAL_ADDRESS"][0]["CITY"] == city  # the record as published keeps it whole


def test_a_record_id_too_long_for_a_stable_key_is_refused_and_changes_nothing(un_source):
    apply(un_source, document(*people(3)))
    before = list(ListEntry.objects.values_list("external_id", "is_active").order_by("external_id"))

    version = apply(un_source, document(*people(3), individual("9" * 65, "KPi.999", "LONG"),
                                        generated="2026-06-01T00:00:00Z"))

    assert version.status == "rejected"
    assert "65 characters long, over the 64" in version.error
    assert list(ListEntry.objects.values_list("external_id", "is_active").order_by("external_id")) == before
