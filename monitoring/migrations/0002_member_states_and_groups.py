"""Reference data every installation needs: the MSMT's participating states, and the Analyst,
Reviewer and Team administrator groups with their permissions."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

# The 11 states that formed the Multilateral Sanctions Monitoring Team in October 2024.
MSMT_STATES = ["AU", "CA", "FR", "DE", "IT", "JP", "NL", "NZ", "KR", "GB", "US"]

LIST_DATA_MODELS = [
    "sanctions.listsource", "sanctions.listversion", "sanctions.listentry", "sanctions.listentryname",
    "sanctions.listentryidentifier", "sanctions.listentrybirthdate", "sanctions.listentrynationality",
    "sanctions.listentryaddress", "sanctions.entrychange",
]
VESSEL_MODELS = ["sanctions.vessel", "sanctions.vesselidentityperiod", "sanctions.vesselparty"]
REPORT_MODELS = [
    "monitoring.violationreport", "monitoring.reportsubject", "monitoring.evidence",
    "monitoring.resolutioncitation", "monitoring.sourcecitation",
]


def _perms(models, actions):
    return [(model, f"{action}_{model.split('.')[1]}") for model in models for action in actions]


ANALYST = (
    _perms(LIST_DATA_MODELS, ["view"])
    + [("sanctions.listsource", "sync_listsource")]
    + _perms(VESSEL_MODELS, ["view", "add", "change"])
    + _perms(REPORT_MODELS, ["view", "add", "change", "delete"])
    + _perms(["monitoring.screeningmatch", "monitoring.matchreview", "monitoring.memberstate",
              "monitoring.partnerorganisation"], ["view"])
)
# Reviewers decide on screening hits; they are analysts too (a user is put in both groups).
REVIEWER = _perms(["monitoring.screeningmatch", "monitoring.matchreview"], ["view"]) + [
    ("monitoring.screeningmatch", "change_screeningmatch"),
    ("monitoring.matchreview", "add_matchreview"),
]
TEAM_ADMINISTRATOR = ANALYST + REVIEWER + [
    ("monitoring.violationreport", "view_all_reports"),
    ("audit.auditrecord", "view_auditrecord"),
    ("auth.user", "view_user"),  # to pick the user of an analyst profile
] + _perms(["monitoring.memberstate", "monitoring.partnerorganisation", "monitoring.analystprofile",
            "monitoring.apitoken"], ["view", "add", "change"]) + _perms(
    ["monitoring.webhooksubscription", "monitoring.webhookdelivery", "monitoring.screeningcall"], ["view"])

GROUPS = {"Analyst": ANALYST, "Reviewer": REVIEWER, "Team administrator": TEAM_ADMINISTRATOR}


def create_reference_data(apps, schema_editor):
    # Permissions are normally created after all migrations; groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    MemberState = apps.get_model("monitoring", "MemberState")
    for code in MSMT_STATES:
        MemberState.objects.get_or_create(country=code, defaults={"joined_on": "2024-10-16"})

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model_label, codename in wanted:
            app_label = model_label.split(".")[0]
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("sanctions", "0002_list_sources"),
        ("audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_reference_data, migrations.RunPython.noop)]
