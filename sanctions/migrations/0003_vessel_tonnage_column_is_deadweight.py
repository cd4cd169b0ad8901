"""Vessels synced from OFAC before this release took the list's Tonnage column as their gross tonnage
when it published no GRT. That column is the deadweight: move it there. Only values still equal to
what the entry's record says are moved; a gross tonnage an analyst entered is left alone."""
from django.db import migrations


def tonnage_to_deadweight(apps, schema_editor):
    Vessel = apps.get_model("sanctions", "Vessel")
    for vessel in Vessel.objects.filter(list_entries__isnull=False).distinct().prefetch_related("list_entries"):
        changed = False
        for entry in vessel.list_entries.all():
            particulars = (entry.snapshot or {}).get("vessel") or {}
            tonnage, grt = particulars.get("tonnage"), particulars.get("gross_registered_tonnage")
            if not tonnage:
                continue
            if vessel.gross_tonnage == tonnage and not grt:
                vessel.gross_tonnage, changed = None, True
            if vessel.deadweight_tonnage is None:
                vessel.deadweight_tonnage, changed = tonnage, True
        if changed:
            vessel.save(update_fields=["gross_tonnage", "deadweight_tonnage"])


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0002_list_sources")]

    operations = [migrations.RunPython(tonnage_to_deadweight, migrations.RunPython.noop)]
