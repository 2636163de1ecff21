"""Import customers, orders and interactions from CSV and XLSX files.

reading   bytes → header + rows (encodings, separators, sheets, size limit)
mapping   header → field (detected, edited, saved as JSON)
parsing   amounts, Excel dates, quantities as spreadsheets write them
cells     one row → field values with a reason per bad cell
customers / orders / interactions   convert, plan (duplicates, customers), write
run       import_file(): the one transaction, used by the page, the CLI and the benchmark
rejects   the reject report (original row + reason) as CSV / XLSX
"""

from crm_data.imports.errors import FileProblem, Issue
from crm_data.imports.run import ImportResult, import_file

__all__ = ["FileProblem", "ImportResult", "Issue", "import_file"]
