"""Issue 12, findings 5 and 11 on the report pages: no stored key, English enum value, raw
number or E.164 phone on screen or in a CSV download; Segments links carry canonical keys."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from crm_data.reports import display
from tests.apptest import database, errors, open_tab
from tests.pagescan import raw_enum_values, raw_header, scan, shown_table

FORBIDDEN = raw_enum_values()
E164 = re.compile(r"^\+84\d{9}$")


def _url(at, key) -> list[str]:
    value = at.query_params.get(key)
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _members(url, role="manager", lang="vi"):
    """Segments by pipeline stage, the "won" group picked: its customer list and CSVs."""
    at, _texts, _csvs = scan(url, "pages/segments.py", role, lang, query={"by": "pipeline_stage"})
    pick = at.selectbox(key="pick1")
    values = at.session_state["by"], list(pick.options)
    won = "Thành công" if lang == "vi" else "Won"
    assert won in pick.options, values
    from tests.pagescan import captured_files, csv_frames, texts
    with database(url), captured_files() as files:
        pick.select_index(pick.options.index(won)).run()
    assert errors(at) == []
    return at, texts(at), csv_frames(files)


def test_segments_url_takes_canonical_keys(seeded_url, backend):
    at, _t, _c = scan(seeded_url, "pages/segments.py", "manager", query={"by": "province"})
    assert errors(at) == []
    assert at.session_state["by"] == "province"
    assert _url(at, "by") == ["province"]
    with database(seeded_url):
        at.selectbox(key="by").set_value("gender").run()
    assert _url(at, "by") == ["gender"], "the URL holds the key, not the label"
    # A link written with the old label still opens the same breakdown.
    old, _t, _c = scan(seeded_url, "pages/segments.py", "manager",
                       query={"by": "Tỉnh / thành phố"})
    assert old.session_state["by"] == "province"


def test_segments_member_list_is_translated(seeded_url, backend):
    at, _texts, csvs = _members(seeded_url)
    table = shown_table(at.dataframe[-1])
    assert len(table) > 0
    assert not [h for h in table.columns if raw_header(h, FORBIDDEN)], list(table.columns)
    assert "Thành công" in set(table["Giai đoạn bán hàng"]), "pipeline stage shown as its label"
    shown = set(table.drop(columns=["Nhãn"]).stack().astype(str))  # tags are typed by users
    assert not shown & FORBIDDEN, sorted(shown & FORBIDDEN)
    spend = table["Tổng chi tiêu"].tolist()
    assert all(v.endswith("₫") for v in spend), spend[:3]
    phones = [p for p in table["Điện thoại"] if p]
    assert phones and not any(E164.match(p) for p in phones)
    assert all(re.fullmatch(r"0\d{3} \d{3} \d{3}", p) for p in phones), phones[:3]
    member_csv = [c for c in csvs if "Mã KH" in c[0]]
    assert member_csv, [c[0] for c in csvs]
    header, rows = member_csv[0]
    assert not [h for h in header if raw_header(h, FORBIDDEN)], header
    tags = header.index("Nhãn")
    cells = {v for r in rows for i, v in enumerate(r) if i != tags}
    assert not cells & FORBIDDEN, sorted(cells & FORBIDDEN)
    assert not any(E164.match(v) for v in cells)


REPORT_PAGES = ["pages/overview.py", "pages/segments.py", "pages/funnel.py", "pages/journey.py",
                "pages/retention.py", "pages/revenue.py"]


@pytest.mark.parametrize("page", REPORT_PAGES)
def test_report_csv_downloads_are_in_vietnamese(seeded_url, page, backend):
    at, _texts, csvs = scan(seeded_url, page, "manager")
    assert errors(at) == []
    assert csvs, "the page offers its numbers as CSV"
    for header, rows in csvs:
        assert not [h for h in header if raw_header(h, FORBIDDEN)], header
        for row in rows:
            for value in row:
                assert value not in FORBIDDEN, (header, row)
                assert not re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", value), (header, row)
                assert not re.fullmatch(r"-?\d+\.0", value), (header, row)  # 3.0 for an id / count
                assert not E164.match(value), (header, row)


def test_at_risk_csv_names_the_owner(seeded_url, backend):
    at, _texts, csvs = scan(seeded_url, "pages/retention.py", "manager")
    risk = [c for c in csvs if "Phụ trách" in c[0]]
    assert risk, [c[0] for c in csvs]
    header, rows = risk[0]
    owners = {r[header.index("Phụ trách")] for r in rows}
    assert owners and not any(o.replace(".", "").isdigit() for o in owners), owners


def test_csv_download_follows_the_session_language(seeded_url, backend):
    _at, _texts, csvs = scan(seeded_url, "pages/revenue.py", "manager", lang="en")
    headers = [h for header, _rows in csvs for h in header]
    assert "Total spend (₫)" in headers and "Tổng chi tiêu (₫)" not in headers


def test_present_keeps_numbers_for_csv_and_formats_for_screen():
    df = pd.DataFrame({"region": ["north", None], "total_spend": [1234567.0, None],
                       "share": [0.25, 0.5], "owner_id": [3.0, None],
                       "last_order_date": [pd.Timestamp("2026-11-02"), None],
                       "phone": ["+84853854788", None]})
    screen = display.present(df, "vi", owners={3: "Lan"})
    assert screen.columns.tolist() == ["Miền", "Tổng chi tiêu", "Tỷ trọng khách", "Phụ trách",
                                       "Mua gần nhất", "Điện thoại"]
    assert screen.iloc[0].tolist() == ["Miền Bắc", "1.234.567\xa0₫", "25,0%", "Lan", "02/11/2026",
                                       "0853 854 788"]
    csv = display.present(df, "vi", csv=True, owners={3: "Lan"})
    assert csv.columns.tolist()[1:3] == ["Tổng chi tiêu (₫)", "Tỷ trọng khách (%)"]
    assert csv.iloc[0].tolist()[1:3] == [1234567, 25.0]
    assert csv.iloc[1]["Miền"] == "(chưa rõ)"


def test_revenue_url_takes_canonical_keys(seeded_url, backend):
    at, _t, _c = scan(seeded_url, "pages/revenue.py", "manager",
                      query={"dim": "lifecycle_stage", "rank": "interactions", "tab": "segments"})
    assert errors(at) == []
    assert at.session_state["dim"] == "lifecycle_stage"
    with database(seeded_url):
        at.selectbox(key="dim").set_value("region").run()
    assert _url(at, "dim") == ["region"] and _url(at, "rank") == ["interactions"]
    assert _url(at, "tab") == ["segments"]
    open_tab(at, seeded_url, "pages/revenue.py", "customers")  # the ranking's tab
    assert errors(at) == [] and at.session_state["rank"] == "interactions"
    assert _url(at, "tab") == ["customers"] and _url(at, "dim") == ["region"]
