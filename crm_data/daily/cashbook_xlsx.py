"""The cash book as the XLSX a Vietnamese bookkeeper expects (sổ quỹ): the shop's name, the
title and the period on top, then Ngày | Số chứng từ | Diễn giải | Thu | Chi | Tồn with the
opening balance first, the entries, the period's totals and the closing balance."""

from __future__ import annotations

import io

import pandas as pd
import xlsxwriter

from crm_data.domain.formatting import date as fmt_date
from crm_data.domain.periods import Period
from crm_data.i18n import t

HEADER_KEYS = ("cash.x.date", "cash.x.voucher", "cash.x.description", "cash.x.receipt",
               "cash.x.payment", "cash.x.balance")
HEADER_ROW = 4  # 0-based row of the column headers


def workbook(rows: pd.DataFrame, totals: dict, period: Period, shop: str | None,
             filters: str | None = None, lang: str = "vi") -> bytes:
    """`rows`: cashbook.entries(); `totals`: cashbook.summary() of the same period. The
    totals row adds up the rows listed (a filtered book: the filtered entries)."""
    buf = io.BytesIO()
    # User text (shop name, filters, descriptions) goes in as string cells, which Excel
    # never evaluates: shown as typed, no apostrophe.
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(t("cash.x.sheet", lang))
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    center = book.add_format({"italic": True, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#DDEBF7"})
    day = book.add_format({"num_format": "dd/mm/yyyy", "border": 1})
    text = book.add_format({"border": 1})
    money = book.add_format({"num_format": "#,##0", "border": 1})
    money_bold = book.add_format({"num_format": "#,##0", "border": 1, "bold": True})
    text_bold = book.add_format({"border": 1, "bold": True})

    sheet.write_string(0, 0, shop or "", bold)
    sheet.merge_range(1, 0, 1, 5, t("cash.x.title", lang), title)
    sheet.merge_range(2, 0, 2, 5, t("cash.x.period", lang, start=fmt_date(period.start, lang),
                                    end=fmt_date(period.end, lang)), center)
    if filters:
        sheet.merge_range(3, 0, 3, 5, filters, center)
    for col, key in enumerate(HEADER_KEYS):
        sheet.write(HEADER_ROW, col, t(key, lang), head)
    r = HEADER_ROW + 1
    _line(sheet, r, t("cash.x.opening", lang), None, None, totals["opening"], text_bold, money_bold)
    for e in rows.itertuples(index=False):
        r += 1
        sheet.write_datetime(r, 0, pd.Timestamp(e.entry_date).to_pydatetime(), day)
        sheet.write(r, 1, e.voucher_no, text)
        sheet.write_string(r, 2, e.description or "", text)
        for col, value in ((3, e.receipt), (4, e.payment), (5, e.balance)):
            if value or col == 5:  # a receipt has no Chi: the cell stays empty, not 0
                sheet.write_number(r, col, int(value), money)
            else:
                sheet.write_blank(r, col, None, money)
    r += 1
    _line(sheet, r, t("cash.x.total", lang), int(rows["receipt"].sum()), int(rows["payment"].sum()),
          None, text_bold, money_bold)
    r += 1
    _line(sheet, r, t("cash.x.closing", lang), None, None, totals["closing"], text_bold, money_bold)
    for col, width in enumerate((12, 14, 50, 16, 16, 18)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    book.close()
    return buf.getvalue()


def _line(sheet, r, label, receipt, payment, balance, text_fmt, money_fmt) -> None:
    sheet.write_blank(r, 0, None, text_fmt)
    sheet.write_blank(r, 1, None, text_fmt)
    sheet.write(r, 2, label, text_fmt)
    for col, value in ((3, receipt), (4, payment), (5, balance)):
        if value is None:
            sheet.write_blank(r, col, None, money_fmt)
        else:
            sheet.write_number(r, col, int(value), money_fmt)
