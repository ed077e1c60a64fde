"""Where ``read_case_file`` spends its time, step by step (``make bench`` data; not run by it).

    .venv/bin/python benchmarks/profile_reader.py benchmarks/data/national-155s-10x/case-file
    .venv/bin/python benchmarks/profile_reader.py benchmarks/data/national-155s-1x/case-file.xlsx
    .venv/bin/python benchmarks/profile_reader.py benchmarks/data/national-155s-1x/case-file 5   # best of 5 reads, step by step

Each step of the reader (reading the text of each sheet, reading each column into its type, the
day-first/month-first scan of each date column, evaluating each sheet's checks, the checks across
sheets, conforming to the engine's schema) is wrapped with a timer for one read, after a first read
that warms the imports and the file cache; the times are exclusive (a step's own time, without the
steps it calls). For the native detail below a step, sample it with py-spy::

    .venv/bin/py-spy record --native --format raw -o profile.txt -- .venv/bin/python benchmarks/profile_reader.py PATH
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import sys
import time
from pathlib import Path

AS_AT = dt.date(2026, 6, 30)


def main() -> None:
    path = Path(sys.argv[1])
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    from reoffkit.casefile import reader

    reader.read_case_file(path, today=AS_AT)  # warm: imports, file cache
    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    stack: list[float] = []  # time spent in callees of each open call

    def timed(name, function, label=lambda args: ""):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            key = f"{name}{label(args)}"
            stack.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                total = time.perf_counter() - started
                inner = stack.pop()
                spent[key] += total - inner
                calls[key] += 1
                if stack:
                    stack[-1] += total

        return wrapper

    sheet = lambda args: f" [{args[0]}]"  # noqa: E731
    for name, label in (
        ("read_csv_table", sheet),
        ("read_workbook", lambda args: ""),
        ("_validate_sheet", sheet),
        ("read_column", lambda args: f" [{args[0].kind}]"),
        ("month_first_suspicion", lambda args: ""),
        ("_report", lambda args: f" [{args[1]}]"),
        ("_cross_check", lambda args: ""),
        ("_duplicates", lambda args: ""),
        ("conform", lambda args: f" [{args[1]}]"),
    ):
        setattr(reader, name, timed(name, getattr(reader, name), label))
    best: dict[str, float] = {}
    totals = []
    for _ in range(repeat):  # on a shared machine, the best of several reads, step by step
        spent.clear()
        calls.clear()
        started = time.perf_counter()
        case_file = reader.read_case_file(path, today=AS_AT)
        totals.append(time.perf_counter() - started)
        spent["(the rest of read_case_file)"] = totals[-1] - sum(spent.values())
        best = {key: min(seconds, best.get(key, seconds)) for key, seconds in spent.items()}
    total = min(totals)
    print(
        f"read_case_file({path.name}): {total:.2f} s (best of {repeat}: {', '.join(f'{t:.2f}' for t in totals)}); "
        f"{case_file.outcomes.height:,} outcome rows, {len(case_file.problems)} problems"
    )
    print(f"  each step's best of the {repeat} reads:" if repeat > 1 else "")
    for key, seconds in collections.Counter(best).most_common():
        print(f"  {seconds:7.3f} s  {seconds / total:5.1%}  {key}" + (f"  ×{calls[key]}" if calls[key] > 1 else ""))


if __name__ == "__main__":
    main()
