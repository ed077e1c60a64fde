"""The only writes of the comparison tool: loading area figures (all or nothing, kept beside earlier
loads) and a service's place among the areas. Each is one transaction and audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from reoffkit.reference.areas import AreaData, AreaFigure, AreaInfo, combine
from reoffkit.web.compare.models import AreaFigureRecord, AreaRecord, FigureLoad, ServiceComparison, StratumRateLoad
from reoffkit.web.tracker.actions import audit
from reoffkit.web.tracker.models import AuditEvent, Service

FIGURE_FIELDS = ("cohort_size", "reoffenders", "reoffences", "binary_rate", "frequency_rate", "first_time_entrants", "custodial_sentences", "population_10_17")


@transaction.atomic
def load_figures(
    *, by, data: AreaData, title: str, publisher: str = "", published: dt.date | None = None, address: str = "", file_name: str = "",
    shipped: bool = False,
) -> FigureLoad:
    """Save figures and areas read (and checked whole) by :mod:`reoffkit.reference.areas` as a new
    load with its source; earlier loads stay. All or nothing; audited."""
    load = FigureLoad.objects.create(
        title=title[:300], publisher=publisher[:200], published=published, address=address[:500], file_name=file_name[:200],
        shipped=shipped, synthetic=data.synthetic, loaded_by=getattr(by, "get_username", lambda: str(by))(),
    )
    AreaRecord.objects.bulk_create(
        [AreaRecord(load=load, area_code=a.area_code, area_name=a.area_name, area_type=a.area_type, region=a.region or "",
                    pcc_area=a.pcc_area or "", family=list(a.family), lower_tier=list(a.lower_tier)) for a in data.areas],
        batch_size=1000,
    )
    AreaFigureRecord.objects.bulk_create(
        [AreaFigureRecord(load=load, area_code=f.area_code, area_name=f.area_name, area_type=f.area_type, cohort_basis=f.cohort_basis,
                          period_start=f.period_start, period_end=f.period_end, source=f.source[:500],
                          **{name: getattr(f, name) for name in FIGURE_FIELDS}) for f in data.figures],
        batch_size=1000,
    )
    audit(
        by=by, verb=AuditEvent.Verb.IMPORT, object_type="area figures", object_ids=[load.pk],
        summary=f"Loaded area figures {load.pk} ({'SYNTHETIC, ' if data.synthetic else ''}{title[:120]}): {len(data.figures)} figures, {len(data.areas)} areas",
    )
    return load


def data_of(load: FigureLoad) -> AreaData:
    figures = tuple(
        AreaFigure(r["area_code"], r["area_name"], r["area_type"], r["cohort_basis"], r["period_start"], r["period_end"],
                   **{name: r[name] for name in FIGURE_FIELDS}, source=r["source"])
        for r in load.figures.values("area_code", "area_name", "area_type", "cohort_basis", "period_start", "period_end", "source", *FIGURE_FIELDS)
    )
    areas = tuple(
        AreaInfo(a.area_code, a.area_name, a.area_type, a.region or None, a.pcc_area or None, tuple(a.family), tuple(a.lower_tier))
        for a in load.areas.all()
    )
    return AreaData(figures, areas)


def all_data(*, synthetic: bool) -> AreaData:
    """The real loads, or the SYNTHETIC ones — never the two together — combined in the order
    loaded: a later figure is shown and the earlier kept as a revision."""
    return combine(*(data_of(load) for load in FigureLoad.objects.filter(synthetic=synthetic)))


def loads_signature(figures: list[int]) -> str:
    """Changes whenever a load of area figures or of stratum rates is added or removed (part of the
    page's cache key). ``figures``: the loads of area figures' ids in the model's order."""
    figures = ",".join(str(pk) for pk in figures)
    return f"{figures}|strata:{StratumRateLoad.objects.order_by('-pk').values_list('pk', flat=True).first() or ''}"


@transaction.atomic
def load_stratum_rates(*, by, rates, title: str, publisher: str = "", published: dt.date | None = None, address: str = "", file_name: str = "") -> StratumRateLoad:
    """Save national rates by stratum read (and checked whole) by
    :func:`reoffkit.reference.areas.read_stratum_rates` as a new load with its source; earlier loads
    stay, the newest is used. Audited."""
    load = StratumRateLoad.objects.create(
        title=title[:300], publisher=publisher[:200], published=published, address=address[:500], file_name=file_name[:200],
        rates=rates.to_dicts(), loaded_by=getattr(by, "get_username", lambda: str(by))(),
    )
    audit(
        by=by, verb=AuditEvent.Verb.IMPORT, object_type="stratum rates", object_ids=[load.pk],
        summary=f"Loaded national rates by stratum {load.pk} ({title[:120]}): {rates.height} strata",
    )
    return load


def stratum_rates():
    """The newest load of national rates by stratum as a frame (None when none is loaded)."""
    import polars as pl

    load = StratumRateLoad.objects.order_by("-pk").first()
    if load is None or not load.rates:
        return None
    return pl.DataFrame(load.rates, schema={"age_at_index": pl.Int64, "sex": pl.String, "tier": pl.String, "binary_rate": pl.Float64,
                                            "frequency_rate": pl.Float64, "source": pl.String})


@transaction.atomic
def set_service_comparison(*, by, service: Service, area_code: str, rag_against: str) -> ServiceComparison:
    current = ServiceComparison.objects.filter(service=service).first()
    before = {"area_code": current.area_code, "rag_against": current.rag_against} if current else {}
    current = current or ServiceComparison(service=service)
    current.area_code, current.rag_against = area_code[:40], rag_against[:80]
    current.save()
    audit(
        by=by, verb=AuditEvent.Verb.UPDATE, service=service, object_type="service comparison", object_ids=[current.pk],
        summary=f"Set service {service.pk}'s area in the national figures and its RAG comparator",
        changes={"area_code": [before.get("area_code"), area_code], "rag_against": [before.get("rag_against"), rag_against]},
    )
    return current
