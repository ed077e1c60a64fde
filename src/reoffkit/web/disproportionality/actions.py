"""The only writes of the disproportionality tool: loading a population table and choosing the
areas a service's population is made of. Each is one transaction and audited."""

from __future__ import annotations

from django.db import transaction

from reoffkit.reference.population import PopulationTable as Table
from reoffkit.web.disproportionality.models import PopulationFigure, PopulationTable, ServicePopulation
from reoffkit.web.tracker.actions import audit
from reoffkit.web.tracker.models import AuditEvent, Service

SHIPPED_BY = "shipped with reoffkit"


def _figures(record: PopulationTable, table: Table) -> list[PopulationFigure]:
    return [
        PopulationFigure(
            table=record, area_code=row.area_code or "", area=row.area, area_type=row.area_type or "", ethnic_group=row.group,
            sex=row.sex, count=row.count, row=row.row, year=row.year, source=(row.source or "")[:300],
        )
        for row in table.rows
    ]


@transaction.atomic
def load_population_table(*, by, table: Table, name: str, file_name: str) -> PopulationTable:
    """Save a table read (and checked whole) by :mod:`reoffkit.reference.population`; audited."""
    record = PopulationTable.objects.create(name=name[:200], file_name=file_name[:200], scheme=table.scheme, loaded_by=by.get_username())
    PopulationFigure.objects.bulk_create(_figures(record, table))
    audit(
        by=by,
        verb=AuditEvent.Verb.IMPORT,
        object_type="population table",
        object_ids=[record.pk],
        summary=f"Loaded population table {record.pk} from {file_name[:100]}: {len(table.rows)} figures for {len(table.areas)} areas",
    )
    return record


def table_of(record: PopulationTable) -> Table:
    """The saved table as :mod:`reoffkit.reference.population` reads it."""
    from reoffkit.reference.population import PopulationRow

    return Table(
        tuple(
            PopulationRow(f.area_code or None, f.area, f.area_type or None, f.ethnic_group, f.sex, f.count, f.row, record.scheme, f.year, f.source or None)
            for f in record.figures.all()
        )
    )


@transaction.atomic
def set_service_population(*, by, service: Service, table: PopulationTable, areas: list[str]) -> ServicePopulation:
    """The areas (of ``table``) whose population ``service`` works with; audited with the change."""
    table_of(table).rows_of(areas)  # every area must be in the table
    current = ServicePopulation.objects.filter(service=service).first()
    before = {"table": current.table_id, "areas": current.areas} if current else {}
    if current is None:
        current = ServicePopulation(service=service)
    current.table, current.areas = table, list(areas)
    current.save()
    audit(
        by=by,
        verb=AuditEvent.Verb.UPDATE,
        service=service,
        object_type="service population",
        object_ids=[current.pk],
        summary=f"Set the population of service {service.pk}: table {table.pk}, {len(areas)} area(s)",
        changes={"table": [before.get("table"), table.pk], "areas": [before.get("areas"), list(areas)]},
    )
    return current
