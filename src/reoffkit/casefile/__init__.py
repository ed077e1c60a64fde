"""Read and write case files (an .xlsx workbook or a folder of CSV files) as engine frames.

``read_case_file`` validates everything and returns every problem as data; ``load_case_file``
raises :class:`CaseFileError` when there are errors; ``format_problems`` prints them.
"""

from reoffkit.casefile.problems import CaseFileError, Problem, format_problems
from reoffkit.casefile.reader import SHEETS, CaseFile, load_case_file, read_case_file

__all__ = ["SHEETS", "CaseFile", "CaseFileError", "Problem", "format_problems", "load_case_file", "read_case_file", "write_case_file"]


def __getattr__(name: str):
    # The writer (and openpyxl with it) is imported when first asked for, not by every reader.
    if name == "write_case_file":
        from reoffkit.casefile.writer import write_case_file

        return write_case_file
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
