"""Load the real published area figures shipped with reoffkit (``reoffkit/reference/data``): the
3-month-cohort figures and, as a load of its own, the old 12-month-method ones; each row names its
source. The SYNTHETIC national table is loaded only by the demo."""

from django.db import migrations

FIELDS = ("cohort_size", "reoffenders", "reoffences", "binary_rate", "frequency_rate", "first_time_entrants", "custodial_sentences", "population_10_17")
LOADS = (
    ("Published area figures shipped with reoffkit (3-month-cohort method)", "area_figures_published.csv", "shipped_area_data"),
    ("Published area figures shipped with reoffkit (12-month cohort, the method before 2017)", "area_figures_published_old_method.csv", "shipped_old_method_data"),
)


def forwards(apps, schema_editor):
    from reoffkit.reference import areas as reader

    Load = apps.get_model("compare", "FigureLoad")
    Area = apps.get_model("compare", "AreaRecord")
    Figure = apps.get_model("compare", "AreaFigureRecord")
    if Load.objects.filter(shipped=True).exists():
        return
    for title, file_name, function in LOADS:
        data = getattr(reader, function)()
        load = Load.objects.create(title=title, publisher="reoffkit (each row names its publisher)", file_name=file_name, shipped=True, loaded_by="shipped with reoffkit")
        Area.objects.bulk_create(
            Area(load=load, area_code=a.area_code, area_name=a.area_name, area_type=a.area_type, region=a.region or "", pcc_area=a.pcc_area or "",
                 family=list(a.family), lower_tier=list(a.lower_tier))
            for a in data.areas
        )
        Figure.objects.bulk_create(
            Figure(load=load, area_code=f.area_code, area_name=f.area_name, area_type=f.area_type, cohort_basis=f.cohort_basis,
                   period_start=f.period_start, period_end=f.period_end, source=f.source[:500], **{n: getattr(f, n) for n in FIELDS})
            for f in data.figures
        )


def backwards(apps, schema_editor):
    apps.get_model("compare", "FigureLoad").objects.filter(shipped=True).delete()


class Migration(migrations.Migration):
    dependencies = [("compare", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
