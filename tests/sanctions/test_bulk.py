"""insert_all, insert_rows (COPY on PostgreSQL, bulk_create elsewhere) and update_all: rows read back as written."""
import datetime

import pytest
from django.db import IntegrityError, transaction

from sanctions.bulk import insert_all, insert_rows, update_all
from sanctions.models import (
    EntryKind,
    ListEntry,
    ListEntryBirthDate,
    ListEntryIdentifier,
    ListEntryName,
    ListSource,
)


@pytest.fixture
def un_source(db):
    return ListSource.objects.get(slug="un-sc")


def entry(source, external_id: str, **fields) -> ListEntry:
    return ListEntry(source=source, external_id=external_id, kind=EntryKind.INDIVIDUAL,
                     primary_name=f"PERSON {external_id}", **fields)


def test_rows_read_back_as_written_with_keys_set(un_source):
    awkward = 'tab\there, newline\nthere, back\\slash, "quotes", NUL-free unicode 김정은 \\N'
    entries = [
        entry(un_source, "1", comments=awkward, listed_on=datetime.date(2016, 11, 30),
              raw={"NOTE": awkward, "VALUES": ["a", {"b": None}]}, snapshot={"names": [awkward]}, titles=["Gen."]),
        entry(un_source, "2", is_active=False, delisted_on=datetime.date(2026, 1, 2)),
    ]
    insert_all(entries)

    assert all(e.pk for e in entries) and not entries[0]._state.adding
    first = ListEntry.objects.get(pk=entries[0].pk)
    assert first.comments == awkward
    assert first.raw == {"NOTE": awkward, "VALUES": ["a", {"b": None}]}
    assert first.snapshot == {"names": [awkward]} and first.titles == ["Gen."]
    assert first.listed_on == datetime.date(2016, 11, 30)
    assert first.created_at is not None and first.updated_at is not None  # auto_now fields filled
    second = ListEntry.objects.get(pk=entries[1].pk)
    assert (second.is_active, second.delisted_on, second.raw) == (False, datetime.date(2026, 1, 2), {})


def test_children_point_at_their_entries_and_later_inserts_take_fresh_keys(un_source):
    parent = entry(un_source, "1")
    insert_all([parent])
    insert_all([ListEntryName(entry=parent, name="KIM JONG UN", kind="primary")])
    insert_all([ListEntryBirthDate(entry=parent, qualifier="exact", date=datetime.date(1984, 1, 8))])
    assert list(parent.names.values_list("name", flat=True)) == ["KIM JONG UN"]
    assert parent.birth_dates.get().date == datetime.date(1984, 1, 8)

    # The keys came from the table's sequence: an ordinary save afterwards does not collide.
    later = entry(un_source, "2")
    later.save()
    assert later.pk > parent.pk


def test_constraint_violations_are_refused_as_errors(un_source):
    insert_all([entry(un_source, "1")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_all([entry(un_source, "1")])  # (source, external_id) is unique
    assert ListEntry.objects.filter(external_id="1").count() == 1


def test_nothing_to_insert_is_a_no_op(un_source):
    insert_all([])
    assert ListEntry.objects.count() == 0


def test_plain_rows_take_the_model_defaults_for_missing_fields(un_source):
    parent = entry(un_source, "1")
    insert_all([parent])
    insert_rows(ListEntryName, [
        {"entry_id": parent.pk, "name": "KIM JONG UN", "kind": "primary"},
        {"entry_id": parent.pk, "name": "김정은", "kind": "original_script", "script": "hangul", "note": 'say "hi"\t\\'},
    ])
    insert_rows(ListEntryIdentifier, [{"entry_id": parent.pk, "type": "passport", "value": "PD 123", "normalized": "PD123",
                                       "is_valid": None, "country_code": "KP", "issued_on": datetime.date(2010, 5, 1)}])
    names = list(parent.names.order_by("id").values_list("name", "script", "quality", "note"))
    assert names == [("KIM JONG UN", "latin", "", ""), ("김정은", "hangul", "", 'say "hi"\t\\')]
    passport = parent.identifiers.get()
    assert (passport.is_valid, passport.country_code.code, passport.issued_on, passport.expires_on, passport.note) == (
        None, "KP", datetime.date(2010, 5, 1), None, "")


def test_plain_rows_breaking_a_constraint_are_refused(un_source):
    parent = entry(un_source, "1")
    insert_all([parent])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(ListEntryBirthDate, [{"entry_id": parent.pk, "qualifier": "between", "year": 1970, "year_to": 1960}])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(ListEntryName, [{"name": "NO ENTRY", "kind": "alias"}])  # entry is required
    assert not ListEntryBirthDate.objects.exists() and not ListEntryName.objects.exists()


def test_updates_write_the_named_fields_of_each_row_and_nothing_else(un_source):
    first, second = entry(un_source, "1", comments="old"), entry(un_source, "2", comments="old")
    insert_all([first, second])
    first.comments, first.raw, first.primary_name = 'new "one"\t\\', {"NOTE": "changed"}, "NOT WRITTEN"
    second.comments, second.raw = "new two", {"NOTE": 'changed "two"'}
    update_all([first, second], ["comments", "raw"])
    assert list(ListEntry.objects.order_by("external_id").values_list("comments", "raw", "primary_name")) == [
        ('new "one"\t\\', {"NOTE": "changed"}, "PERSON 1"),
        ("new two", {"NOTE": 'changed "two"'}, "PERSON 2"),
    ]
    update_all([], ["comments"])  # nothing to write is a no-op


def test_updates_run_twice_in_one_transaction_and_a_refused_one_changes_nothing(un_source):
    first, second = entry(un_source, "1"), entry(un_source, "2")
    insert_all([first, second])
    with transaction.atomic():
        first.comments = "one"
        update_all([first], ["comments"])
        second.comments = "two"
        update_all([second], ["comments"])  # the staging of the first call is gone
    second.external_id, second.comments = "1", "not written"  # (source, external_id) is unique
    with pytest.raises(IntegrityError), transaction.atomic():
        update_all([second], ["external_id", "comments"])
    assert list(ListEntry.objects.order_by("pk").values_list("external_id", "comments")) == [("1", "one"), ("2", "two")]
