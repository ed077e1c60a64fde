"""Population tables (children aged 10–17 by ethnic group, as published) and the areas each service's
population is made of. Every write goes through :mod:`reoffkit.web.disproportionality.actions`."""

from __future__ import annotations

from django.db import models

from reoffkit.engine import codes
from reoffkit.web.tracker.models import Service


class PopulationTable(models.Model):
    """One loaded file of population figures (or the figures shipped with reoffkit). Never changed
    once loaded: a newer table is loaded beside it."""

    name = models.CharField(max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    scheme = models.CharField(max_length=20, choices=list(codes.ETHNICITY_SCHEMES.items()), default=codes.DEFAULT_ETHNICITY_SCHEME)
    shipped = models.BooleanField(default=False)
    loaded_by = models.CharField(max_length=150)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shipped", "-loaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class PopulationFigure(models.Model):
    table = models.ForeignKey(PopulationTable, on_delete=models.CASCADE, related_name="figures")
    area_code = models.CharField(max_length=20, blank=True)
    area = models.CharField(max_length=200)
    area_type = models.CharField(max_length=20, blank=True)
    ethnic_group = models.CharField(max_length=10)
    sex = models.CharField(max_length=10)
    count = models.PositiveIntegerField()
    row = models.PositiveIntegerField(null=True, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["table", "area", "ethnic_group", "sex"]


class ServicePopulation(models.Model):
    """The areas whose population a service works with (several authorities are added up)."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="population")
    table = models.ForeignKey(PopulationTable, on_delete=models.PROTECT, related_name="services")
    areas = models.JSONField(default=list)
