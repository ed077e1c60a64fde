"""Read and write case files (an .xlsx workbook or a folder of CSV files) as engine frames."""

from reoffkit.casefile.writer import SHEETS, write_case_file

__all__ = ["SHEETS", "write_case_file"]
