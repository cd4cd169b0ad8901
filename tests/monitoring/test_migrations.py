"""Data migrations of the monitoring app, run with the historical models on rows written as they
could be before the migration."""
import importlib

from django.db import connection
from django.db.models import JSONField, Value
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from monitoring import screening
from monitoring.models import ReportSubject

ALIASES_MIGRATION = ("monitoring", "0004_reportsubject_aliases_stored_as_lists")
aliases_migration = importlib.import_module(f"monitoring.migrations.{ALIASES_MIGRATION[1]}")


def test_stored_aliases_become_lists_of_names_and_changed_subjects_are_screened_again(
        analyst_kr, make_report, make_subject):
    # given: aliases as the admin's JSON box let them be stored, written past today's validator
    report = make_report(author=analyst_kr)
    stored_and_expected = [
        ("Pak Yong Sik", ["Pak Yong Sik"]),  # was screened as P, a, k, ...
        ("", []),
        (None, []),  # JSON null
        (["Lee Won Ho", " ", None, 7], ["Lee Won Ho", "7"]),
        ({"en": "Pak Yong Sik"}, ['{"en": "Pak Yong Sik"}']),  # kept as text rather than lost
        (["Ri Won Ho", "  Pak Yong Sik "], ["Ri Won Ho", "  Pak Yong Sik "]),  # already fine: untouched
    ]
    subjects = [make_subject(report=report, actor=analyst_kr, kind="person", name=f"Subject {i}")
                for i in range(len(stored_and_expected))]
    for subject, (stored, _) in zip(subjects, stored_and_expected):
        as_json = Value(None, JSONField()) if stored is None else stored  # a plain None would be SQL NULL
        ReportSubject.objects.filter(pk=subject.pk).update(aliases=as_json, screened_at=timezone.now(),
                                                           screened_versions="un-sc:1")

    # when
    apps = MigrationLoader(connection).project_state(ALIASES_MIGRATION).apps
    aliases_migration.store_aliases_as_lists(apps, None)

    # then: every subject has a list of names, and only the changed ones lost their screening mark
    for subject, (stored, expected) in zip(subjects, stored_and_expected):
        subject.refresh_from_db()
        assert subject.aliases == expected, stored
        subject.full_clean(validate_unique=False)
        changed = stored != expected
        assert (subject.screened_at is None, subject.screened_versions == "") == (changed, changed), stored
    assert screening.subject_query(subjects[0]).aliases == ("Pak Yong Sik",)


def test_the_aliases_migration_runs_the_conversion_and_has_nothing_to_undo():
    [operation] = aliases_migration.Migration.operations
    assert operation.code is aliases_migration.store_aliases_as_lists
    assert operation.reversible
