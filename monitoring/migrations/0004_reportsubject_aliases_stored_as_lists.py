"""Aliases stored before they had to be a list of names (the admin's JSON box took any JSON)
become one: a bare string is one alias, not one per character as the screening read it."""
import json

from django.db import migrations


def _as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def aliases_as_list(value) -> list[str]:
    """What was stored, as a list of non-empty strings, losing nothing but blanks and nulls."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    return [_as_text(item) for item in items if item is not None and _as_text(item).strip()]


def store_aliases_as_lists(apps, schema_editor):
    ReportSubject = apps.get_model("monitoring", "ReportSubject")
    for pk, stored in ReportSubject.objects.values_list("pk", "aliases").iterator():
        aliases = aliases_as_list(stored)
        if aliases != stored:
            # Its hits came from the old aliases: unmarked, the screening sweep screens it again.
            ReportSubject.objects.filter(pk=pk).update(aliases=aliases, screened_at=None, screened_versions="")


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0003_reportsubject_aliases_a_list_of_names"),
    ]

    operations = [
        # Backwards there is nothing to undo: a list of names was always valid.
        migrations.RunPython(store_aliases_as_lists, migrations.RunPython.noop),
    ]
