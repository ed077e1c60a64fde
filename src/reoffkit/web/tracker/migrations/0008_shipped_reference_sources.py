"""Name the public source of each shipped reference figure by title, publisher and date.

The figures shipped with reoffkit (``reoffkit/reference/data``) now name their publications in
full; a database made before keeps the shipped rows with their older wording. This brings those
rows — and only those still as shipped — up to the shipped file. Figures a service loaded itself
are not touched.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from reoffkit.reference import default_reference

    ReferenceFigure = apps.get_model("tracker", "ReferenceFigure")
    for figure in default_reference():
        key = dict(area_key=figure.area.casefold(), cohort_basis=figure.cohort_basis, period_start=figure.period_start, period_end=figure.period_end)
        ReferenceFigure.objects.filter(**key, loaded_by="shipped with reoffkit").exclude(source=figure.source).update(source=figure.source)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0007_column_mapping")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
