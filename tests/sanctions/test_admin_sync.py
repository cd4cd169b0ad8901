"""The admin's "Sync now" action on list sources, run in-process on the embedded default."""
import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from monitoring.demo import DEFAULT_LIST_PATH
from sanctions.models import ListSource, ListVersion


@pytest.fixture
def un_source_from_seed(settings, db):
    settings.UN_LIST_URL = str(DEFAULT_LIST_PATH)
    return ListSource.objects.get(slug="un-sc")


def run_sync_now(client, source):
    return client.post(reverse("admin:sanctions_listsource_changelist"),
                       {"action": "sync_now", "_selected_action": [source.pk]}, follow=True)


def test_staff_analyst_can_sync_now_and_sees_the_outcome(client, analyst_kr, un_source_from_seed):
    client.force_login(analyst_kr)

    response = run_sync_now(client, un_source_from_seed)

    assert response.status_code == 200
    version = ListVersion.objects.get(source=un_source_from_seed)
    assert version.status == "applied" and version.record_count >= 30
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["un-sc: applied"]


def test_rejected_sync_is_reported_as_an_error_with_its_reason(client, analyst_kr, settings, tmp_path, db):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>")
    settings.UN_LIST_URL = str(broken)
    client.force_login(analyst_kr)

    response = run_sync_now(client, ListSource.objects.get(slug="un-sc"))

    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error" and "un-sc: rejected" in str(message) and "line 1" in str(message)


def test_user_without_sync_permission_has_no_sync_action(client, make_user, un_source_from_seed):
    viewer = make_user(country="KR", groups=())
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_listsource"))
    client.force_login(viewer)

    response = run_sync_now(client, un_source_from_seed)

    assert not ListVersion.objects.exists()
    assert "sync_now" not in response.content.decode()
