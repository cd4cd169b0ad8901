"""Vessels synced from OFAC before this release took the list's Tonnage column as their gross tonnage
when it published no GRT. That column is the deadweight: move it there. Only values still equal to
what the entry's record says are moved; a gross tonnage an analyst entered is left alone."""
from django.db import migrations


def tonnage_to_deadweight(apps, schema_editor):
    Vessel = apps.get_model("sanctions", "Vessel")
    for vessel in Vessel.objects.filter(list_entries__isnull=False).distinct().prefetch_related("list_entries"):
        changed = False
        # Only the entries whose record names this hull, as the sync linked them; active ones first.
        for entry in sorted(vessel.list_entries.all(), key=lambda e: not e.is_active):
            particulars = (entry.snapshot or {}).get("vessel") or {}
            if not (particulars.get("imo_valid") and particulars.get("imo") == vessel.imo_number):
                continue  # linked by hand, or naming another hull
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
