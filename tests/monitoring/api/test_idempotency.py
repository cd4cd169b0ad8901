"""Idempotency-Key on report filing: the first response is stored per (caller, key) and replayed;
another body under the same key is refused; duplicates, concurrent ones included, never file
two reports."""
from __future__ import annotations

import threading
import uuid
from unittest import mock

import pytest
from django.db import connection, connections

from monitoring.api import idempotency
from monitoring.models import IdempotencyRecord, ViolationReport

from .conftest import API, bearer

BODY = {"title": "Oil transfer", "category": "sts_petroleum", "tlp": "GREEN"}


def file(client, body=BODY, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(f"{API}/reports/", body, format="json", **headers)


def test_same_key_twice_files_one_report_and_replays_the_first_response(kr):
    key = str(uuid.uuid4())

    first = file(kr, key=key)
    second = file(kr, key=key)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert ViolationReport.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.caller.startswith("token:") and record.response_status == 201


def test_key_order_and_whitespace_do_not_make_a_different_body(kr):
    key = str(uuid.uuid4())
    file(kr, key=key)

    reordered = '{ "tlp":"GREEN", "category": "sts_petroleum","title":"Oil transfer"}'
    replay = kr.generic("POST", f"{API}/reports/", reordered, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key)

    assert replay.status_code == 201 and ViolationReport.objects.count() == 1


def test_same_key_with_another_body_is_refused(kr):
    key = str(uuid.uuid4())
    file(kr, key=key)

    response = file(kr, {**BODY, "title": "Something else"}, key=key)

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert ViolationReport.objects.count() == 1


def test_without_a_key_every_post_files_a_report(kr):
    file(kr)
    file(kr)

    assert ViolationReport.objects.count() == 2


def test_keys_belong_to_their_caller(kr, client_for, analyst_kr, session_for):
    key = str(uuid.uuid4())

    file(kr, key=key)
    file(client_for(state="KR"), key=key)
    file(session_for(analyst_kr), key=key)

    assert ViolationReport.objects.count() == 3
    assert sorted(r.caller.split(":")[0] for r in IdempotencyRecord.objects.all()) == ["token", "token", "user"]


def test_a_refused_request_is_not_stored_so_the_corrected_one_may_reuse_the_key(kr):
    key = str(uuid.uuid4())

    assert file(kr, {**BODY, "category": "piracy"}, key=key).status_code == 400
    assert file(kr, key=key).status_code == 201
    assert ViolationReport.objects.count() == 1


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
def test_blank_or_overlong_keys_are_400(kr, key):
    response = file(kr, key=key)

    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert ViolationReport.objects.count() == 0


def test_a_duplicate_that_loses_the_race_replays_the_winner(kr):
    """The duplicate checked for a record before the first request had committed one, then hit
    the unique constraint on inserting its own: it must replay, not file a second report."""
    key = str(uuid.uuid4())
    first = file(kr, key=key)
    real_filter = IdempotencyRecord.objects.filter
    calls = {"n": 0}

    def filter_missing_first(*args, **kwargs):
        calls["n"] += 1
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if calls["n"] == 1 else queryset  # the early look sees nothing yet

    with mock.patch.object(IdempotencyRecord.objects, "filter", side_effect=filter_missing_first):
        second = file(kr, key=key)

    assert calls["n"] >= 2
    assert second.status_code == 201 and second.json() == first.json()
    assert ViolationReport.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicates_file_one_report(issue_token, migration_data_put_back):
    """Real concurrency needs separate connections that see each other's commits: PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections are exercised on PostgreSQL (SQLite serialises every write)")
    _, secret = issue_token(state="KR")
    key = str(uuid.uuid4())
    barrier = threading.Barrier(4)
    responses = []

    def post():
        try:
            client = bearer(secret)
            barrier.wait()
            responses.append(file(client, key=key))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["id"] for r in responses}) == 1
    assert ViolationReport.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_caller_key_names_token_or_user(analyst_kr, issue_token):
    from monitoring.tokens import TokenCaller

    token, _ = issue_token(state="KR")

    assert idempotency.caller_key(TokenCaller(token)) == f"token:{token.pk}"
    assert idempotency.caller_key(analyst_kr) == f"user:{analyst_kr.pk}"
