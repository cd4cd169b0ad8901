from django.db import migrations

SOURCES = [
    {
        "slug": "un-sc",
        "name": "UN Security Council Consolidated List",
        "authority": "UN Security Council",
        "kind": "un_consolidated",
        "url": "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    },
    {
        "slug": "ofac-sdn",
        "name": "OFAC Specially Designated Nationals list",
        "authority": "US Treasury OFAC",
        "kind": "ofac_sdn",
        "url": "https://www.treasury.gov/ofac/downloads/sdn.csv",
    },
]


def create_sources(apps, schema_editor):
    ListSource = apps.get_model("sanctions", "ListSource")
    for source in SOURCES:
        ListSource.objects.update_or_create(slug=source["slug"], defaults=source)


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0001_initial")]
    operations = [migrations.RunPython(create_sources, migrations.RunPython.noop)]
