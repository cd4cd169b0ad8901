"""Data migrations of the sanctions app, run with the historical models on rows as an earlier
release wrote them."""
import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from sanctions.models import EntryKind, ListEntry, ListSource, Vessel

TONNAGE_MIGRATION = ("sanctions", "0003_vessel_tonnage_column_is_deadweight")
tonnage_migration = importlib.import_module(f"sanctions.migrations.{TONNAGE_MIGRATION[1]}")


def hull(imo: str, *, gross=None, deadweight=None, tonnage=None, grt=None, named_imo: str | None = None) -> Vessel:
    vessel = Vessel.objects.create(imo_number=imo, name=f"HULL {imo}", gross_tonnage=gross,
                                   deadweight_tonnage=deadweight)
    if tonnage is not None or grt is not None:
        particulars = {"imo": named_imo or imo, "imo_valid": True, "tonnage": tonnage, "gross_registered_tonnage": grt}
        entry = ListEntry.objects.create(
            source=ListSource.objects.get(slug="ofac-sdn"), external_id=imo, kind=EntryKind.VESSEL,
            primary_name=vessel.name, snapshot={"vessel": particulars})
        vessel.list_entries.add(entry)
    return vessel


def test_a_tonnage_column_taken_for_the_gross_tonnage_becomes_the_deadweight(db):
    # as the OFAC sync of an earlier release left them
    taken = hull("9020003", gross=10030, tonnage=10030)  # no GRT: Tonnage was used as the gross tonnage
    both = hull("9187629", gross=81479, tonnage=159681, grt=81479)  # GRT used, Tonnage dropped
    by_hand = hull("9004700", gross=7000, deadweight=9000, tonnage=7067)  # an analyst's figures
    unlisted = hull("7937317", gross=5000)
    by_hand_link = hull("9110236", gross=4000, tonnage=4000, named_imo="9003550")  # its record names another hull

    apps = MigrationLoader(connection).project_state(TONNAGE_MIGRATION).apps
    tonnage_migration.tonnage_to_deadweight(apps, None)

    tonnages = dict(Vessel.objects.values_list("imo_number", "gross_tonnage"))
    deadweights = dict(Vessel.objects.values_list("imo_number", "deadweight_tonnage"))
    assert (tonnages[taken.imo_number], deadweights[taken.imo_number]) == (None, 10030)
    assert (tonnages[both.imo_number], deadweights[both.imo_number]) == (81479, 159681)
    assert (tonnages[by_hand.imo_number], deadweights[by_hand.imo_number]) == (7000, 9000)
    assert (tonnages[unlisted.imo_number], deadweights[unlisted.imo_number]) == (5000, None)
    assert (tonnages[by_hand_link.imo_number], deadweights[by_hand_link.imo_number]) == (4000, None)
