from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("compare", "0002_shipped_figures")]

    operations = [
        migrations.CreateModel(
            name="StratumRateLoad",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=300)),
                ("publisher", models.CharField(blank=True, max_length=200)),
                ("published", models.DateField(blank=True, null=True)),
                ("address", models.CharField(blank=True, max_length=500)),
                ("file_name", models.CharField(blank=True, max_length=200)),
                ("rates", models.JSONField(default=list)),
                ("loaded_by", models.CharField(max_length=150)),
                ("loaded_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["loaded_at", "id"]},
        ),
    ]
