"""Load the reference figures shipped with reoffkit (``reoffkit/reference/data``), each with its source.

Performance officers load newer official tables on the reference figures page; these are the
starting values. Figures a service has already loaded for the same area and period are kept.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from reoffkit.reference import default_reference

    ReferenceFigure = apps.get_model("tracker", "ReferenceFigure")
    for figure in default_reference():
        values = figure.as_dict()
        key = dict(area_key=figure.area.casefold(), cohort_basis=figure.cohort_basis, period_start=figure.period_start, period_end=figure.period_end)
        if not ReferenceFigure.objects.filter(**key).exists():
            ReferenceFigure.objects.create(**values, area_key=key["area_key"], loaded_by="shipped with reoffkit")


def backwards(apps, schema_editor):
    apps.get_model("tracker", "ReferenceFigure").objects.filter(loaded_by="shipped with reoffkit").delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0003_reference_figures")]
    operations = [migrations.RunPython(forwards, backwards)]
