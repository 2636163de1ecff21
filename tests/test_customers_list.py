"""The customer list (keyset pages, sort, total), scope and the 360 reads."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.customers import listing as customers
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.storage.models import User


def _scope(engine, username) -> Scope:
    with engine.connect() as conn:
        row = conn.execute(select(User.id, User.role).where(User.username == username)).one()
    return Scope(row.id, username, row.role)


@pytest.fixture(scope="module")
def raw(seeded):
    c = pd.read_sql("SELECT c.*, s.total_spend, s.debt FROM customers c "
                    "JOIN customer_stats s ON s.customer_id = c.id WHERE c.deleted_at IS NULL", seeded)
    return c


@pytest.mark.parametrize("sort", sorted(customers.SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_cover_every_row_once_in_order(seeded, raw, sort, descending):
    flt = CustomerFilter(regions=("south",))
    seen, after, pages = [], None, 0
    while True:
        page = customers.list_customers(seeded, SYSTEM, flt, sort=sort, descending=descending,
                                        after=after, limit=97)
        seen += page.rows["id"].tolist()
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after
    expected = raw[raw["region"] == "south"]
    assert page.total == len(expected)
    assert sorted(seen) == sorted(expected["id"]) and len(seen) == len(set(seen))
    if sort in ("total_spend", "debt"):
        values = raw.set_index("id").loc[seen, sort].tolist()
        assert values == sorted(values, reverse=descending)
    if sort == "code":
        codes = raw.set_index("id").loc[seen, "code"].tolist()
        assert codes == sorted(codes, reverse=descending)


def test_page_columns_and_total(seeded, raw):
    page = customers.list_customers(seeded, SYSTEM, None, limit=10)
    assert list(page.rows.columns) == list(customers.LIST_COLUMNS)
    assert page.total == len(raw) == customers.count_customers(seeded, SYSTEM)
    assert page.rows["code"].tolist() == sorted(raw["code"])[:10]


def test_staff_see_only_their_own(seeded, raw):
    staff = _scope(seeded, "staff")
    page = customers.list_customers(seeded, staff, None, limit=500)
    mine = raw[raw["owner_id"] == staff.user_id]
    assert page.total == len(mine) > 0
    assert set(page.rows["id"]) == set(mine["id"]) if len(mine) <= 500 else True
    other = int(raw[raw["owner_id"] != staff.user_id].iloc[0]["id"])
    assert customers.get_customer(seeded, staff, other) is None
    assert customers.find_customer_id(seeded, staff, customer_id=other) is None
    assert customers.timeline(seeded, staff, other).empty
    own = int(mine.iloc[0]["id"])
    assert customers.get_customer(seeded, staff, own)["id"] == own


def test_viewer_gets_no_personal_data(seeded, raw):
    """(The list itself refuses a viewer too, with an audit row: tests/test_viewer_aggregates.py.)"""
    viewer = _scope(seeded, "viewer")
    cid = int(raw.iloc[0]["id"])
    for fn in (customers.get_customer, customers.timeline, customers.stage_history,
               customers.open_items):
        with pytest.raises(PermissionError):
            fn(seeded, viewer, cid)
    with pytest.raises(PermissionError):
        customers.find_customer_id(seeded, viewer, code="KH000001")


def test_360_balances_and_timeline_match_raw_tables(seeded, raw):
    orders = pd.read_sql("SELECT customer_id, count(*) n FROM orders GROUP BY customer_id", seeded)
    cid = int(orders.sort_values("n").iloc[-1]["customer_id"])
    c = customers.get_customer(seeded, SYSTEM, cid)
    stats = pd.read_sql(f"SELECT * FROM customer_stats WHERE customer_id = {cid}", seeded).iloc[0]  # noqa: S608
    assert c["stats"]["total_spend"] == stats["total_spend"]
    assert c["stats"]["debt"] == stats["debt"]
    assert c["stats"]["points"] == stats["points"]
    tl = customers.timeline(seeded, SYSTEM, cid)
    for kind, table in (("order", "orders"), ("payment", "payments"), ("interaction", "interactions"),
                        ("feedback", "feedback"), ("points", "loyalty_ledger")):
        n = pd.read_sql(f"SELECT count(*) n FROM {table} WHERE customer_id = {cid}", seeded)["n"][0]  # noqa: S608
        assert (tl["kind"] == kind).sum() == min(n, 200), kind
    assert tl["at"].is_monotonic_decreasing
    hist = customers.stage_history(seeded, SYSTEM, cid)
    n = pd.read_sql(f"SELECT count(*) n FROM stage_changes WHERE customer_id = {cid}", seeded)["n"][0]  # noqa: S608
    assert len(hist) == n
    by_code = customers.find_customer_id(seeded, SYSTEM, code=c["code"].lower())
    assert by_code == cid


def test_reasons_explain_vip(seeded):
    vip = pd.read_sql("SELECT * FROM customer_stats WHERE tier = 'vip'", seeded).iloc[0].to_dict()
    text = customers.reasons(vip, "vi")
    assert text and text[0].startswith("VIP vì")
    assert "₫" in text[0]
    assert all(not s.startswith("rule.") for s in customers.reasons(vip, "en"))
