"""Concurrency on PostgreSQL, made to happen for sure: the test holds the row or table lock both
contenders need, waits until both are blocked on it (pg_stat_activity), then lets them go at once.

- two syncs of one list started together apply the version once;
- a screening waiting for its subject while a list version is applied screens against that version;
- two reviewers deciding one hit at the same moment: both decisions are in the log and audited,
  and the hit's status is the decision that came last.
(One idempotency key used by concurrent requests: tests/monitoring/api/test_idempotency.py,
test_concurrent_duplicates_file_one_report.)"""
from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from audit.models import AuditRecord
from monitoring import services
from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from monitoring.models import MatchReview, MemberState, ReportSubject, ScreeningMatch
from monitoring.tokens import token_issue
from sanctions.models import EntryChange, ListEntry, ListSource, ListVersion
from sanctions.services import list_sync

from .conftest import requires_postgres, wait_for

pytestmark = [requires_postgres, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SEED_PATH = Path(DEFAULT_LIST_PATH)


class HeldLock:
    """A lock held on a connection of its own until release()."""

    def __init__(self, statement: str, params=()):
        s = connection.settings_dict
        self.connection = psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                                          host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)
        self.connection.execute(statement, params)  # opens the transaction that holds it
        self.pid = self.connection.info.backend_pid

    def waiting(self) -> int:
        """Sessions of the test database waiting for a lock (on this one, or queued behind a
        session that waits for it)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
            return cursor.fetchone()[0]

    def release(self) -> None:
        if not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


def run_in_threads(*targets, timeout: float = 60):
    """Run each target in a thread of its own (its own database connection); returns results or
    exceptions in order."""
    results = [None] * len(targets)

    def run(index, target):
        try:
            results[index] = target()
        except Exception as exc:  # reported to the test, which asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t), daemon=True) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    return threads, results


def join(threads, timeout: float = 60) -> None:
    for thread in threads:
        thread.join(timeout=timeout)
        assert not thread.is_alive(), "a contender did not finish in time"


def test_two_syncs_started_at_once_apply_the_version_once(migration_data_put_back, postgres_only):
    source = ListSource.objects.get(slug="un-sc")
    lock = HeldLock("SELECT 1 FROM sanctions_listsource WHERE id = %s FOR UPDATE", [source.pk])
    try:
        def sync():
            return list_sync(source=ListSource.objects.get(pk=source.pk), location=str(SEED_PATH))

        threads, results = run_in_threads(sync, sync)
        wait_for(lambda: lock.waiting() == 2, timeout=60, what="both syncs to wait on the list source")
    finally:
        lock.release()
    join(threads)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(v.status for v in results) == ["applied", "unchanged"]
    applied = ListVersion.objects.get(source=source, status="applied")
    assert ListVersion.objects.filter(source=source).count() == 2
    assert ListEntry.objects.filter(source=source).count() == applied.added_count == 38
    assert EntryChange.objects.count() == 38


def test_two_reviewers_deciding_one_hit_at_once_leave_both_decisions_and_a_consistent_status(
        migration_data_put_back, postgres_only, analyst_kr, make_user, make_report, django_capture_on_commit_callbacks):
    demo_list_load(path=SEED_PATH, summary=DemoSummary())
    report = make_report(author=analyst_kr, tlp="GREEN")
    with django_capture_on_commit_callbacks(execute=True):
        subject = services.subject_save(subject=ReportSubject(report=report, role="facilitator", kind="person",
                                                              name="RI WON HO"), actor=analyst_kr, channel="test")
    match = ScreeningMatch.objects.get(subject=subject, list_entry__reference_number="KPi.033")
    second_reviewer = make_user(country="KR", groups=("Analyst", "Reviewer"), username="kr.reviewer2")
    _, secret = token_issue(name="KR review desk", scopes=["reports:read", "matches:review"], actor=None,
                            member_state=MemberState.objects.get(country="KR"))

    def decide_by_session():
        client = APIClient()
        client.force_login(second_reviewer)
        return client.post(f"/api/v1/matches/{match.pk}/decision/", {"decision": "dismiss", "reason": "Other man"},
                           format="json")

    def decide_by_token():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client.post(f"/api/v1/matches/{match.pk}/decision/", {"decision": "confirm", "reason": "Same DOB"},
                           format="json")

    lock = HeldLock("SELECT 1 FROM monitoring_screeningmatch WHERE id = %s FOR UPDATE", [match.pk])
    try:
        threads, responses = run_in_threads(decide_by_session, decide_by_token)
        wait_for(lambda: lock.waiting() == 2, timeout=60, what="both decisions to wait on the hit")
    finally:
        lock.release()
    join(threads)

    assert [getattr(r, "status_code", r) for r in responses] == [200, 200], responses
    reviews = list(MatchReview.objects.filter(match=match).order_by("created_at", "id"))
    assert sorted(r.decision for r in reviews) == ["confirm", "dismiss"]
    match.refresh_from_db()
    assert match.review_status == {"confirm": "confirmed", "dismiss": "dismissed"}[reviews[-1].decision]
    # Each decision saw the status the other left: the log reads as one sequence.
    decided = list(AuditRecord.objects.filter(object_type="monitoring.screeningmatch", object_id=str(match.pk),
                                              action="decide").order_by("id"))
    assert len(decided) == 2
    assert decided[0].changes["review_status"][1] == decided[1].changes["review_status"][0]
    assert [d.context["decision"] for d in decided] == [r.decision for r in reviews]


def test_a_screening_that_waited_for_its_subject_screens_against_the_version_applied_meanwhile(
        migration_data_put_back, postgres_only, analyst_kr, make_report, django_capture_on_commit_callbacks,
        tmp_path):
    from monitoring import screening
    from sanctions.signals import list_version_applied
    from tests.monitoring.test_screening import SEED, with_new_individual

    demo_list_load(path=SEED_PATH, summary=DemoSummary())
    report = make_report(author=analyst_kr, tlp="GREEN")
    with django_capture_on_commit_callbacks(execute=True):
        subject = services.subject_save(subject=ReportSubject(report=report, role="facilitator", kind="person",
                                                              name="CHOE SON HUI"), actor=analyst_kr, channel="test")
    assert not subject.matches.exists()
    newer = tmp_path / "un.xml"
    newer.write_bytes(with_new_individual(SEED, "CHOE", "SON HUI"))
    lock = HeldLock("SELECT 1 FROM monitoring_reportsubject WHERE id = %s FOR UPDATE", [subject.pk])
    try:
        threads, results = run_in_threads(lambda: screening.subjects_screen(subject_ids=[subject.pk]))
        wait_for(lambda: lock.waiting() == 1, timeout=60, what="the screening to wait on its subject")
        # The list changes while it waits; its own post-sync re-screen is kept out of the way.
        receivers = list_version_applied.receivers
        list_version_applied.receivers = []
        try:
            version = list_sync(source=ListSource.objects.get(slug="un-sc"), location=str(newer))
        finally:
            list_version_applied.receivers = receivers
            list_version_applied.sender_receivers_cache.clear()
        assert version.status == "applied" and version.added_count == 1
    finally:
        lock.release()
    join(threads)

    assert not isinstance(results[0], Exception), results
    [hit] = ScreeningMatch.objects.filter(subject=subject)
    assert (hit.list_entry.reference_number, hit.list_version_id) == ("KPi.099", version.pk)
