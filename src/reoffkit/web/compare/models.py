"""Loads of area-level published figures (each with its source) and the areas they describe, and
each service's place among them. A load is never changed or replaced: a newer load of the same
figures sits beside it, and the page shows the newer figure as a revision of the older."""

from __future__ import annotations

from django.db import models

from reoffkit.web.tracker.models import Service


class FigureLoad(models.Model):
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    published = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    shipped = models.BooleanField(default=False)
    synthetic = models.BooleanField(default=False)
    loaded_by = models.CharField(max_length=150)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loaded_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def source_label(self) -> str:
        parts = [p for p in (self.publisher, self.published.isoformat() if self.published else "") if p]
        return f"{self.title} ({', '.join(parts)})" if parts else self.title


class AreaRecord(models.Model):
    load = models.ForeignKey(FigureLoad, on_delete=models.CASCADE, related_name="areas")
    area_code = models.CharField(max_length=40)
    area_name = models.CharField(max_length=200)
    area_type = models.CharField(max_length=30)
    region = models.CharField(max_length=200, blank=True)
    pcc_area = models.CharField(max_length=200, blank=True)
    family = models.JSONField(default=list)
    lower_tier = models.JSONField(default=list)

    class Meta:
        ordering = ["load", "area_name"]


class AreaFigureRecord(models.Model):
    load = models.ForeignKey(FigureLoad, on_delete=models.CASCADE, related_name="figures")
    area_code = models.CharField(max_length=40)
    area_name = models.CharField(max_length=200)
    area_type = models.CharField(max_length=30)
    cohort_basis = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    cohort_size = models.PositiveIntegerField(null=True, blank=True)
    reoffenders = models.PositiveIntegerField(null=True, blank=True)
    reoffences = models.PositiveIntegerField(null=True, blank=True)
    binary_rate = models.FloatField(null=True, blank=True)
    frequency_rate = models.FloatField(null=True, blank=True)
    first_time_entrants = models.PositiveIntegerField(null=True, blank=True)
    custodial_sentences = models.PositiveIntegerField(null=True, blank=True)
    population_10_17 = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=500)

    class Meta:
        ordering = ["load", "area_code", "cohort_basis", "period_start"]


class ServiceComparison(models.Model):
    """Which area of the national figures a service is, and the comparator its RAG is rated against."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="comparison")
    area_code = models.CharField(max_length=40)
    rag_against = models.CharField(max_length=80, default="country:England and Wales")


class StratumRateLoad(models.Model):
    """National reoffending rates by age at the index offence, sex and disposal tier, with their
    source: what the expected rate of a service's own cohort is modelled from (the newest load is
    used). Never changed: a newer load sits beside it."""

    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    published = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    rates = models.JSONField(default=list)  # one dict a stratum: age_at_index, sex, tier, binary_rate, frequency_rate, source
    loaded_by = models.CharField(max_length=150)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loaded_at", "id"]

    def __str__(self) -> str:
        return self.title
