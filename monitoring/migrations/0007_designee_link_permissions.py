"""Analysts see the links between entries of different lists; reviewers (and team administrators)
confirm or reject the ones the matching engine proposes."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Analyst": ["view_designeelink"],
    "Reviewer": ["view_designeelink", "change_designeelink"],
    "Team administrator": ["view_designeelink", "change_designeelink"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="sanctions", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0006_matchreview_hit_as_decided"), ("sanctions", "0004_all_programs_links_measures")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
