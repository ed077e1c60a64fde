"""Read and write case files (an .xlsx workbook or a folder of CSV files) as engine frames."""

from reoffkit.casefile.reader import CaseFile, CaseFileError, Problem, format_problems, load_case_file, read_case_file
from reoffkit.casefile.writer import SHEETS, write_case_file

__all__ = ["SHEETS", "CaseFile", "CaseFileError", "Problem", "format_problems", "load_case_file", "read_case_file", "write_case_file"]
