"""Retrospective analysis of a completed cohort: the lines of enquiry (docs/rules.md §10), each as a section
with its tables, charts, one finding computed from the data, and what the service could do next.

Used by the analysis page and ``reoffkit analyse``. Pure (no Django): frames in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import polars as pl

from reoffkit import charts as ch
from reoffkit.charts import analysis as analysis_charts
from reoffkit import reference as ref
from reoffkit.engine import CountingRules, Period, entry_table, further_offences, measures_by
from reoffkit.engine import analysis as stats
from reoffkit.engine import codes
from reoffkit.engine.performance import two_proportion_test
from reoffkit.disclosure import coarsen_curve, is_small, protect, withheld_cells
from reoffkit.disclosure import blank as blank_cells

SIGNIFICANCE = 0.05
#: RAG thresholds for the share of children who turned 18 in follow-up whose adult offending was
#: checked with the police (green at or above the first, amber at or above the second).
POLICE_CHECK_GREEN = 0.95
POLICE_CHECK_AMBER = 0.80

#: The toolkit's assessment and improvement areas, in our words (docs/rules.md §10).
ENQUIRIES: dict[int, str] = {
    1: "Accuracy of assessments and levels of intervention",
    2: "Higher reoffending in particular age, sex or ethnic groups, or among looked-after children",
    3: "Changing characteristics of the cohort, and the seriousness of its offending",
    4: "Finding the potentially prolific early",
    5: "Which disposals have the highest reoffending",
    6: "Hotspots within the area",
    7: "Resettlement after custody",
    8: "Children in the cohort but not on the YOT caseload",
}


@dataclass
class Section:
    key: str
    title: str
    enquiry: int
    finding: str
    next_step: str
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    charts: list[ch.Chart] = field(default_factory=list)
    #: the counts the finding quotes: it is withheld from board viewers if any is small
    counts: tuple[int, ...] = ()
    #: the cells of the tables the finding quotes, as (breakdown, group): withheld with them
    cells: tuple[tuple[str, str], ...] = ()
    #: a page of reoffkit the next step points to, as (URL name, words)
    see_also: tuple[str, str] | None = None

    @property
    def enquiry_title(self) -> str:
        return f"Line of enquiry {self.enquiry}: {ENQUIRIES[self.enquiry]}"


@dataclass
class AnalysisReport:
    areas: tuple[str, ...]
    period: Period
    as_at: dt.date
    rules: CountingRules
    complete: bool
    cohort: dict
    sections: list[Section]
    data_quality: pl.DataFrame
    data_quality_finding: str

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def findings(self) -> list[dict]:
        return [
            {"section": s.title, "enquiry": s.enquiry_title, "finding": s.finding, "next_step": s.next_step}
            for s in self.sections
        ] + [{"section": "Data quality", "enquiry": "Data quality", "finding": self.data_quality_finding, "next_step": DATA_QUALITY_STEP}]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _interval(row: dict) -> str:
    return f"{_percent(row['binary_ci_low'])}–{_percent(row['binary_ci_high'])}"


#: Words for the codes a breakdown groups by (others are shown as they are).
GROUP_WORDS: dict[str, dict[str, str]] = {
    "tier": codes.TIER_LABELS,
    "index_disposal": {code: t.label for code, t in codes.outcome_type_table().items()},
    "yot_caseload": {"true": "yes", "false": "no"},
    "likelihood_band": {"not assessed": "not assessed"},
}
TOOL_WORDS = {"asset": "Asset", "assetplus": "AssetPlus"}


def plain(by: str, value) -> str | None:
    """The words for a code of breakdown ``by`` (a code without words is shown as it is)."""
    if value is None:
        return None
    return GROUP_WORDS.get(by, {}).get(str(value), str(value))


#: Groups with a natural order are shown in it (others alphabetically).
GROUP_ORDER: dict[str, list[str]] = {
    "likelihood_band": ["low", "medium", "high", "not assessed"],
    "intervention_level": ["standard", "enhanced", "intensive", "not assessed"],
    "tier": ["pre_court", "first_tier", "community", "custody"],
}


def _labelled(entries: pl.DataFrame, breakdowns: dict[str, str]) -> pl.DataFrame:
    """Profiles of several breakdowns stacked, each row labelled "Sex: female"."""
    parts = []
    for by, words in breakdowns.items():
        table = stats.profile(entries, by)
        if by in GROUP_ORDER:
            rank = {group: position for position, group in enumerate(GROUP_ORDER[by])}
            table = table.sort(pl.col("group").replace_strict(rank, default=len(rank), return_dtype=pl.Int32), "group")
        table = table.with_columns(pl.col("group").replace(GROUP_WORDS.get(by, {})).fill_null("not recorded"))
        parts.append(table.with_columns(breakdown=pl.lit(words), label=pl.lit(f"{words}: ") + pl.col("group")))
    return pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame()


def _standout(table: pl.DataFrame, cohort: dict, what: str) -> tuple[str, tuple[int, ...], tuple[tuple[str, str], ...]]:
    """The groups (of at least SMALL_GROUP children, rate shown) with the highest and the lowest
    binary rate in ``table`` — the same table the chart is drawn from — the highest tested against
    the rest of the cohort. Smaller groups are greyed on the chart and never named here."""
    size, reoffenders = cohort["cohort_size"], cohort["reoffenders"]
    overall = reoffenders / size if size else None
    candidates = table.filter(~pl.col("small") & pl.col("binary_rate").is_not_null()).sort("binary_rate", descending=True, maintain_order=True)
    small = table.filter(pl.col("small")).height
    if candidates.is_empty() or overall is None:
        return f"No {what} has {stats.SMALL_GROUP} or more children, so no group can be compared reliably", (), ()
    top, bottom = candidates.row(0, named=True), candidates.row(candidates.height - 1, named=True)
    p_value = two_proportion_test(top["reoffenders"], top["cohort_size"], reoffenders - top["reoffenders"], size - top["cohort_size"])
    verdict = (
        "too few to test against the rest"
        if p_value is None
        else ("a significant difference" if p_value < SIGNIFICANCE else "not a significant difference")
        + f" (p = {p_value:.2f})"
    )
    finding = (
        f"{top['label']} had the highest binary rate: {_percent(top['binary_rate'])} ({_interval(top)}, {top['cohort_size']} children) "
        f"against {_percent(overall)} for the whole cohort — {verdict}"
    )
    if candidates.height > 1:
        finding += f"; the lowest was {bottom['label']} ({_percent(bottom['binary_rate'])}, {bottom['cohort_size']} children)"
    if small:
        finding += f" ({small} group{' is' if small == 1 else 's are'} under {stats.SMALL_GROUP} children: greyed, not compared)"
    quoted = tuple((row["breakdown"], row["group"]) for row in (top, bottom))
    return finding, (top["cohort_size"], top["reoffenders"]), quoted


DATA_QUALITY_STEP = (
    "Check adult offending with the police for every child who turns 18 during follow-up, and fill in "
    "missing ethnicity, district and assessments: gaps hide who reoffends."
)


def analysis_report(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    assessments: pl.DataFrame | None,
    *,
    areas: list[str],
    period: Period,
    as_at: dt.date,
    rules: CountingRules = CountingRules(),
    group_by: str = "tier",
    resettlement: pl.DataFrame | None = None,
    police_check: tuple[float, float] = (POLICE_CHECK_GREEN, POLICE_CHECK_AMBER),
    figures: list | None = None,
) -> AnalysisReport:
    """Every section of the analysis of ``period`` for the services named ``areas``."""
    entries = entry_table(people, outcomes, assessments, period=period, rules=rules, as_at=as_at)
    offences = further_offences(entries, outcomes, rules=rules, as_at=as_at)
    reoffenders = int((entries["further_offences"] > 0).sum())
    total = int(entries["further_offences"].sum())
    overall = reoffenders / entries.height if entries.height else None
    cohort = {"cohort_size": entries.height, "reoffenders": reoffenders, "reoffences": total, "binary_rate": overall}
    basis = "annual_12m_old_method" if period.method == "annual_12m_old_method" else ("quarter" if period.quarters == 1 else "aggregated_quarters")
    national = ref.national(ref.default_reference() if figures is None else figures, basis, "binary_rate") if period.quarters in (1, 4) else None
    comparator = {"rate": national.binary_rate, "label": f"national ({national.area}, {national.period_label})", "source": national.source} if national else None
    sections = [
        _demographics(entries, overall, comparator),
        _hotspots(entries, overall, comparator),
        _disposals(entries, overall, comparator),
        _caseload(entries),
        _spread(entries, rules),
        _time_to_first(entries, group_by),
        _assessment(entries, rules),
        _seriousness(entries, offences),
        _resettlement(entries, overall, resettlement),
    ]
    quality, quality_finding = _data_quality(entries, people, police_check)
    cohort["national"] = comparator
    return AnalysisReport(
        tuple(areas), period, as_at, rules, as_at >= period.follow_up_complete_on(rules), cohort, sections, quality, quality_finding
    )


def _cohort_of(entries: pl.DataFrame) -> dict:
    return {"cohort_size": entries.height, "reoffenders": int((entries["further_offences"] > 0).sum())}


def _profile_section(key, title, enquiry, entries, breakdowns, overall, what, next_step, comparator=None) -> Section:
    table = _labelled(entries, breakdowns)
    finding, counts, cells = _standout(table, _cohort_of(entries), what)
    chart = ch.rates_chart(key, table, finding, national=comparator and comparator["rate"], national_label=comparator and comparator["label"])
    return Section(key, title, enquiry, finding, next_step, {key: table}, [chart], counts, cells)


def _demographics(entries, overall, comparator=None) -> Section:
    section = _profile_section(
        "profile", "Who reoffended: age, sex, ethnicity and looked-after children", 2, entries,
        {"age_group": "Age", "sex": "Sex", "ethnicity": "Ethnicity", "looked_after": "Looked after"},
        overall, "group",
        "Where a group reoffends significantly more, review what the service offers that group — programmes, "
        "allocation of case workers, and what the children themselves say — and compare each ethnic group with "
        "the local population of 10–17 year olds in the ethnic disproportionality analysis.",
        comparator,
    )
    section.see_also = ("disproportionality", "Ethnic disproportionality at every stage")
    return section


def _hotspots(entries, overall, comparator=None) -> Section:
    section = _profile_section(
        "districts", "Hotspots: reoffending by district", 6, entries, {"district": "District"}, overall, "district",
        "Look at what differs in a hotspot district — policing, services, deprivation, or practice — and "
        "consider moving resources or spreading practice from districts doing better.",
        comparator,
    )
    return section


def _disposals(entries, overall, comparator=None) -> Section:
    return _profile_section(
        "disposals", "Which disposals have the highest reoffending", 5, entries,
        {"tier": "Tier", "index_disposal": "Disposal"}, overall, "disposal",
        "Compare each disposal's reoffending with national and regional figures; for custody, look at "
        "resettlement (below); for out-of-court disposals, at how quickly children are engaged.",
        comparator,
    )


def _caseload(entries) -> Section:
    table = _labelled(entries, {"yot_caseload": "On the YOT caseload"})
    off = stats.concentration(entries, pl.col("yot_caseload").fill_null(True).not_())
    finding = (
        f"Children not on the YOT caseload were {_percent(off.share_of_cohort)} of the cohort ({off.children} {'child' if off.children == 1 else 'children'}) "
        f"and committed {_percent(off.share_of_reoffences)} of all further offences"
    )
    chart = ch.rates_chart("caseload", table, finding)
    return Section(
        "caseload", "Children in the cohort but not on the YOT caseload", 8, finding,
        "Agree with partners (youth support, voluntary sector) who offers support to children likely to "
        "reoffend who are not, or no longer, on the caseload — and track them in the live tracker.",
        {"caseload": table}, [chart], (off.children, off.reoffences), (("On the YOT caseload", "no"),),
    )


def _spread(entries, rules) -> Section:
    distribution = stats.offence_count_distribution(entries)
    prolific = stats.concentration(entries, pl.col("further_offences") >= rules.prolific_threshold)
    finding = (
        f"{prolific.children} {'child' if prolific.children == 1 else 'children'} ({_percent(prolific.share_of_cohort)} of the cohort) committed "
        f"{_percent(prolific.share_of_reoffences)} of all further offences, with {rules.prolific_threshold} or more each"
    )
    pareto = stats.pareto(entries)
    charts = [
        ch.bars_chart("distribution", distribution.with_columns(pl.col("further_offences").cast(pl.String)), category="further_offences",
                      value="children", title=f"Children by number of further offences ({entries.height} in the cohort)", axis_title="Children"),
    ]
    if pareto.height:
        charts.append(analysis_charts.pareto_chart(pareto, finding))
    return Section(
        "spread", "How reoffending is spread: the prolific few", 4, finding,
        "Review the prolific children's cases: when their reoffending started, what intervention they had, and "
        "whether a re-assessment or a change of intervention came soon enough.",
        {"distribution": distribution, "pareto": pareto}, charts, (prolific.children, prolific.reoffences),
    )


def _time_to_first(entries, group_by) -> Section:
    overall = stats.time_to_first(entries)
    grouped = stats.time_to_first(entries, group_by).with_columns(pl.col("group").replace(GROUP_WORDS.get(group_by, {})))
    median = stats.median_days(overall)
    reoffenders = entries.filter(pl.col("further_offences") > 0).height
    within = {m: entries.filter(stats.first_within(m)).height for m in (1, 2, 3)}
    early = stats.concentration(entries, stats.first_within(3))
    finding = (
        f"Children who first reoffended within 3 months committed {_percent(early.share_of_reoffences)} of all further offences"
        + (f"; half of all children who reoffended had done so by day {median}" if median else "")
    )
    shares = pl.DataFrame(
        {
            "within_months": [1, 2, 3],
            "reoffenders": [within[m] for m in (1, 2, 3)],
            "share_of_reoffenders": [within[m] / reoffenders if reoffenders else None for m in (1, 2, 3)],
        }
    )
    return Section(
        "time", "Time to the first further offence", 4, finding,
        "Engage children in the first weeks after they enter the cohort, and re-assess at once anyone who reoffends "
        "early: the early reoffenders commit most of the further offending.",
        {"within_months": shares, "curve": overall, "curve_by_group": grouped},
        [analysis_charts.survival_chart(overall, finding), analysis_charts.survival_chart(grouped, f"Time to first further offence by {group_by.replace('_', ' ')}", name="time-by-group")],
        (early.children, early.reoffences),
    )


def _assessment(entries, rules) -> Section:
    banded = stats.with_score_band(entries)
    by_band = _labelled(banded, {"likelihood_band": "Likelihood", "intervention_level": "Intervention"})
    by_score = stats.profile(banded.with_columns(likelihood_band=pl.col("score_band")), "likelihood_band").with_columns(
        breakdown=pl.lit("Score band"), label=pl.lit("Score: ") + pl.col("group")
    )
    # the same by sex and by ethnicity: reoffending per likelihood band within each group
    by_band_and_group = pl.concat(
        [
            measures_by(entries, [group, "likelihood_band"]).rename({group: "group"}).with_columns(by=pl.lit(group), group=pl.col("group").cast(pl.String))
            for group in ("sex", "ethnicity")
        ],
        how="vertical_relaxed",
    ).select("by", "group", "likelihood_band", *[c for c in ("cohort_size", "reoffenders", "reoffences", "binary_rate", "binary_ci_low", "binary_ci_high", "frequency_rate")])
    tools = pl.col("tool").replace(TOOL_WORDS)
    auc = stats.discrimination(entries).with_columns(tools)
    auc_by = pl.concat([stats.discrimination(entries, "ethnicity").with_columns(by=pl.lit("ethnicity")), stats.discrimination(entries, "sex").with_columns(by=pl.lit("sex"))]).with_columns(tools)
    calibration = stats.calibration(entries)
    few = stats.critical_few(entries, prolific_threshold=rules.prolific_threshold).with_columns(pl.col("index_disposal").replace(GROUP_WORDS["index_disposal"]))
    scored = auc.filter(pl.col("auc").is_not_null()).sort("children", descending=True)
    if scored.height:
        best = scored.row(0, named=True)
        tool = best["tool"]
        finding = (
            f"{tool} scores ranked reoffenders above non-reoffenders with an AUC of {best['auc']:.2f} "
            f"({best['auc_ci_low']:.2f}–{best['auc_ci_high']:.2f}; 0.5 is chance); {few.height} critical-few case"
            f"{'' if few.height == 1 else 's'} to audit"
        )
    else:
        finding = f"Too few scored assessments to measure their accuracy; {few.height} critical-few cases to audit"
    charts = [ch.rates_chart("assessment", pl.concat([by_band, by_score], how="vertical_relaxed"), finding)]
    if calibration.height:
        charts.append(analysis_charts.calibration_chart(calibration, "Predicted (YOGRS) against observed reoffending by score band"))
    return Section(
        "assessment", "Accuracy of assessments and intervention levels", 1, finding,
        "Audit the critical few: prolific children on standard or enhanced intervention, and children on "
        "intensive intervention who did not reoffend — was the assessment right, and was the intervention?",
        {"by_band": by_band, "by_score": by_score, "by_band_and_group": by_band_and_group, "auc": auc, "auc_by_group": auc_by,
         "calibration": calibration, "critical_few": few},
        charts, (few.height,),
    )


def _seriousness(entries, offences) -> Section:
    table = stats.seriousness(entries, offences)
    gravity = stats.gravity_table(entries, offences)
    more = table.filter(pl.col("comparison") == "more serious").row(0, named=True)
    known = table.filter(pl.col("comparison") != "not known")["reoffenders"].sum()
    finding = f"{_percent(more['reoffenders'] / known if known else None)} of reoffenders committed a further offence more serious than the one that brought them into the cohort"
    return Section(
        "seriousness", "Seriousness of further offences", 3, finding,
        "Look at the escalating cases: what changed after entry, and whether reviews noticed it.",
        {"seriousness": table, "gravity": gravity},
        [ch.bars_chart("seriousness", table, category="comparison", value="reoffenders", title=finding, axis_title="Reoffenders",
                       subtitle="Most serious further offence (YJB gravity 1–8) against the index offence.")],
        (more["reoffenders"],),
    )


FACTOR_WORDS = {
    "accommodation_in_place": "Accommodation in place", "accommodation_sustained": "Accommodation sustained",
    "ete_in_place": "ETE in place", "ete_sustained": "ETE sustained",
    "health_in_place": "Health arrangements in place", "health_sustained": "Health arrangements sustained",
}


def _resettlement(entries, overall, resettlement: pl.DataFrame | None = None) -> Section:
    custody = entries.filter(pl.col("tier") == "custody")
    if custody.is_empty():
        finding = "No child in this cohort entered it on release from custody"
        return Section("resettlement", "Resettlement after custody", 7, finding, RESETTLEMENT_STEP, {}, [])
    reoffended = int((custody["further_offences"] > 0).sum())
    curve = stats.time_to_first(custody)
    median = stats.median_days(curve)
    finding = (
        f"{reoffended} of {custody.height} children released from custody reoffended ({_percent(reoffended / custody.height)}, "
        f"against {_percent(overall)} for the whole cohort)" + (f"; half had by day {median}" if median else "")
    )
    tables = {"custody": stats.profile(custody, "index_disposal").with_columns(pl.col("group").replace(GROUP_WORDS["index_disposal"])), "curve": curve}
    charts = [analysis_charts.survival_chart(curve, finding, name="resettlement")]
    if resettlement is not None:
        records = resettlement.select("person_id", pl.col("release_date").alias("index_date"), *FACTOR_WORDS)
        joined = custody.join(records, on=["person_id", "index_date"], how="left")
        recorded = joined.filter(pl.col("accommodation_in_place").is_not_null()).height
        parts = []
        for factor, words in FACTOR_WORDS.items():
            table = stats.profile(joined.with_columns(district=pl.col(factor).fill_null("not recorded")), "district")
            parts.append(table.with_columns(breakdown=pl.lit(words), label=pl.lit(f"{words}: ") + pl.col("group")))
        factors = pl.concat(parts, how="vertical_relaxed")
        tables["by_arrangement"] = factors
        finding += f"; {recorded} of {custody.height} releases have a resettlement record"
        if recorded:
            charts.append(ch.rates_chart("arrangements", factors, "Reoffending after release by resettlement arrangement"))
    return Section(
        "resettlement", "Resettlement after custody", 7, finding, RESETTLEMENT_STEP, tables, charts, (reoffended, custody.height),
        (("Tier", codes.TIER_LABELS["custody"]),),
    )


RESETTLEMENT_STEP = (
    "Check that accommodation, education or work, and health arrangements were in place on release and "
    "lasted; plan resettlement with the secure estate before release."
)


def _data_quality(entries: pl.DataFrame, people: pl.DataFrame, police_check: tuple[float, float]) -> tuple[pl.DataFrame, str]:
    turned = entries.filter(pl.col("turns_18_in_follow_up"))
    checked_column = "adult_offending_checked" in people.columns
    checked = 0
    if checked_column and turned.height:
        flags = people.select("person_id", "adult_offending_checked")
        checked = int(turned.join(flags, on="person_id", how="left")["adult_offending_checked"].fill_null(False).sum())
    share = checked / turned.height if turned.height else None
    green, amber = police_check
    rag = "green" if share is None or share >= green else "amber" if share >= amber else "red"
    table = pl.DataFrame(
        {
            "check": [
                "Turned 18 during follow-up: adult offending checked with the police",
                "Ethnicity not known",
                "District missing",
                "No assessment at entry",
                "Date of birth missing (children who cannot be placed in a cohort)",
            ],
            "children": [turned.height, entries.filter(pl.col("ethnicity").is_null() | (pl.col("ethnicity") == "Not known")).height,
                         entries.filter(pl.col("district").is_null()).height, entries.filter(pl.col("assessment_date").is_null()).height,
                         people.filter(pl.col("date_of_birth").is_null()).height],
            "done": [checked, None, None, None, None],
            "share": [share, None, None, None, None],
            "rating": [rag, None, None, None, None],
        },
        schema_overrides={"done": pl.Int64, "share": pl.Float64, "rating": pl.String},
    )
    if turned.height:
        finding = (
            f"Adult offending was checked with the police for {checked} of the {turned.height} children who turned 18 during "
            f"follow-up ({_percent(share)}: {rag})"
        )
    else:
        finding = "No child turned 18 during follow-up"
    missing = table["children"][1:4].sum()
    finding += f"; {missing} gaps in ethnicity, district or assessment at entry"
    return table, finding


#: Bands of further offences per child in the distribution shown outside the service.
BOARD_BANDS = ((0, 0, "0"), (1, 1, "1"), (2, 4, "2–4"), (5, 9, "5–9"), (10, None, "10 or more"))
#: Tables and charts never shown outside the service: a row or bar per child, groups within
#: groups, or figures (exact days, months) that would single a child out.
NOT_FOR_BOARD = ("pareto", "critical_few", "curve_by_group", "time-by-group", "by_band_and_group", "auc_by_group", "calibration", "within_months")
_COUNTS = ("cohort_size", "reoffenders", "reoffences")


def _board_cells(report: AnalysisReport) -> tuple[dict, list, set]:
    """Every count of the breakdown tables, keyed ``(breakdown, group, count)``, how they add up
    (each breakdown to the cohort; disposals to their tier; resettlement arrangements and custody
    disposals to the custody tier; tools to their score bands), and the cohort's totals (shown)."""
    cells: dict = {}
    relations: list = []
    fixed = {("cohort", "cohort", c) for c in _COUNTS}
    for c in _COUNTS:
        cells[("cohort", "cohort", c)] = report.cohort[c]
    tier_of = {t.label: codes.TIER_LABELS[t.tier] for t in codes.outcome_type_table().values()}
    for section in report.sections:
        for name, table in section.tables.items():
            if "breakdown" not in table.columns or name in NOT_FOR_BOARD:
                continue
            whole = ("cohort", "cohort") if name != "by_arrangement" else ("Tier", codes.TIER_LABELS["custody"])
            for breakdown, rows in table.group_by("breakdown", maintain_order=True):
                for c in _COUNTS:
                    parts = []
                    for row in rows.iter_rows(named=True):
                        cells[(breakdown[0], row["group"], c)] = row[c]
                        parts.append((breakdown[0], row["group"], c))
                    relations.append([*parts, (*whole, c)])
    for c in _COUNTS:
        tiers: dict = {}
        for (breakdown, group, count) in list(cells):
            if breakdown == "Disposal" and count == c and group in tier_of:
                tiers.setdefault(tier_of[group], []).append((breakdown, group, c))
        relations += [[*parts, ("Tier", tier, c)] for tier, parts in tiers.items()]
    auc = next((s.tables["auc"] for s in report.sections if "auc" in s.tables), None)
    if auc is not None:
        for row in auc.iter_rows(named=True):
            for c, column in (("cohort_size", "children"), ("reoffenders", "reoffenders")):
                cells[("Tool", row["tool"], c)] = row[column]
                bands = [k for k in cells if k[0] == "Score band" and k[2] == c and str(k[1]).startswith("Asset " if row["tool"] == TOOL_WORDS["asset"] else "YOGRS")]
                relations.append([*bands, ("Tool", row["tool"], c)])
    return cells, relations, fixed


def _band_distribution(table: pl.DataFrame, size: int) -> pl.DataFrame:
    rows = []
    for low, high, label in BOARD_BANDS:
        chosen = table.filter(pl.col("further_offences") >= low, True if high is None else pl.col("further_offences") <= high)
        children = int(chosen["children"].sum())
        rows.append({"further_offences": label, "children": children, "share_of_children": children / size if size else None})
    return pl.DataFrame(rows, schema={"further_offences": pl.String, "children": pl.Int64, "share_of_children": pl.Float64})


def for_board(report: AnalysisReport, threshold: int) -> AnalysisReport:
    """Aggregates only, for people who may not see children's records, through
    :mod:`reoffkit.disclosure`: no list of children, no chart with a bar per child or a curve by
    the day; every count under ``threshold``, every cell that would give one away (each breakdown
    adds up to the cohort, disposals to their tier, four bands of offences to the whole), and every
    rate or share made from them withheld, the same cell in every table; curves in monthly steps of
    at least ``threshold`` children; findings from the tables as shown, or withheld when they would
    quote a withheld count."""
    cells, relations, fixed = _board_cells(report)
    hidden = withheld_cells(cells, relations, threshold, fixed=fixed)
    message = f"Not shown: it would rest on a count under {threshold}"
    national = report.cohort.get("national") or {}
    sections = []
    for section in report.sections:
        tables = {}
        for name, table in section.tables.items():
            if name in NOT_FOR_BOARD:
                continue
            if name == "custody":
                table = table.with_columns(breakdown=pl.lit("Disposal"))
            if "breakdown" in table.columns and all(c in table.columns for c in _COUNTS):
                marked = [(i, c) for i, row in enumerate(table.iter_rows(named=True)) for c in _COUNTS if (row["breakdown"], row["group"], c) in hidden]
                shown = blank_cells(table, marked)
                tables[name] = shown.drop("breakdown") if name == "custody" else shown
            elif name == "auc":
                marked = [(i, column) for i, row in enumerate(table.iter_rows(named=True)) for c, column in (("cohort_size", "children"), ("reoffenders", "reoffenders"))
                          if ("Tool", row["tool"], c) in hidden]
                tables[name] = blank_cells(table, marked, derived={"auc": ("children", "reoffenders"), "auc_ci_low": ("children", "reoffenders"), "auc_ci_high": ("children", "reoffenders")})
            elif name == "distribution":
                tables[name] = protect(_band_distribution(table, report.cohort["cohort_size"]), counts=["children"], within=True, threshold=threshold)
            elif name == "seriousness":
                tables[name] = protect(table, counts=["reoffenders"], derived={"share": ("reoffenders",)}, within=True, threshold=threshold)
            elif name == "gravity":
                tables[name] = protect(table, counts=["index_offences", "further_offences"], within=True, threshold=threshold)
            elif name == "curve":
                tables[name] = coarsen_curve(table, threshold=threshold)
            else:
                tables[name] = table
        quoted = [key for key in section.cells]
        finding = section.finding
        if any(is_small(count, threshold) for count in section.counts) or any((*key, c) in hidden for key in quoted for c in _COUNTS):
            finding = message
        if section.key in ("profile", "districts", "disposals"):
            finding, _, _ = _standout(tables[section.key], report.cohort, {"profile": "group", "districts": "district", "disposals": "disposal"}[section.key])
        if section.key == "spread":
            bands = tables["distribution"]
            if any(v is None for v in bands.filter(pl.col("further_offences").is_in(["5–9", "10 or more"]))["children"].to_list()):
                finding = message
        charts = []
        for chart in section.charts:
            if chart.name in NOT_FOR_BOARD:
                continue
            source = tables.get(chart.name)
            if source is not None and "label" in source.columns:
                charts.append(ch.rates_chart(chart.name, source, finding, national=national.get("rate"), national_label=national.get("label", "")))
            elif chart.name in ("time-to-first", "resettlement"):
                curve = tables.get("curve")
                if curve is not None and curve.height > 1:
                    charts.append(analysis_charts.survival_chart(curve, finding, name=chart.name, subtitle=analysis_charts.COARSE_SUBTITLE))
            elif chart.name == "distribution":
                charts.append(ch.bars_chart("distribution", tables["distribution"], category="further_offences", value="children",
                                            title=f"Children by number of further offences ({report.cohort['cohort_size']} in the cohort)", axis_title="Children"))
            elif chart.name == "seriousness":
                charts.append(ch.bars_chart("seriousness", tables["seriousness"], category="comparison", value="reoffenders", title=finding, axis_title="Reoffenders",
                                            subtitle="Most serious further offence (YJB gravity 1–8) against the index offence."))
        sections.append(replace(section, tables=tables, charts=charts, finding=finding))
    quality = report.data_quality
    same = {"Ethnicity not known": ("Ethnicity", "Not known"), "District missing": ("District", "not recorded"), "No assessment at entry": ("Likelihood", "not assessed")}
    marked = []
    for i, row in enumerate(quality.iter_rows(named=True)):
        key = same.get(row["check"])
        if is_small(row["children"], threshold) or (key and (*key, "cohort_size") in hidden):
            marked.append((i, "children"))
        if row["done"] is not None and (is_small(row["done"], threshold) or is_small((row["children"] or 0) - row["done"], threshold)):
            marked.append((i, "done"))
    quality = blank_cells(quality, marked, derived={"share": ("children", "done"), "rating": ("children", "done")}).drop("suppressed")
    quality_finding = report.data_quality_finding
    if quality["done"][0] is None and report.data_quality["done"][0] is not None:
        quality_finding = message
    return replace(report, sections=sections, data_quality=quality, data_quality_finding=quality_finding)
