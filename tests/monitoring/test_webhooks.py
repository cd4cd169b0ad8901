"""Webhooks to partner systems: `list.changed` on a real list update, `match.confirmed` only where
the token may see the report, signed deliveries a receiver can verify, retries with backoff,
pausing a failing endpoint, nothing lost when the broker or a worker is down, a real worker on
Redis, the partners' API and the admin. Deliveries go to a local HTTP receiver
(tests/monitoring/webhook_receiver.py); no test leaves this machine."""
from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from audit.models import AuditRecord
from monitoring import services, webhook_tasks, webhooks
from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from monitoring.models import (
    DeliveryStatus,
    MemberState,
    PartnerOrganisation,
    ScreeningMatch,
    WebhookDelivery,
    WebhookSubscription,
)
from monitoring.tokens import TokenCaller, token_issue
from sanctions.models import ListEntry, ListSource, ListVersion
from sanctions.parsers.un_xml import parse_un_consolidated
from sanctions.services import list_version_apply
from sanctions.signals import list_version_applied
from tests.monitoring.webhook_receiver import WebhookReceiver

SEED = DEFAULT_LIST_PATH.read_bytes()
API = "/api/v1/webhooks/"


# --- Fixtures and helpers -------------------------------------------------------------------------

@pytest.fixture
def local_endpoints(settings):
    """The receiver listens on http://127.0.0.1: allowed for tests only (see webhooks.url_check)."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def seed_list(db):
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())
    return ListVersion.objects.get(status="applied")


@pytest.fixture
def make_token(db):
    def make(*, scopes=("lists:read", "reports:read"), country: str | None = "KR", partner=None):
        state = MemberState.objects.get(country=country) if partner is None else None
        token, secret = token_issue(name=f"token {uuid.uuid4().hex[:6]}", scopes=list(scopes), actor=None,
                                    member_state=state, partner=partner)
        return token, secret

    return make


def subscribe(token, url: str, events=("list.changed",)) -> tuple[WebhookSubscription, str]:
    return webhooks.webhook_subscription_create(token=token, url=url, events=list(events), actor=TokenCaller(token),
                                                channel="test")


def with_new_individual(data: bytes, *, dataid: str = "9100999", ref: str = "KPi.099") -> bytes:
    record = f"""<INDIVIDUAL><DATAID>{dataid}</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>CHOE</FIRST_NAME>
<SECOND_NAME>SON HUI</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>{ref} </REFERENCE_NUMBER>
<LISTED_ON>2026-11-30</LISTED_ON><COMMENTS1/><LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
<LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED><INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
<YEAR>1970</YEAR></INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY/></INDIVIDUAL_PLACE_OF_BIRTH>
<INDIVIDUAL_DOCUMENT/><SORT_KEY/><SORT_KEY_LAST_MOD/></INDIVIDUAL>
"""
    text = data.decode()
    assert text.count("</INDIVIDUALS>") == 1
    return text.replace("</INDIVIDUALS>", record + "</INDIVIDUALS>").encode()


def apply_list(data: bytes) -> ListVersion:
    version = list_version_apply(source=ListSource.objects.get(slug="un-sc"), parsed=parse_un_consolidated(data),
                                 fetched_from="test", force=True)
    assert version.status in ("applied", "unchanged"), version.error
    return version


@pytest.fixture
def apply_new_version(django_capture_on_commit_callbacks, seed_list):
    """Apply the seed list plus one new individual (KPi.099), running the after-commit work."""
    def run(data: bytes | None = None) -> ListVersion:
        with django_capture_on_commit_callbacks(execute=True):
            return apply_list(data or with_new_individual(SEED))

    return run


def make_due(delivery: WebhookDelivery) -> None:
    """Time passes: the scheduled next attempt (or a dead worker's claim) is now due."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def sweep(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return webhook_tasks.webhook_deliveries_due_task.apply().get()


def broker_down():
    return mock.patch.object(webhook_tasks.deliver_webhook_task, "delay",
                             side_effect=OperationalError("Error 111 connecting to redis. Connection refused."))


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


# --- Signing ------------------------------------------------------------------------------------

def test_a_delivery_is_signed_so_the_receiver_verifies_it_and_a_tampered_body_fails(
        local_endpoints, make_token, apply_new_version):
    # given: a partner subscribed to list changes, whose receiver checks signatures with its secret
    token, _ = make_token(scopes=["lists:read"])
    with WebhookReceiver() as receiver:
        subscription, secret = subscribe(token, receiver.url)
        receiver.secret = secret

        # when: a list version is applied
        apply_new_version()
        [request] = receiver.wait_for(1)

    # then: the receiver finds the signature valid, and every header the docs promise
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert request.signature_valid is True
    assert request.event == "list.changed"
    assert request.header("X-MSMT-Delivery") == str(delivery.event_id) == request.json["id"]
    assert request.header("X-MSMT-Signature").startswith("sha256=")
    assert abs(int(request.header("X-MSMT-Timestamp")) - time.time()) < 60
    timestamp, signature = request.header("X-MSMT-Timestamp"), request.header("X-MSMT-Signature")
    # ... and a tampered body, another secret, or a replay outside the tolerance all fail
    tampered = request.body.replace(b'"added":1', b'"added":2')
    assert tampered != request.body
    assert webhooks.verify_signature(secret, timestamp, tampered, signature) is False
    assert webhooks.verify_signature(secret + "x", timestamp, request.body, signature) is False
    assert webhooks.verify_signature(secret, timestamp, request.body, signature,
                                     now=int(timestamp) + 301) is False
    assert webhooks.verify_signature(secret, "not a number", request.body, signature) is False
    assert webhooks.verify_signature(secret, timestamp, request.body.decode(), signature) is True


def test_the_docstring_copy_of_verify_signature_agrees_with_the_module():
    # The function partners copy from the module docstring is the one the tests trust.
    source = webhooks.__doc__.split("::\n\n", 3)[3].split("\n\n  Answer 2xx")[0]
    namespace: dict = {}
    exec(compile("\n".join(line[6:] for line in source.splitlines()), "docstring", "exec"), namespace)  # noqa: S102
    body, now = b'{"event":"list.changed"}', int(time.time())
    signature = webhooks.sign("whsec_test", now, body)
    assert namespace["verify_signature"]("whsec_test", str(now), body, signature) is True
    assert namespace["verify_signature"]("whsec_test", str(now), body + b" ", signature) is False


# --- list.changed -----------------------------------------------------------------------------------

def test_list_changed_is_delivered_on_a_real_list_version_apply(local_endpoints, make_token, apply_new_version):
    with WebhookReceiver() as receiver:
        # given: one subscription that qualifies, and five that must get nothing
        reader, _ = make_token(scopes=["lists:read"])
        wanted, _ = subscribe(reader, receiver.url)
        only_matches, _ = subscribe(make_token(scopes=["reports:read"])[0], receiver.url, ["match.confirmed"])
        no_scope = WebhookSubscription.objects.create(  # cannot be made through the API: the scope is checked
            token=make_token(scopes=["screen"])[0], url=receiver.url, secret="s", events=["list.changed"])
        paused, _ = subscribe(make_token(scopes=["lists:read"])[0], receiver.url)
        WebhookSubscription.objects.filter(pk=paused.pk).update(paused_at=timezone.now())
        revoked_token, _ = make_token(scopes=["lists:read"])
        revoked, _ = subscribe(revoked_token, receiver.url)
        revoked_token.revoked_at = timezone.now()
        revoked_token.save()
        inactive, _ = subscribe(make_token(scopes=["lists:read"])[0], receiver.url)
        WebhookSubscription.objects.filter(pk=inactive.pk).update(is_active=False)

        # when: the seed list plus one new individual is applied
        version = apply_new_version()
        [request] = receiver.wait_for(1)

    # then: exactly one delivery, delivered, saying what changed
    assert list(WebhookDelivery.objects.values_list("subscription_id", flat=True)) == [wanted.pk]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.delivered_at is not None
    data = request.json["data"]
    assert request.json["event"] == "list.changed"
    assert data["source"] == "un-sc" and data["version_id"] == version.pk
    assert data["counts"] == {"added": 1, "amended": 0, "removed": 0, "relisted": 0}
    new_entry = ListEntry.objects.get(external_id="9100999")
    assert data["changes"] == [{"entry_id": new_entry.pk, "external_id": "9100999", "reference_number": "KPi.099",
                                "change": "added"}]
    assert data["generated_at"] and data["changes_truncated"] is False
    assert request.json == delivery.payload  # the deliveries log shows exactly what was sent

    # when: the same signal comes again (a replay), and the same content is applied again
    list_version_applied.send(sender=ListVersion, version=version, changed_entry_ids=[new_entry.pk])
    unchanged = apply_new_version()

    # then: no second event
    assert unchanged.status == "unchanged"
    assert WebhookDelivery.objects.count() == 1


def test_a_removal_only_version_is_announced_too(local_endpoints, make_token, apply_new_version):
    token, _ = make_token(scopes=["lists:read"])
    apply_new_version()  # KPi.099 added, before anyone subscribed
    with WebhookReceiver() as receiver:
        subscribe(token, receiver.url)

        apply_new_version(SEED)  # KPi.099 removed again
        [request] = receiver.wait_for(1)

    assert request.json["data"]["counts"]["removed"] == 1
    assert [c["change"] for c in request.json["data"]["changes"]] == ["removed"]


# --- match.confirmed -------------------------------------------------------------------------------

@pytest.fixture
def hit(seed_list, analyst_kr, make_report, make_subject):
    """A hit in an AMBER report of KR, released to no one."""
    def make(tlp="AMBER") -> ScreeningMatch:
        report = make_report(author=analyst_kr, tlp=tlp)
        subject = make_subject(report=report, actor=analyst_kr, name="YU JONG 2")
        return ScreeningMatch.objects.create(
            subject=subject, report=report, list_entry=ListEntry.objects.get(reference_number="KPe.066"),
            list_version=seed_list, score=0.91, is_match=True, explanation={}, algorithm="test", algorithm_version="1")

    return make


def review(match, decision: str, actor, capture):
    with capture(execute=True):
        services.match_review(match=match, reviewer=actor, decision=decision, reason=f"{decision} in test",
                              channel="test")


def test_match_confirmed_goes_only_to_tokens_that_may_see_the_report(local_endpoints, make_token, hit, analyst_kr,
                                                                     django_capture_on_commit_callbacks):
    # given: an AMBER hit of KR, and subscribers of every kind
    match = hit("AMBER")
    community = PartnerOrganisation.objects.create(name="Research group", kind="research_group",
                                                   is_community_member=True)
    with WebhookReceiver() as receiver:
        kr, _ = subscribe(make_token(country="KR", scopes=["reports:read"])[0], receiver.url, ["match.confirmed"])
        subscribe(make_token(country="JP", scopes=["reports:read"])[0], receiver.url, ["match.confirmed"])
        subscribe(make_token(partner=community, scopes=["reports:read"])[0], receiver.url, ["match.confirmed"])
        WebhookSubscription.objects.create(token=make_token(country="KR", scopes=["lists:read"])[0],
                                           url=receiver.url, secret="s", events=["match.confirmed"])

        # when: the hit is escalated, then confirmed
        review(match, "escalate", analyst_kr, django_capture_on_commit_callbacks)
        review(match, "confirm", analyst_kr, django_capture_on_commit_callbacks)
        [request] = receiver.wait_for(1)

        # ... and confirmed once more (no news for partners)
        review(match, "confirm", analyst_kr, django_capture_on_commit_callbacks)

    # then: only KR's token, which may see the report, was told
    assert list(WebhookDelivery.objects.values_list("subscription_id", flat=True)) == [kr.pk]
    assert len(receiver.requests) == 1
    assert request.event == "match.confirmed"
    assert request.json["data"] | {"confirmed_at": None} == {
        "match_id": match.pk, "report_id": str(match.report_id), "subject_name": "YU JONG 2",
        "list_entry_id": match.list_entry_id, "list_entry_reference": "KPe.066", "list_source": "un-sc",
        "score": 0.91, "confirmed_at": None,
    }
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_confirmation_is_not_sent_once_the_report_is_no_longer_visible(local_endpoints, make_token, hit,
                                                                        analyst_kr, caplog,
                                                                        django_capture_on_commit_callbacks):
    # given: a GREEN hit, which JP's token may see, confirmed while the broker is down
    match = hit("GREEN")
    with WebhookReceiver() as receiver:
        jp, _ = subscribe(make_token(country="JP", scopes=["reports:read"])[0], receiver.url, ["match.confirmed"])
        with broker_down():
            review(match, "confirm", analyst_kr, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get(subscription=jp)

        # when: KR tightens the report to AMBER+STRICT before the delivery goes out
        report = match.report
        report.tlp = "AMBER+STRICT"
        services.report_save(report=report, actor=analyst_kr, channel="test")
        sweep(django_capture_on_commit_callbacks)

    # then: JP is told nothing
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempts == 0
    assert "no longer visible" in delivery.last_error


# --- Retries, pausing, giving up -------------------------------------------------------------------

def test_a_500_is_retried_after_the_backoff_and_then_delivered(local_endpoints, make_token, apply_new_version,
                                                               django_capture_on_commit_callbacks):
    token, _ = make_token(scopes=["lists:read"])
    with WebhookReceiver(statuses=[500]) as receiver:
        subscription, _ = subscribe(token, receiver.url)

        # when: the first attempt gets a 500
        before = timezone.now()
        apply_new_version()
        receiver.wait_for(1)
        delivery = WebhookDelivery.objects.get()

        # then: failed, with the answer logged, retried in 30 s
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
        assert delivery.last_status_code == 500 and "HTTP 500" in delivery.last_error
        assert before + timedelta(seconds=29) < delivery.next_attempt_at < timezone.now() + timedelta(seconds=31)
        subscription.refresh_from_db()
        assert subscription.consecutive_failures == 1

        # when: the sweep runs before the retry is due
        assert sweep(django_capture_on_commit_callbacks) == 0
        assert len(receiver.requests) == 1

        # when: the retry is due
        make_due(delivery)
        assert sweep(django_capture_on_commit_callbacks) == 1
        first, second = receiver.wait_for(2)

    # then: delivered on the second attempt, the same event and body, a fresh signature
    delivery.refresh_from_db()
    subscription.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert delivery.last_status_code == 200 and delivery.last_error == ""
    assert delivery.next_attempt_at is None
    assert subscription.consecutive_failures == 0
    assert first.header("X-MSMT-Delivery") == second.header("X-MSMT-Delivery")
    assert first.body == second.body


def test_backoff_grows_to_an_hour_and_stays_below_the_broker_visibility_timeout():
    delays = [webhooks.backoff_delay(n).total_seconds() for n in range(1, webhooks.MAX_ATTEMPTS)]
    assert delays == [30, 120, 480, 1920, 3600, 3600, 3600]
    assert max(delays) < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_a_subscription_is_paused_after_five_failures_in_a_row(local_endpoints, make_token, apply_new_version,
                                                               django_capture_on_commit_callbacks):
    # given: one endpoint that always fails, one that works
    with WebhookReceiver(default_status=500) as failing, WebhookReceiver() as working:
        broken, _ = subscribe(make_token(scopes=["lists:read"])[0], failing.url)
        healthy, _ = subscribe(make_token(scopes=["lists:read"])[0], working.url)

        # when: five attempts fail
        apply_new_version()
        delivery = WebhookDelivery.objects.get(subscription=broken)
        for _ in range(4):
            make_due(delivery)
            sweep(django_capture_on_commit_callbacks)
        failing.wait_for(5)

        # then: paused, and the pending retry is left alone
        broken.refresh_from_db()
        assert broken.paused_at is not None and broken.consecutive_failures == 5
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 5
        make_due(delivery)
        assert sweep(django_capture_on_commit_callbacks) == 0
        assert webhook_tasks.deliver_webhook_task.apply((delivery.pk,)).get() == "paused"
        assert len(failing.requests) == 5

        # when: the next event comes
        apply_new_version(SEED)

        # then: no delivery is created for the paused subscription, the healthy one gets it
        assert WebhookDelivery.objects.filter(subscription=broken).count() == 1
        assert WebhookDelivery.objects.filter(subscription=healthy).count() == 2
        working.wait_for(2)

        # when: the partner fixed the endpoint and resumes the subscription
        failing.default_status = 200
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.webhook_subscription_resume(subscription=broken, actor=None, channel="test")
        failing.wait_for(6)

    # then: the waiting delivery goes out at once
    delivery.refresh_from_db()
    broken.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 6
    assert broken.paused_at is None and broken.consecutive_failures == 0


def test_a_delivery_is_given_up_after_eight_attempts(local_endpoints, make_token, apply_new_version,
                                                     django_capture_on_commit_callbacks):
    # given: an endpoint nobody listens on (a network error, not an HTTP answer)
    subscription, _ = subscribe(make_token(scopes=["lists:read"])[0], closed_port_url())
    apply_new_version()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code is None
    assert "ConnectError" in delivery.last_error

    # when: seven more attempts fail (the subscription's other deliveries succeed in between, so
    # it is never paused: simulated by clearing its failure count)
    for _ in range(7):
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        make_due(delivery)
        sweep(django_capture_on_commit_callbacks)

    # then: given up, and never tried again
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempts == 8
    assert delivery.next_attempt_at is None
    assert sweep(django_capture_on_commit_callbacks) == 0
    assert webhook_tasks.deliver_webhook_task.apply((delivery.pk,)).get() == "done"


# --- Nothing lost ---------------------------------------------------------------------------------

def test_deliveries_made_while_the_broker_is_down_are_sent_by_the_sweep(local_endpoints, make_token, caplog,
                                                                          apply_new_version,
                                                                          django_capture_on_commit_callbacks):
    token, _ = make_token(scopes=["lists:read"])
    with WebhookReceiver() as receiver:
        subscribe(token, receiver.url)

        # when: the event happens while the broker is down
        with broker_down():
            apply_new_version()

        # then: the event and its delivery row are saved, pending; nothing was sent
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
        assert delivery.next_attempt_at <= timezone.now()
        assert receiver.requests == []
        assert any("not queued" in r.getMessage() for r in caplog.records)

        # when: the broker is back (a worker restarted) and the periodic task runs
        assert sweep(django_capture_on_commit_callbacks) == 1
        receiver.wait_for(1)

    # then: delivered
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1


class WorkerKilled(BaseException):
    """Stands for SIGKILL of the worker process in the middle of the request."""


def test_a_delivery_whose_worker_died_mid_attempt_is_sent_once_its_claim_runs_out(
        local_endpoints, make_token, apply_new_version, django_capture_on_commit_callbacks):
    token, _ = make_token(scopes=["lists:read"])
    with WebhookReceiver() as receiver:
        subscribe(token, receiver.url)
        with broker_down():
            apply_new_version()
        delivery = WebhookDelivery.objects.get()

        # when: a worker claims the delivery and dies before the outcome is written
        with mock.patch.object(webhooks, "_post", side_effect=WorkerKilled), pytest.raises(WorkerKilled):
            webhooks.delivery_attempt(delivery.pk)

        # then: the claim keeps others away (no double send while the first attempt might run) ...
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
        assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=60)
        assert sweep(django_capture_on_commit_callbacks) == 0
        assert webhook_tasks.deliver_webhook_task.apply((delivery.pk,)).get() == "not_due"

        # ... and once it has run out, the sweep sends it
        make_due(delivery)
        assert sweep(django_capture_on_commit_callbacks) == 1
        receiver.wait_for(1)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1


def test_delivering_twice_sends_once(local_endpoints, make_token, apply_new_version):
    token, _ = make_token(scopes=["lists:read"])
    with WebhookReceiver() as receiver:
        subscribe(token, receiver.url)
        apply_new_version()
        receiver.wait_for(1)
        delivery = WebhookDelivery.objects.get()

        # when: the message is delivered again (acks_late redelivery, or the sweep and the original both)
        assert webhook_tasks.deliver_webhook_task.apply((delivery.pk,)).get() == "done"
        assert webhook_tasks.deliver_webhook_task.apply((delivery.pk + 1000,)).get() == "missing"

    assert len(receiver.requests) == 1


# --- A real worker on Redis ----------------------------------------------------------------------

@pytest.fixture
def worker_fixup_held_off():
    """Celery's Django fixup would os.close() the sockets of every connection at worker start (the
    solo pool's worker_process_init), the main thread's included, which leaves psycopg waiting
    forever on a dead file descriptor (see tests/sanctions/test_tasks.py)."""
    from celery.fixups.django import DjangoWorkerFixup

    with mock.patch.object(DjangoWorkerFixup, "_maybe_close_db_fd"), \
            mock.patch.object(DjangoWorkerFixup, "_close_database"):
        yield


@pytest.fixture
def celery_apps_restored():
    """start_worker makes its app the current and default Celery app for good; shared tasks
    (proxies to the current app's task) in later tests must find the project app again."""
    from celery import _state

    current, default = getattr(_state._tls, "current_app", None), _state.default_app
    yield
    _state._set_current_app(current)
    _state.set_default_app(default)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_on_redis_delivers_to_the_receiver(migration_data_put_back, redis_url, worker_fixup_held_off,
                                                         celery_apps_restored):
    from celery import Celery, _state, signals
    from celery.contrib.testing.worker import start_worker

    from config.celery import app as project_app

    # given: the project's Celery settings on an app of its own, on Redis, with a queue of this
    # run's own. The delivery task is a shared task, so the probe app holds it too: the worker runs
    # the production task itself.
    queue = f"webhooks-test-{uuid.uuid4().hex[:12]}"
    probe = Celery("webhooks-worker-check", set_as_current=False)
    probe.config_from_object({k: v for k, v in project_app.conf.items() if k.startswith(("task_", "broker_"))})
    probe.conf.update(broker_url=redis_url, task_always_eager=False, task_default_queue=queue, task_routes={})
    deliver = probe.tasks[webhook_tasks.deliver_webhook_task.name]
    assert deliver.app is probe and deliver.acks_late
    finished = threading.Event()

    def on_postrun(sender=None, **kwargs):  # in the worker thread
        if sender is deliver:
            connection.close()  # the worker thread's own connection, not the test's
            finished.set()

    signals.task_postrun.connect(on_postrun, weak=False)
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())  # committed: before anyone subscribed
    token, _ = token_issue(name="worker test", scopes=["lists:read"], actor=None,
                           member_state=MemberState.objects.get(country="KR"))
    try:
        with WebhookReceiver() as receiver, \
                mock.patch.object(webhook_tasks, "deliver_webhook_task", deliver), \
                start_worker(probe, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
            # start_worker makes the probe the current app of this thread: the test's own shared
            # tasks (re-screening after the list update) stay in-process, as in the other tests;
            # only the delivery goes through Redis to the worker.
            _state._set_current_app(project_app)
            # (made directly: the API refuses http://127.0.0.1, and overriding settings here would
            # change the Celery app's settings object under the probe)
            secret = webhooks.secret_generate()
            subscription = WebhookSubscription.objects.create(token=token, url=receiver.url, secret=secret,
                                                              events=["list.changed"])
            receiver.secret = secret

            # when: a list version is applied and committed (no test transaction around it)
            apply_list(with_new_individual(SEED))

            # then: the worker took the message from Redis and the receiver got a valid delivery
            [request] = receiver.wait_for(1, timeout=30)
            assert finished.wait(timeout=30), "the worker did not finish the delivery within 30 s"
    finally:
        signals.task_postrun.disconnect(on_postrun)
        with probe.connection_for_write(redis_url) as redis_connection:
            redis_connection.default_channel.queue_delete(queue)

    assert request.signature_valid is True and request.event == "list.changed"
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1


# --- The partners' API ------------------------------------------------------------------------------

@pytest.fixture
def api(make_token):
    def client_for(**token_kwargs) -> tuple[APIClient, object]:
        token, secret = make_token(**token_kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client, token

    return client_for


def test_a_partner_subscribes_and_sees_the_secret_only_once(api):
    client, token = api(scopes=["lists:read"])

    created = client.post(API, {"url": "https://hooks.partner.example.org/msmt", "events": ["list.changed"]})

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["list.changed"] and body["is_active"] is True and body["paused"] is False
    listed = client.get(API).json()
    assert [s["id"] for s in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]
    assert "secret" not in client.get(f"{API}{body['id']}/").json()
    record = AuditRecord.objects.get(object_type="monitoring.webhooksubscription", action="create")
    assert record.context["token"]["id"] == token.pk
    assert body["secret"] not in str(record.changes)


@pytest.mark.parametrize("payload, field", [
    ({"url": "https://hooks.example.org/x", "events": ["match.confirmed"]}, "events"),  # needs reports:read
    ({"url": "https://hooks.example.org/x", "events": ["list.exploded"]}, "events"),
    ({"url": "https://hooks.example.org/x", "events": []}, "events"),
    ({"url": "http://hooks.example.org/x", "events": ["list.changed"]}, "url"),
    ({"url": "https://127.0.0.1/x", "events": ["list.changed"]}, "url"),
    ({"url": "https://10.1.2.3/x", "events": ["list.changed"]}, "url"),
    ({"url": "https://localhost/x", "events": ["list.changed"]}, "url"),
    ({"url": "https://user:pw@hooks.example.org/x", "events": ["list.changed"]}, "url"),
    ({"url": "not a url", "events": ["list.changed"]}, "url"),
    ({"url": "https://hooks.example.org/x", "events": ["list.changed"], "secret": "mine"}, "secret"),
])
def test_a_bad_subscription_is_a_400_naming_the_field(api, payload, field):
    client, _ = api(scopes=["lists:read"])

    response = client.post(API, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not WebhookSubscription.objects.exists()


def test_partners_manage_only_their_own_subscriptions(api, make_user):
    owner, owner_token = api(scopes=["lists:read"])
    other, _ = api(scopes=["lists:read"], country="JP")
    subscription, _ = subscribe(owner_token, "https://hooks.partner.example.org/msmt")

    assert other.get(API).json()["results"] == []
    assert other.get(f"{API}{subscription.pk}/").status_code == 404
    assert other.delete(f"{API}{subscription.pk}/").status_code == 404
    assert other.post(f"{API}{subscription.pk}/resume/").status_code == 404
    assert other.get(f"{API}{subscription.pk}/deliveries/").status_code == 404
    assert APIClient().get(API).status_code == 401
    analyst = APIClient()
    analyst.force_authenticate(make_user(country="KR"))
    assert analyst.get(API).status_code == 403

    assert owner.delete(f"{API}{subscription.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()
    record = AuditRecord.objects.get(object_type="monitoring.webhooksubscription", action="delete")
    assert subscription.secret not in str(record.changes)


def test_the_deliveries_log_and_resuming_through_the_api(api, local_endpoints, apply_new_version,
                                                         django_capture_on_commit_callbacks):
    client, token = api(scopes=["lists:read"])
    with WebhookReceiver(default_status=503) as receiver:
        subscription, _ = subscribe(token, receiver.url)
        apply_new_version()
        WebhookSubscription.objects.filter(pk=subscription.pk).update(paused_at=timezone.now(),
                                                                      consecutive_failures=5)

        log = client.get(f"{API}{subscription.pk}/deliveries/", {"status": "failed"})
        assert log.status_code == 200
        [row] = log.json()["results"]
        assert row["event"] == "list.changed" and row["attempts"] == 1 and row["last_status_code"] == 503
        assert row["payload"]["data"]["counts"]["added"] == 1
        assert client.get(f"{API}{subscription.pk}/deliveries/", {"status": "delivered"}).json()["results"] == []
        assert client.get(f"{API}{subscription.pk}/deliveries/", {"status": "bogus"}).status_code == 400
        assert client.get(f"{API}{subscription.pk}/").json()["paused"] is True

        # when: the partner fixed the endpoint and resumes
        receiver.default_status = 200
        with django_capture_on_commit_callbacks(execute=True):
            resumed = client.post(f"{API}{subscription.pk}/resume/")
        receiver.wait_for(2)

    assert resumed.status_code == 200
    assert resumed.json()["paused"] is False and resumed.json()["consecutive_failures"] == 0
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
    assert AuditRecord.objects.filter(object_type="monitoring.webhooksubscription", action="update").exists()


def test_a_token_holds_a_bounded_number_of_subscriptions(api):
    client, token = api(scopes=["lists:read"])
    for n in range(webhooks.MAX_SUBSCRIPTIONS_PER_TOKEN):
        subscribe(token, f"https://hooks.example.org/{n}")

    response = client.post(API, {"url": "https://hooks.example.org/one-more", "events": ["list.changed"]})

    assert response.status_code == 400 and "url" in response.json()


def test_the_webhook_routes_are_described_without_warnings(db):
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    from monitoring.api import urls as monitoring_urls

    GENERATOR_STATS.reset()
    own = [p for p in monitoring_urls.urlpatterns if str(p.pattern).lstrip("^").startswith("webhooks")]
    schema = SchemaGenerator(patterns=[path("api/v1/", include((own, "monitoring-api")))]).get_schema(
        request=None, public=True)

    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    validate_schema(schema)
    assert set(schema["paths"]) == {"/api/v1/webhooks/", "/api/v1/webhooks/{id}/", "/api/v1/webhooks/{id}/resume/",
                                    "/api/v1/webhooks/{id}/deliveries/"}
    created = schema["paths"]["/api/v1/webhooks/"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"]["$ref"].endswith("/WebhookSubscriptionCreated")


# --- Admin ---------------------------------------------------------------------------------------

def test_admin_shows_subscriptions_and_deliveries_without_the_secret_and_resumes(
        client, django_user_model, make_token, local_endpoints, apply_new_version):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-tests-only")
    client.force_login(admin_user)
    with WebhookReceiver(default_status=500) as receiver:
        subscription, secret = subscribe(make_token(scopes=["lists:read"])[0], receiver.url)
        apply_new_version()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(paused_at=timezone.now())
    delivery = WebhookDelivery.objects.get()

    pages = [
        "/admin/monitoring/webhooksubscription/", "/admin/monitoring/webhooksubscription/?q=127.0.0.1",
        "/admin/monitoring/webhooksubscription/?paused=yes",
        f"/admin/monitoring/webhooksubscription/{subscription.pk}/change/",
        "/admin/monitoring/webhookdelivery/", "/admin/monitoring/webhookdelivery/?status=failed",
        f"/admin/monitoring/webhookdelivery/{delivery.pk}/change/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert secret not in response.content.decode(), page
    assert client.get("/admin/monitoring/webhooksubscription/add/").status_code == 403

    with mock.patch.object(webhook_tasks, "deliveries_enqueue"):
        response = client.post("/admin/monitoring/webhooksubscription/", {
            "action": "resume_subscriptions", "_selected_action": [subscription.pk]})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.paused_at is None


# --- Logging -----------------------------------------------------------------------------------------

def test_every_attempt_is_logged(local_endpoints, make_token, apply_new_version, caplog):
    caplog.set_level(logging.INFO, logger="monitoring.webhooks")
    with WebhookReceiver(statuses=[502]) as receiver:
        subscribe(make_token(scopes=["lists:read"])[0], receiver.url)
        apply_new_version()
        receiver.wait_for(1)

    assert any("attempt 1: 502" in r.getMessage() for r in caplog.records)


def test_a_query_parameter_is_known_only_to_the_action_that_reads_it(make_token):
    _, secret = make_token()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = client.get(API, {"status": "failed"})  # the subscription list has no status filter

    assert response.status_code == 400
    assert response.json() == {"status": ["Unknown query parameter."]}
