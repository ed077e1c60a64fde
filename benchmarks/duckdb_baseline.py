"""The counting rules in DuckDB SQL, independently of the engine: the benchmark's second baseline.

The same rules as :mod:`pandas_baseline` (docs/rules.md §1–§5, default settings), as
one SQL script over three tables ``people``, ``outcomes`` and ``assessments``: the entry table, then
every service × quarter × field × group and the aggregated period (quarter ``all``) with
``GROUPING SETS``. ``read_and_check`` loads a CSV folder (DuckDB's own CSV reader, typed) or an
.xlsx workbook (read by python-calamine: DuckDB's excel extension is downloaded at run time, which
this machine cannot do) and makes the same checks as the pandas baseline's, in SQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pandas_baseline import ALL_QUARTERS, CROSS, DATES, NEEDED, CaseFileProblems

LABELS = {
    "sex": "coalesce(sex, 'not known')",
    "age": "CAST(age_at_index AS VARCHAR)",
    "age_group": "CASE WHEN age_at_index <= 14 THEN '10-14' ELSE '15-17' END",
    "ethnicity": "coalesce(ethnicity, 'Not known')",
    "looked_after": "CASE looked_after WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'not known' END",
    "district": "coalesce(district, 'not known')",
    "yot_caseload": "CASE yot_caseload WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'not known' END",
    "tier": "tier",
    "index_disposal": "outcome_type",
    "intervention_level": "coalesce(intervention_level, 'not assessed')",
    "likelihood_band": "coalesce(likelihood_band, 'not assessed')",
}
TIER_RANK = {"custody": 0, "community": 1, "first_tier": 2, "pre_court": 3}


def connect(threads: int | None = None, memory_limit: str | None = None, temp_directory: Path | None = None) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    if threads:
        connection.execute(f"SET threads = {threads}")
    if memory_limit:
        connection.execute(f"SET memory_limit = '{memory_limit}'")
    if temp_directory:
        connection.execute(f"SET temp_directory = '{temp_directory}'")
    connection.execute("SET preserve_insertion_order = false")
    return connection


def _types_table(connection, outcome_types) -> None:
    rows = ", ".join(
        f"('{t.code}', '{t.tier}', {TIER_RANK[t.tier] if t.tier in TIER_RANK else 'NULL'})" for t in outcome_types
    )
    connection.execute(f"CREATE OR REPLACE TEMP TABLE types AS SELECT * FROM (VALUES {rows}) t(outcome_type, tier, tier_rank)")


def breakdowns_sql(fields) -> str:
    parts = []
    for name, label in [*((f, LABELS[f]) for f in fields), (",".join(CROSS), f"{LABELS[CROSS[0]]} || '|' || {LABELS[CROSS[1]]}")]:
        parts.append(
            f"""
            SELECT coalesce(service, 'not known') AS service, coalesce(quarter, '{ALL_QUARTERS}') AS quarter, '{name}' AS field, grp AS "group",
                   count(*) AS cohort_size, count_if(further_offences > 0) AS reoffenders, sum(further_offences) AS reoffences
            FROM (SELECT service, quarter, further_offences, {label} AS grp FROM entry)
            GROUP BY GROUPING SETS ((service, quarter, grp), (service, grp))"""
        )
    return " UNION ALL ".join(parts)


def all_breakdowns(connection, outcome_types, start: dt.date, end: dt.date, as_at: dt.date, fields, grace_days: int = 90):
    """The counts of every breakdown as an Arrow table (tables ``people``, ``outcomes``,
    ``assessments`` already in ``connection``)."""
    _types_table(connection, outcome_types)
    last = min(end, as_at)
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE entry AS
        WITH events AS (
            SELECT o.person_id, o.outcome_id, o.outcome_type, o.gravity, t.tier, t.tier_rank,
                   CASE WHEN t.tier = 'custody' THEN o.release_date ELSE o.outcome_date END AS index_date
            FROM outcomes o JOIN types t USING (outcome_type)
            WHERE t.tier_rank IS NOT NULL AND NOT coalesce(o.breach, false)
              AND (o.recorded_on IS NULL OR o.recorded_on <= DATE '{as_at}')
        ), aged AS (
            SELECT e.*, p.service, p.sex, p.ethnicity, p.looked_after, p.district, p.yot_caseload,
                   (year(e.index_date) * 10000 + month(e.index_date) * 100 + day(e.index_date)
                    - year(p.date_of_birth) * 10000 - month(p.date_of_birth) * 100 - day(p.date_of_birth)) // 10000 AS age_at_index,
                   year(e.index_date) || 'Q' || quarter(e.index_date) AS quarter
            FROM events e JOIN people p USING (person_id)
            WHERE e.index_date BETWEEN DATE '{start}' AND DATE '{last}'
        )
        SELECT * FROM (
            SELECT * FROM aged
            QUALIFY row_number() OVER (
                PARTITION BY person_id, quarter
                ORDER BY index_date, tier_rank, coalesce(gravity, 0) DESC, outcome_type, outcome_id
            ) = 1
        )
        WHERE age_at_index BETWEEN 10 AND 17  -- the age on the first event decides
        """
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE further AS
        SELECT e.person_id, e.quarter, count(*) AS further_offences
        FROM entry e
        JOIN outcomes o ON o.person_id = e.person_id
        JOIN types t ON t.outcome_type = o.outcome_type
        WHERE t.tier_rank IS NOT NULL AND NOT coalesce(o.breach, false)
          AND o.outcome_date <= DATE '{as_at}'
          AND coalesce(o.recorded_on, o.outcome_date, o.offence_date) <= DATE '{as_at}'
          AND o.offence_date > e.index_date
          AND o.offence_date <= CAST(e.index_date + INTERVAL 12 MONTH AS DATE)
          AND o.outcome_date <= CAST(e.index_date + INTERVAL 18 MONTH AS DATE)
          AND o.outcome_id IS DISTINCT FROM e.outcome_id  -- never the index event itself
        GROUP BY ALL
        """
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE at_entry AS
        SELECT e.person_id, e.quarter, a.likelihood_band, a.intervention_level
        FROM entry e JOIN assessments a ON a.person_id = e.person_id
        WHERE a.assessment_date <= e.index_date + {grace_days}
        QUALIFY row_number() OVER (
            PARTITION BY e.person_id, e.quarter
            ORDER BY a.assessment_date > e.index_date, abs(a.assessment_date - e.index_date),
                     CASE a.intervention_level WHEN 'intensive' THEN 0 WHEN 'enhanced' THEN 1 WHEN 'standard' THEN 2 ELSE 3 END,
                     CASE a.likelihood_band WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END,
                     a.score DESC NULLS LAST, a.tool
        ) = 1
        """
    )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE entry AS
        SELECT e.* EXCLUDE (intervention_level, likelihood_band), x.intervention_level, x.likelihood_band,
               coalesce(f.further_offences, 0) AS further_offences
        FROM (SELECT *, NULL::VARCHAR AS intervention_level, NULL::VARCHAR AS likelihood_band FROM entry) e
        LEFT JOIN at_entry x USING (person_id, quarter)
        LEFT JOIN further f USING (person_id, quarter)
        """
    )
    return connection.sql(breakdowns_sql(fields)).to_arrow_table()


# Reading and checking a case file ---------------------------------------------------------------

TYPES = {
    "people": {"person_id": "VARCHAR", "service": "VARCHAR", "date_of_birth": "DATE", "sex": "VARCHAR", "ethnicity": "VARCHAR",
               "looked_after": "VARCHAR", "district": "VARCHAR", "yot_caseload": "VARCHAR"},
    "outcomes": {"outcome_id": "BIGINT", "person_id": "VARCHAR", "offence_date": "DATE", "outcome_date": "DATE", "outcome_type": "VARCHAR",
                 "release_date": "DATE", "gravity": "DOUBLE", "breach": "VARCHAR", "recorded_on": "DATE"},
    "assessments": {"person_id": "VARCHAR", "assessment_date": "DATE", "tool": "VARCHAR", "score": "DOUBLE",
                    "likelihood_band": "VARCHAR", "intervention_level": "VARCHAR"},
}


def _load_text(connection, source: Path) -> None:
    """Each needed sheet as a table of text columns ``raw_<sheet>``."""
    for sheet, columns in NEEDED.items():
        if source.suffix.lower() == ".xlsx":
            from python_calamine import CalamineWorkbook

            import pyarrow as pa

            rows = CalamineWorkbook.from_path(str(source)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            heading = [str(h) for h in rows[0]]
            body = list(zip(*rows[1:])) if len(rows) > 1 else [() for _ in heading]
            table = pa.table({h: pa.array([None if v == "" else _text(v) for v in values], pa.string()) for h, values in zip(heading, body)})
            connection.register(f"arrow_{sheet}", table)
            source_sql = f"arrow_{sheet}"
        else:
            paths = sorted(source.rglob(f"{sheet}.csv"))  # one folder, or a folder of partitions
            listing = ", ".join(f"'{p}'" for p in paths)
            source_sql = f"read_csv([{listing}], header = true, all_varchar = true, union_by_name = true)"
        present = {row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source_sql}").fetchall()}
        select = ", ".join(
            f"{c}" if c in present else f"NULL::VARCHAR AS {c}" for c in columns  # blank fields are NULL; values are not trimmed
        )
        connection.execute(f"CREATE OR REPLACE TEMP TABLE raw_{sheet} AS SELECT {select} FROM {source_sql}")


def _text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_and_check(connection, source: Path, today: dt.date, outcome_types, vocabularies: dict[str, tuple[str, ...]]) -> None:
    """Load ``people``, ``outcomes`` and ``assessments`` typed and checked (the pandas baseline's
    checks, in SQL); raise :class:`CaseFileProblems` naming each failed check."""
    _load_text(connection, source)
    codes = {"sex": vocabularies["sex"], "ethnicity": vocabularies["ethnicity"], "outcome_type": tuple(t.code for t in outcome_types),
             "tool": vocabularies["tool"], "likelihood_band": vocabularies["likelihood_band"], "intervention_level": vocabularies["intervention_level"]}

    def listed(values) -> str:
        return ", ".join("'" + v.replace("'", "''") + "'" for v in values)

    checks: list[tuple[str, str, str]] = []  # sheet, name, SQL that is true on a failing row
    for sheet, columns in TYPES.items():
        for column, kind in columns.items():
            if kind == "DATE":
                checks.append((sheet, f"{column}: not a date", f"{column} IS NOT NULL AND try_strptime({column}, '%Y-%m-%d') IS NULL"))
                checks.append((sheet, f"{column}: in the future", f"try_strptime({column}, '%Y-%m-%d')::DATE > DATE '{today}'"))
            if column in codes:
                checks.append((sheet, f"{column}: not a code", f"{column} IS NOT NULL AND {column} NOT IN ({listed(codes[column])})"))
            if column in ("looked_after", "yot_caseload", "breach"):
                checks.append((sheet, f"{column}: not yes or no", f"{column} IS NOT NULL AND {column} NOT IN ('yes', 'no')"))
    for sheet, required in (("people", ["person_id", "date_of_birth"]), ("outcomes", ["outcome_id", "person_id", "offence_date", "outcome_type"]),
                            ("assessments", ["person_id", "assessment_date", "tool"])):
        checks += [(sheet, f"{column}: blank", f"{column} IS NULL") for column in required]
    checks += [
        ("outcomes", "outcome_id: out of range", "outcome_id IS NOT NULL AND (try_cast(outcome_id AS DOUBLE) IS NULL OR try_cast(outcome_id AS DOUBLE) <> round(try_cast(outcome_id AS DOUBLE)))"),
        ("outcomes", "gravity: out of range", "gravity IS NOT NULL AND (try_cast(gravity AS DOUBLE) IS NULL OR try_cast(gravity AS DOUBLE) NOT IN (1, 2, 3, 4, 5, 6, 7, 8))"),
        ("assessments", "score: out of range", "score IS NOT NULL AND (try_cast(score AS DOUBLE) IS NULL OR NOT (try_cast(score AS DOUBLE) BETWEEN 0 AND 100))"),
    ]
    failures: dict[str, int] = {}
    for sheet in TYPES:
        mine = [(name, sql) for s, name, sql in checks if s == sheet]
        counts = connection.execute("SELECT " + ", ".join(f"count_if({sql})" for _, sql in mine) + f" FROM raw_{sheet}").fetchone()
        failures.update({f"{sheet}.{name}": n for (name, _), n in zip(mine, counts) if n})
    for name, sql in (
        ("people.person_id: repeated", "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM raw_people WHERE person_id IS NOT NULL GROUP BY person_id HAVING n > 1)"),
        ("outcomes.outcome_id: repeated", "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM raw_outcomes WHERE outcome_id IS NOT NULL GROUP BY outcome_id HAVING n > 1)"),
        ("outcomes.person_id: not in people", "SELECT count(*) FROM raw_outcomes o ANTI JOIN raw_people p USING (person_id) WHERE o.person_id IS NOT NULL"),
        ("assessments.person_id: not in people", "SELECT count(*) FROM raw_assessments a ANTI JOIN raw_people p USING (person_id) WHERE a.person_id IS NOT NULL"),
    ):
        n = connection.execute(sql).fetchone()[0]
        if n:
            failures[name] = n
    if failures:
        raise CaseFileProblems("; ".join(f"{name} ({count:,} rows)" for name, count in failures.items()))
    for sheet, columns in TYPES.items():
        select = []
        for column, kind in columns.items():
            if column in ("looked_after", "yot_caseload", "breach"):
                select.append(f"CASE {column} WHEN 'yes' THEN true WHEN 'no' THEN false END AS {column}")
            elif kind == "DATE":
                select.append(f"strptime({column}, '%Y-%m-%d')::DATE AS {column}")
            else:
                select.append(f"CAST({column} AS {kind}) AS {column}")
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {sheet} AS SELECT {', '.join(select)} FROM raw_{sheet}")
        connection.execute(f"DROP TABLE raw_{sheet}")
    assert set(DATES) == set(TYPES)
