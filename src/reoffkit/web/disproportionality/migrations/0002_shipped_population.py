"""Load the population figures shipped with reoffkit (``reoffkit/reference/data``): children aged
10–17 by ethnic group from the 2021 Census, each row naming its source. Performance officers and
administrators load their own area's figures on the population tables page."""

from django.db import migrations

NAME = "Census 2021 (shipped with reoffkit): England and Wales, Herefordshire, Telford and Wrekin"


def forwards(apps, schema_editor):
    from reoffkit.reference.population import shipped_population

    Table = apps.get_model("disproportionality", "PopulationTable")
    Figure = apps.get_model("disproportionality", "PopulationFigure")
    if Table.objects.filter(shipped=True).exists():
        return
    table = shipped_population()
    record = Table.objects.create(name=NAME, file_name="population_10_17_by_ethnicity.csv", scheme=table.scheme, shipped=True, loaded_by="shipped with reoffkit")
    Figure.objects.bulk_create(
        Figure(
            table=record, area_code=row.area_code or "", area=row.area, area_type=row.area_type or "", ethnic_group=row.group, sex=row.sex,
            count=row.count, row=row.row, year=row.year, source=(row.source or "")[:300],
        )
        for row in table.rows
    )


def backwards(apps, schema_editor):
    apps.get_model("disproportionality", "PopulationTable").objects.filter(shipped=True).delete()


class Migration(migrations.Migration):
    dependencies = [("disproportionality", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
