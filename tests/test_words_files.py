"""Issue 12, findings 11 and 12 for files and formats: the import preview in words (labels,
province names, dd/mm/yyyy, 0912 345 678, nothing "None"); the customer export's groups as
labels and consent as one Có / Không in CSV and XLSX; XLSX with column widths, a frozen header
and a filter; one money format per language; whole-number ticks on count axes; Streamlit's
own English placeholders replaced where its API allows."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import plotly.graph_objects as go
import pytest

from crm_data.accounts.scope import SYSTEM
from crm_data.customers import export as exports
from crm_data.domain import formatting
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.imports import preview as pv
from crm_data.sample import ensure_demo_users
from crm_ui.charts import integer_axis
from tests.apptest import app, database, errors
from tests.pagescan import raw_enum_values, scan, shown_table
from tests.test_import_customers import CLEAN, csv_bytes


@pytest.fixture
def users_db(engine, db_url):
    ensure_demo_users(engine)
    return db_url


def test_import_preview_is_written_for_people(engine, users_db):
    data = csv_bytes(CLEAN)
    info = pv.inspect(engine, data, "k.csv", "customers")
    shown, _issues = pv.preview(engine, SYSTEM, data, "k.csv", "customers", None, info.detected)
    cells = [str(v) for v in shown.drop(columns="_row").stack()]
    assert "None" not in cells and "nan" not in cells
    assert not set(cells) & raw_enum_values(), set(cells) & raw_enum_values()
    first, third = shown.iloc[0], shown.iloc[2]
    assert first["phone"] == "0912 345 678"
    assert first["birth_date"] == "15/03/1990"
    assert first["province"] == "Hà Nội" and third["province"] == "Hồ Chí Minh"
    assert first["gender"] == "Nam" and third["gender"] == "Nam"
    assert third["source"] == "Giới thiệu"
    assert first["email"] == "an@example.vn" and shown.iloc[1]["email"] == ""
    english, _ = pv.preview(engine, SYSTEM, data, "k.csv", "customers", None, info.detected,
                            lang="en")
    assert english.iloc[2]["gender"] == "Male"


def test_import_page_preview_and_upload_help(users_db):
    with database(users_db):
        at = app(users_db, "manager")
        at.run()
        at.switch_page("pages/import.py").run()
        uploader = at.get("file_uploader")[0]
        assert "Kéo thả" in uploader.proto.help
        at.file_uploader(key="import_file").set_value(("k.csv", csv_bytes(CLEAN), "text/csv"))
        at.run()
    assert errors(at) == []
    table = shown_table(at.dataframe[0])
    assert "0912 345 678" in set(table["Số điện thoại"])
    assert "None" not in set(table.stack().astype(str))


@pytest.fixture
def exported(seeded):
    flt = CustomerFilter(groups=("churned",))
    out = {}
    for fmt in ("csv", "xlsx"):
        buf = io.BytesIO()
        rows = exports.iter_rows(seeded, SYSTEM, flt)
        (exports.write_xlsx if fmt == "xlsx" else exports.write_csv)(rows, buf)
        out[fmt] = buf.getvalue()
    return out


def test_export_groups_are_labels_and_consent_is_one_yes_no(exported):
    rows = list(csv.reader(io.StringIO(exported["csv"].decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    groups = {g for r in body for g in r[header.index("Nhóm")].split(", ") if g}
    assert "Đã rời bỏ" in groups or "Rời bỏ" in groups or any("rời bỏ" in g.lower() for g in groups)
    assert not groups & {"churned", "loyal", "new_buyer", "at_risk", "debtor", "high_value", "prospect"}
    consent_csv = {r[header.index("Đồng ý nhận tin")] for r in body}
    assert consent_csv <= {"Có", "Không"} and consent_csv
    book = openpyxl.load_workbook(io.BytesIO(exported["xlsx"]))
    sheet = book.active
    heads = [c.value for c in sheet[1]]
    col = heads.index("Đồng ý nhận tin") + 1
    consent_xlsx = {sheet.cell(row=i, column=col).value for i in range(2, sheet.max_row + 1)}
    assert consent_xlsx == consent_csv


def test_xlsx_has_widths_frozen_header_and_filter(exported):
    sheet = openpyxl.load_workbook(io.BytesIO(exported["xlsx"])).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.auto_filter.ref.endswith(str(sheet.max_row))
    name_col = [c.value for c in sheet[1]].index("Họ tên")
    letter = openpyxl.utils.get_column_letter(name_col + 1)
    assert sheet.column_dimensions[letter].width >= 20


def test_one_money_format_per_language():
    assert formatting.vnd(586_884, "en") == "586,884\xa0₫"
    assert formatting.compact_money(1_830_000_000, "en") == "1.83B ₫"
    assert formatting.vnd(586_884) == "586.884\xa0₫"
    for lang in ("vi", "en"):  # the symbol after the number, in both forms
        assert formatting.vnd(5, lang).endswith("₫") and formatting.compact_money(2e9, lang).endswith("₫")


def test_integer_axis_for_counts():
    fig = integer_axis(go.Figure(go.Bar(x=["a", "b"], y=[1, 3])))
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == ",d"
    big = integer_axis(go.Figure(go.Bar(x=["a"], y=[376])))
    assert big.layout.yaxis.tickformat == ",d" and big.layout.yaxis.dtick == 100
    buyers = integer_axis(go.Figure(go.Scatter(x=["a", "b"], y=[21, 42])))
    assert buyers.layout.yaxis.dtick == 10  # not Plotly's 5,25 printed as 0, 5, 11, 16
    side = integer_axis(go.Figure(go.Bar(y=["a"], x=[2], orientation="h")), "x")
    assert side.layout.xaxis.dtick == 1


@pytest.mark.parametrize("page", ["pages/journey.py", "pages/retention.py", "pages/segments.py"])
def test_count_charts_have_whole_number_ticks(seeded_url, page, backend):
    at, _texts, _csvs = scan(seeded_url, page, "manager", query={"tab": "churn"})  # Retention's counts
    assert errors(at) == []
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    def counts(axis: dict) -> bool:
        title = str((axis.get("title") or {}).get("text", "")).lower()
        return axis.get("type") != "category" and ("khách" in title or "số lượng" in title)

    counted = [a for s in specs for a in (s["layout"].get("yaxis") or {}, s["layout"].get("xaxis") or {})
               if counts(a)]
    assert counted, "a chart counting customers"
    for axis in counted:
        assert axis.get("tickformat") == ",d", axis


def test_segment_hover_has_no_raw_key(seeded_url, backend):
    at, _texts, _csvs = scan(seeded_url, "pages/segments.py", "manager")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    hover = " ".join(spec["data"][0]["hovertext"])
    assert "col.customers" not in hover and "số khách" in hover


def test_streamlit_placeholders_are_translated(seeded_url, backend):
    at, _texts, _csvs = scan(seeded_url, "pages/customers.py", "manager")
    multis = at.get("multiselect")
    assert multis
    for m in multis:
        assert m.proto.placeholder and "Choose" not in m.proto.placeholder, m.proto.label
        assert m.proto.select_all == 0, m.proto.label  # its "Select all" is English only


def test_overview_download_buttons_say_what_they_download(seeded_url, backend):
    at, _texts, _csvs = scan(seeded_url, "pages/overview.py", "manager")
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == 3 and len(set(labels)) == 3, labels  # KPIs, trend, customers


def _path_to(node, target, path=()):
    """The block types from the root down to `target`."""
    if node is target:
        return path
    for child in getattr(node, "children", {}).values():
        found = _path_to(child, target, (*path, getattr(node, "type", None)))
        if found is not None:
            return found
    return None


def test_revenue_top_customers_get_the_full_width(seeded_url, backend):
    at, _texts, _csvs = scan(seeded_url, "pages/revenue.py", "manager", query={"tab": "customers"})
    top = next(d for d in at.dataframe if "Mã KH" in shown_table(d).columns)
    path = _path_to(at._tree, top)
    assert path is not None and "column" not in path, path


def test_import_rejects_xlsx_is_finished_and_named_in_words(engine):
    from crm_data.imports import import_file
    from crm_data.imports.rejects import report_xlsx
    from tests.test_import_customers import BAD

    result = import_file(engine, SYSTEM, csv_bytes(CLEAN + BAD), "customers", on_error="skip")
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(result)))
    sheet = book.active
    assert sheet.title == "Dòng bị từ chối"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    reason = [c.value for c in sheet[1]].index("Lý do") + 1
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(reason)].width >= 20
