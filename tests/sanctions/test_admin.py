"""The admin of list data and vessels: every model the `sanctions` app registers answers as the
user's permissions say, searches find what they should, and list data stays read-only in the admin
(it is written by list syncs only), even for a superuser.

The data (seed UN list through the real parser and `list_version_apply`, reports, hits, vessels) is
the same as in tests/monitoring/test_admin.py, whose builder and helpers are reused here."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.exceptions import FieldError

from audit.models import AuditRecord
from sanctions.models import (
    EntryChange,
    ListEntry,
    ListEntryName,
    ListSource,
    Vessel,
    VesselIdentityPeriod,
)
from tests.monitoring.test_admin import (
    admin_url,
    assert_every_admin_page_answers_as_permissions_say,
    build_world,
    change_url,
    management_form_data,
    result_pks,
)

# Rows of these models come from list syncs only (monitoring/migrations/0002: LIST_DATA_MODELS).
LIST_DATA_MODELS = {
    "sanctions.listsource", "sanctions.listversion", "sanctions.listentry", "sanctions.listentryname",
    "sanctions.listentryidentifier", "sanctions.listentrybirthdate", "sanctions.listentrynationality",
    "sanctions.listentryaddress", "sanctions.entrychange",
}
SANCTIONS_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "sanctions"),
    key=lambda model: model._meta.label,
)

@pytest.fixture
def world(make_report, make_subject, analyst_kr, analyst_jp):
    return build_world(make_report=make_report, make_subject=make_subject, analyst_kr=analyst_kr,
                       analyst_jp=analyst_jp)


def registry_params(models):
    for model in models:
        yield pytest.param(model, id=model._meta.label)


# --------------------------------------------------------------------------- every registered admin

def test_the_registry_holds_the_list_models():
    labels = {model._meta.label_lower for model in SANCTIONS_MODELS}
    assert LIST_DATA_MODELS | {"sanctions.vessel", "sanctions.vesselidentityperiod"} <= labels


@pytest.mark.parametrize("model", list(registry_params(SANCTIONS_MODELS)))
def test_admin_pages_answer_as_the_kr_analysts_permissions_say(model, client, world, analyst_kr):
    assert_every_admin_page_answers_as_permissions_say(
        model, client, analyst_kr, system_only=LIST_DATA_MODELS, search_terms=("YUJONG", "8604917"),
    )


def test_admin_pages_answer_as_the_team_administrators_permissions_say(client, world, team_admin):
    # ListEntry is left to test_list_entry_change_page_opens (its change page is broken, see above).
    for model in SANCTIONS_MODELS:
        if model is ListEntry:
            continue
        assert_every_admin_page_answers_as_permissions_say(
            model, client, team_admin, system_only=LIST_DATA_MODELS, search_terms=("YUJONG",),
        )


def test_list_entry_change_page_opens_with_its_history(world, analyst_kr, client):
    # given
    entry = world.yujong_entry
    client.force_login(analyst_kr)

    # when
    response = client.get(change_url(entry))

    # then: read-only, with the aliases and the change history inline
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    content = response.content.decode()
    assert "Korea Yujong Shipping Company Limited" in content
    assert EntryChange.objects.filter(entry=entry).exists()


# --------------------------------------------------------------------------- searches

def test_list_entry_search_by_reference_name_alias_and_identifier(world, analyst_kr, client):
    # given
    client.force_login(analyst_kr)
    url = admin_url(ListEntry, "changelist")
    komid = ListEntry.objects.get(reference_number="KPe.001")

    # when
    by_reference = client.get(url, {"q": "KPe.066"})
    by_name = client.get(url, {"q": "YUJONG"})
    by_alias = client.get(url, {"q": "KOMID"})  # an alias only: the primary name does not carry it
    by_identifier = client.get(url, {"q": "5716647"})  # the company's IMO number, from COMMENTS1

    # then
    assert by_reference.status_code == 200
    assert result_pks(by_reference) == {world.yujong_entry.pk}
    assert result_pks(by_name) == {world.yujong_entry.pk}
    assert komid.pk in result_pks(by_alias)
    assert world.yujong_entry.pk not in result_pks(by_alias)
    assert result_pks(by_identifier) == {world.yujong_entry.pk}


def test_list_entry_name_search_finds_the_alias_and_not_other_names(world, analyst_kr, client):
    client.force_login(analyst_kr)

    response = client.get(admin_url(ListEntryName, "changelist"), {"q": "KOMID"})

    assert response.status_code == 200
    names = {row.name for row in response.context["cl"].result_list}
    assert names == {"KOMID"}
    assert ListEntryName.objects.filter(name="KOREA RYONBONG GENERAL CORPORATION").exists()


def test_list_entry_name_search_by_entry_reference(world, analyst_kr, client):
    client.force_login(analyst_kr)

    response = client.get(admin_url(ListEntryName, "changelist"), {"q": "KPe.066"})

    assert {row.entry_id for row in response.context["cl"].result_list} == {world.yujong_entry.pk}
    assert {row.name for row in response.context["cl"].result_list} == {
        "KOREA YUJONG SHIPPING CO LTD", "Korea Yujong Shipping Company Limited"}


def test_vessel_search_by_former_name_and_by_imo(world, analyst_kr, client):
    # given: YU JONG 2 sailed as KOTI (an identity period); NEW REGENT as SUN VOYAGER
    client.force_login(analyst_kr)
    url = admin_url(Vessel, "changelist")

    # when
    by_former_name = client.get(url, {"q": "KOTI"})
    by_imo = client.get(url, {"q": "9020003"})
    by_mmsi = client.get(url, {"q": "445123000"})

    # then
    assert by_former_name.status_code == 200
    assert result_pks(by_former_name) == {world.vessel.pk}
    assert result_pks(by_imo) == {world.other_vessel.pk}
    assert result_pks(by_mmsi) == {world.vessel.pk}


def test_vessel_change_page_shows_its_identity_history(world, analyst_kr, client):
    client.force_login(analyst_kr)

    response = client.get(change_url(world.vessel))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is True
    assert "KOTI" in response.content.decode()


# --------------------------------------------------------------------------- vessels are curated, with an audit trail

def test_kr_analyst_adds_a_vessel_with_an_identity_period(world, analyst_kr, client):
    # given
    client.force_login(analyst_kr)
    add_page = client.get(admin_url(Vessel, "add"))
    assert add_page.status_code == 200
    data = management_form_data(add_page)
    identities = next(f.formset.prefix for f in add_page.context["inline_admin_formsets"]
                      if f.formset.model is VesselIdentityPeriod)
    data.update({
        "imo_number": "9036387", "name": "NEW CONCORD", "mmsi": "", "call_sign": "", "flag": "",
        "vessel_type": "Bulk carrier", "gross_tonnage": "", "deadweight_tonnage": "", "build_year": "1992",
        "notes": "", f"{identities}-TOTAL_FORMS": "1", f"{identities}-0-name": "JIN HAE",
        f"{identities}-0-flag": "PA", f"{identities}-0-flag_status": "claimed", f"{identities}-0-mmsi": "",
        f"{identities}-0-call_sign": "", f"{identities}-0-valid_from": "2017-01-01",
        f"{identities}-0-valid_to": "2019-06-30", f"{identities}-0-basis": "registry",
        f"{identities}-0-source_note": "Registry extract",
    })

    # when
    response = client.post(admin_url(Vessel, "add"), data)

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    vessel = Vessel.objects.get(imo_number="9036387")
    assert vessel.created_by == analyst_kr
    assert list(vessel.identities.values_list("name", flat=True)) == ["JIN HAE"]
    assert AuditRecord.objects.filter(action="create", object_type="sanctions.vessel", object_id=str(vessel.pk),
                                      actor=analyst_kr).exists()
    assert AuditRecord.objects.filter(action="create", object_type="sanctions.vesselidentityperiod",
                                      actor=analyst_kr).exists()


def test_vessel_with_an_invalid_imo_number_is_refused(world, analyst_kr, client):
    client.force_login(analyst_kr)
    add_page = client.get(admin_url(Vessel, "add"))

    response = client.post(admin_url(Vessel, "add"), {**management_form_data(add_page), "imo_number": "9036388",
                                                      "name": "BAD CHECK DIGIT"})

    assert response.status_code == 200
    assert "imo_number" in response.context["adminform"].form.errors
    assert not Vessel.objects.filter(name="BAD CHECK DIGIT").exists()


# --------------------------------------------------------------------------- list data is read-only

@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_superuser=True, groups=())


@pytest.mark.parametrize("label", sorted(LIST_DATA_MODELS))
def test_list_data_cannot_be_added_even_by_a_superuser(label, world, superuser, analyst_kr, client):
    model = next(model for model in SANCTIONS_MODELS if model._meta.label_lower == label)
    for user in (superuser, analyst_kr):
        client.force_login(user)

        # when / then: the add page and an add POST are refused; the changelist still opens
        assert client.get(admin_url(model, "add")).status_code == 403, user
        assert client.post(admin_url(model, "add"), {}).status_code == 403, user
        assert client.get(admin_url(model, "changelist")).status_code == 200, user


def test_list_entry_and_version_cannot_be_changed_or_deleted_even_by_a_superuser(world, superuser, client):
    # given
    entry, version = world.yujong_entry, world.list_version
    client.force_login(superuser)

    # when
    entry_post = client.post(change_url(entry), {"primary_name": "RENAMED", "reference_number": "KPe.066"})
    version_post = client.post(change_url(version), {"status": "rejected"})
    entry_delete = client.post(admin_url(ListEntry, "delete", quote(entry.pk)), {"post": "yes"})
    bulk_delete = client.post(admin_url(ListEntry, "changelist"),
                              {"action": "delete_selected", "_selected_action": [str(entry.pk)], "post": "yes"})

    # then
    assert entry_post.status_code == 403
    assert version_post.status_code == 403
    assert entry_delete.status_code == 403
    entry.refresh_from_db()
    version.refresh_from_db()
    assert entry.primary_name == "KOREA YUJONG SHIPPING CO LTD"
    assert version.status == "applied"
    assert bulk_delete.status_code in (200, 302, 403)
    assert ListEntry.objects.filter(pk=entry.pk).exists()


def test_list_version_change_page_is_read_only_for_a_superuser(world, superuser, client):
    client.force_login(superuser)

    response = client.get(change_url(world.list_version))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert ListSource.objects.filter(slug="un-sc").exists()
