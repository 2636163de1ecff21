"""Every page runs as every role that may open it (no exception, no error box) and, issue 12,
finding 6: every page, as every role that may open it, in Vietnamese on the
sample data, shows no stored enumeration value (`won`, `north`, `completed`), no English
enumeration label (`Won`, `Cash`), no raw message key (`col.customers`) anywhere in its
element tree (titles, captions, alerts, metrics, widget labels and options, table headers
and cells, chart texts), and every CSV it offers has headers in words, not column names."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_data.storage.db import make_engine
from crm_data.storage.models import Customer, CustomerStats, User
from crm_ui.nav import PAGES, ROOT
from tests.apptest import errors
from tests.pagescan import english_labels, raw_enum_values, raw_header, raw_keys, raw_words, scan

FORBIDDEN = raw_enum_values()
E164 = re.compile(r"\+84\d{9,10}")
ENGLISH = english_labels()
CASES = [(p.path, role) for p in PAGES if (ROOT / p.path).exists() for role in p.roles]
# A few views that show more than the default one (a drill-down list, a split, a cross-tab).
VARIANTS = [
    ("pages/segments.py", {"by": "pipeline_stage", "by2": "region"}),
    ("pages/segments.py", {"by": "owner"}),
    ("pages/funnel.py", {"split": "owner"}),
    ("pages/revenue.py", {"dim": "lifecycle_stage", "rank": "interactions"}),
    ("pages/retention.py", {"period": "this_year"}),
]


def _busiest_customer(url: str, role: str) -> str:
    """The id of the visible customer with the most orders (staff: one they own)."""
    eng = make_engine(url)
    with eng.connect() as conn:
        uid = conn.execute(select(User.id).where(User.username == role)).scalar()
        query = (select(Customer.id).join(CustomerStats, CustomerStats.customer_id == Customer.id)
                 .where(Customer.deleted_at.is_(None))
                 .order_by(CustomerStats.orders_count.desc(), Customer.id).limit(1))
        if role == "staff":
            query = query.where(Customer.owner_id == uid)
        cid = conn.execute(query).scalar()
    eng.dispose()
    return str(cid)


def _usernames(url: str) -> set[str]:
    eng = make_engine(url)
    with eng.connect() as conn:
        names = set(conn.execute(select(User.username)).scalars())
    eng.dispose()
    return names


def _problems(texts: list[str], csvs, typed: frozenset[str] = frozenset()) -> list[str]:
    """`typed`: texts that are data people typed (usernames such as "admin" on the Users
    and Audit pages), not enumeration values."""
    found = []
    for text in (t for t in texts if t.strip() not in typed):
        found += [f"raw value {w!r} in {text[:60]!r}" for w in raw_words(text, FORBIDDEN)]
        found += [f"raw key {k!r} in {text[:60]!r}" for k in raw_keys(text)]
        if text.strip() in ENGLISH:
            found.append(f"English label {text!r}")
        if text.strip() in ("None", "nan", "NaN", "NaT", "<NA>"):
            found.append(f"missing value shown as {text!r}")
        if E164.fullmatch(text.strip()):
            found.append(f"phone in its stored form {text!r}")
    for header, rows in csvs:
        found += [f"CSV header {h!r}" for h in header if raw_header(h, FORBIDDEN)]
        found += [f"CSV value {v!r} under {h!r}" for row in rows for h, v in zip(header, row, strict=False)
                  if (v in FORBIDDEN and h not in ("Nhãn", "Thẻ") and v not in typed)
                  or E164.fullmatch(v)]  # tags: typed
    return sorted(set(found))


@pytest.mark.parametrize("page,role", CASES)
def test_page_shows_no_raw_word_in_vietnamese(seeded_url, page, role, backend):
    query = {"id": _busiest_customer(seeded_url, role)} if page == "pages/customer.py" else None
    # Words do not depend on the engine: the lazy tabs are walked on SQLite, PostgreSQL
    # checks the first (the suite's time is at its limit).
    at, texts, csvs = scan(seeded_url, page, role, "vi", query, every_tab=backend == "sqlite")
    assert errors(at) == []  # the page runs for this role without an exception …
    assert not at.error, [e.value for e in at.error]  # … and without an error box
    assert len(texts) >= 2, "the page rendered"
    typed = frozenset(_usernames(seeded_url)) if page in ("pages/users.py", "pages/audit.py") \
        else frozenset()
    if page == "pages/audit.py":  # the log's before / after / detail: stored JSON, shown as is
        texts = [x for x in texts if not x.lstrip().startswith(("{", "["))]
    assert _problems(texts, csvs, typed) == []


@pytest.mark.parametrize("page,query", VARIANTS)
def test_report_views_show_no_raw_word(seeded_url, page, query, backend):
    at, texts, csvs = scan(seeded_url, page, "manager", "vi", query)
    assert errors(at) == []
    assert _problems(texts, csvs) == []


def test_the_scan_catches_raw_words():
    """The checks themselves: each kind of slip is reported."""
    assert _problems(["Giai đoạn: won"], []) and _problems(["col.customers"], [])
    assert _problems(["Cash"], []) and _problems([], [(["owner_id"], [])])
    assert _problems([], [(["Miền"], [["north"]])]) and _problems(["+84853854788"], [])
    assert _problems(["Thành công", "Tiền mặt", "khach_hang.csv", "an@example.vn"],
                     [(["Miền", "Nhãn"], [["Miền Bắc", "vip"]])]) == []
