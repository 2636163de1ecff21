"""Messages of an import in the user's language, and the reject report: each row that was
not imported, its reason(s), and the original cells — as CSV or XLSX bytes, safe to open in
Excel (CSV: formula-looking cells neutralised; XLSX: every text a string cell, as typed)."""

from __future__ import annotations

import io

import pandas as pd

from crm_data.domain import formatting
from crm_data.domain.spreadsheet import content_widths, csv_bytes, finish_sheet
from crm_data.i18n import t
from crm_data.imports.errors import Issue
from crm_data.imports.run import ImportResult

_MONEY_VALUES = ("amount", "expected", "subtotal", "discount", "paid")


def message(issue: Issue, lang: str = "vi", *, with_column: bool = True) -> str:
    """An Issue (or a FileProblem) as one line of text."""
    values = dict(issue.values)
    if "by" in values:
        values["by"] = t(f"import.by.{values['by']}", lang)
    for key in _MONEY_VALUES:
        if isinstance(values.get(key), int):
            values[key] = formatting.vnd(values[key], lang)
    try:
        text = t(issue.key, lang, **values)
    except (KeyError, IndexError):
        text = t(issue.key, lang)
    column = getattr(issue, "column", None)
    return f"{column}: {text}" if with_column and column else text


def reasons(issues: list[Issue], lang: str = "vi") -> str:
    return "; ".join(message(i, lang) for i in issues)


def frame(result: ImportResult, lang: str = "vi") -> pd.DataFrame:
    """Row number, result, reason(s), then the original columns as read."""
    heads = [t("import.report.row", lang), t("import.report.status", lang),
             t("import.report.reason", lang)]
    records = []
    for r in result.rows:
        cells = list(r.original) + [None] * (len(result.headers) - len(r.original))
        records.append([r.row, t(f"import.status.{r.status}", lang), reasons(r.issues, lang),
                        *cells[:len(result.headers)]])
    columns = heads + [h if h not in heads else f"{h} ({i + 1})"
                       for i, h in enumerate(result.headers)]
    return pd.DataFrame(records, columns=columns)


def report_csv(result: ImportResult, lang: str = "vi") -> bytes:
    return csv_bytes(frame(result, lang))


def report_xlsx(result: ImportResult, lang: str = "vi") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False,
                                                   "strings_to_urls": False}}) as writer:
        table = frame(result, lang)  # strings are string cells here: no apostrophe needed
        name = t("words.rejects_sheet", lang)
        table.to_excel(writer, index=False, sheet_name=name)
        finish_sheet(writer.sheets[name], [str(c) for c in table.columns], len(table),
                     widths=content_widths(table))
    return buf.getvalue()


def notes_frame(result: ImportResult, lang: str = "vi") -> pd.DataFrame:
    return pd.DataFrame(
        [[n, message(i, lang)] for n, i in result.notes],
        columns=[t("import.report.row", lang), t("import.report.reason", lang)])
