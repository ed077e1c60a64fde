"""Write docs/examples/case-file-example.xlsx: eight fictional children, one quarter.

Run with: .venv/bin/python docs/examples/make_example.py
"""

import datetime as dt
from pathlib import Path

from reoffkit.casefile import write_case_file
from reoffkit.synthetic import generate, services_named

frames = generate(
    services_named(["Exampleshire Youth Justice Service"], seed=3),
    first_quarter=2016 * 4 + 3,  # October–December 2016
    quarters=1,
    children_per_quarter=8,
    as_at=dt.date(2018, 6, 30),
    seed=8,
)
write_case_file(frames, Path(__file__).with_name("case-file-example.xlsx"))
