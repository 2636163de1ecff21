"""Loyalty points (issue 13): balance = earned − redeemed − expired against pandas over the
raw ledger, never negative (refusal; two redemptions at once: exactly one wins), FIFO
expiry on its edge day, the earn rule applying only to later earnings, gift stock."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pandas as pd
import pytest
from sqlalchemy import select

from crm_data import summaries
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.daily import loyalty, loyalty_report
from crm_data.domain.periods import Period
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import CustomerStats, LoyaltyEntry, User
from crm_data.summaries import loyalty_expiry
from crm_data.writes import ValidationFailed, activity
from crm_data.writes import customer as cw
from tests.conftest import FIXED_TODAY

D = dt.date


@pytest.fixture
def actors(engine):
    with unit_of_work(engine) as s:  # no password hashing: nobody signs in here
        users = [User(username=r, display_name=r, role=r, password_hash="-")
                 for r in ("admin", "manager", "staff", "viewer")]
        s.add_all(users)
        s.flush()
        return {u.username: Scope(u.id, u.username, u.role) for u in users}


def _customer(engine, actors, name: str, owner: str = "staff") -> int:
    return cw.create_customer(engine, actors[owner], {"full_name": name}).id


def _ledger(engine, customer_id: int, rows: list[tuple[D, str, int]]) -> None:
    """Ledger rows as the sample or an old import leaves them, then the summary refresh."""
    with unit_of_work(engine) as s:
        s.add_all([LoyaltyEntry(customer_id=customer_id, entry_date=d, kind=k, points=p)
                   for d, k, p in rows])
        s.flush()
        summaries.refresh_customers(s, [customer_id])


def _raw(engine) -> pd.DataFrame:
    return pd.read_sql("SELECT customer_id, entry_date, kind, points FROM loyalty_ledger", engine)


def _stats_points(engine, cid: int) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(CustomerStats.points).where(CustomerStats.customer_id == cid))


def test_balance_is_earned_minus_redeemed_minus_expired(engine, actors):
    admin = actors["admin"]
    settings.set_value(engine, admin, "loyalty.expiry_months", 12)
    a = _customer(engine, actors, "Trần Thị An")
    b = _customer(engine, actors, "Lê Văn Bình", owner="manager")
    # a: 30 spent in March come from the oldest lot, whose other 70 expire on 15/10/2026
    _ledger(engine, a, [(D(2025, 10, 15), "earn", 100), (D(2025, 12, 1), "earn", 50),
                        (D(2026, 3, 1), "redeem", -30)])
    _ledger(engine, b, [(D(2026, 5, 2), "earn", 80)])
    assert loyalty_expiry.expire_all(engine, FIXED_TODAY) == (1, 70)
    with pytest.raises(ValidationFailed) as exc:
        loyalty.redeem(engine, actors["staff"], a, {"kind": "discount", "points": "51"})
    assert exc.value.errors["points"].key == "loyalty.invalid.over_balance"
    loyalty.redeem(engine, actors["staff"], a, {"kind": "discount", "points": "20"})
    loyalty.redeem(engine, actors["manager"], b, {"kind": "discount", "points": 80})

    raw = _raw(engine)
    signed = raw.pivot_table(index="customer_id", columns="kind", values="points", aggfunc="sum",
                             fill_value=0)
    expected = signed["earn"] + signed["redeem"] + signed["expire"]  # redeem / expire are negative
    for cid in (a, b):
        assert loyalty.balance(engine, cid) == expected[cid] == _stats_points(engine, cid)
    assert (expected[a], expected[b]) == (30, 0)
    assert -signed.loc[a, "expire"] == 70 and raw[raw["kind"] == "expire"]["entry_date"].astype(str).tolist() == ["2026-10-15"]

    got = loyalty_report.by_period(engine, admin, Period(D(2025, 1, 1), FIXED_TODAY), "year")
    raw["year"] = pd.to_datetime(raw["entry_date"]).dt.year
    by_year = raw.pivot_table(index="year", columns="kind", values="points", aggfunc="sum", fill_value=0)
    assert got["earned"].tolist() == by_year["earn"].tolist() == [150, 80]
    assert got["redeemed"].tolist() == (-by_year["redeem"]).tolist() == [0, 130]
    assert got["expired"].tolist() == [0, 70]
    liab = loyalty_report.liability(engine, admin)
    assert liab == {"points": 30, "holders": 1, "vnd_per_point": 100, "liability_vnd": 3_000}
    # staff see their own customers only; the viewer gets aggregates, never the holders
    assert loyalty_report.top_holders(engine, actors["staff"])["customer_id"].tolist() == [a]
    with pytest.raises(PermissionError):
        loyalty_report.top_holders(engine, actors["viewer"])


def test_expiry_on_its_edge_day_idempotent_and_month_end(engine, actors):
    settings.set_value(engine, actors["admin"], "loyalty.expiry_months", 12)
    c = _customer(engine, actors, "Phạm Minh Châu")
    _ledger(engine, c, [(D(2025, 11, 20), "earn", 40), (D(2025, 11, 21), "earn", 10)])
    assert loyalty_expiry.expire_all(engine, D(2026, 11, 19)) == (0, 0)  # the day before
    assert loyalty.balance(engine, c) == 50
    assert loyalty_expiry.expire_all(engine, D(2026, 11, 20)) == (1, 40)  # on the day
    assert loyalty_expiry.expire_all(engine, D(2026, 11, 20)) == (0, 0)  # re-run: nothing more
    assert loyalty.balance(engine, c) == 10 == _stats_points(engine, c)
    # a late run dates each expiry on its own day
    assert loyalty_expiry.expire_all(engine, D(2026, 12, 5)) == (1, 10)
    days = _raw(engine).query("kind == 'expire'")["entry_date"].astype(str).tolist()
    assert sorted(days) == ["2026-11-20", "2026-11-21"]
    # 31 January + 1 month is the last day of February; FIFO: the spend uses the old lot
    lots = [(D(2026, 1, 31), 5), (D(2026, 2, 10), 7), (D(2026, 2, 15), -6)]
    assert loyalty_expiry.due(lots, D(2026, 2, 27), 1) == []
    assert loyalty_expiry.due(lots, D(2026, 2, 28), 1) == []  # the 5 were spent
    assert loyalty_expiry.due(lots, D(2026, 3, 10), 1) == [(D(2026, 3, 10), 6)]
    # a history spent under another rule (expiry off then): what was spent never expires
    legacy = [(D(2025, 1, 1), 100), (D(2025, 6, 1), 30), (D(2026, 3, 1), -110)]
    assert loyalty_expiry.due(legacy, FIXED_TODAY, 12) == [(D(2026, 1, 1), 20)]


def test_redemption_brings_expiry_up_to_date_first(engine, actors):
    settings.set_value(engine, actors["admin"], "loyalty.expiry_months", 6)
    c = _customer(engine, actors, "Hoàng Thu")
    _ledger(engine, c, [(D(2026, 5, 1), "earn", 60)])  # expired on 01/11/2026, not yet written
    with pytest.raises(ValidationFailed) as exc:
        loyalty.redeem(engine, actors["staff"], c, {"kind": "discount", "points": 10})
    assert exc.value.errors["points"].values == {"points": 10, "balance": 0}


def test_two_redemptions_at_once_exactly_one_wins(engine, actors, monkeypatch):
    c = _customer(engine, actors, "Đỗ Hải")
    _ledger(engine, c, [(D(2026, 10, 1), "earn", 100)])
    real_balance = loyalty.balance

    def slow_balance(bind, customer_id):  # widen the window between the check and the write
        value = real_balance(bind, customer_id)
        time.sleep(0.3)
        return value

    monkeypatch.setattr(loyalty, "balance", slow_balance)
    start = threading.Barrier(2)
    results: list[str] = []

    def spend():
        start.wait()
        try:
            loyalty.redeem(engine, actors["staff"], c, {"kind": "discount", "points": 80})
            results.append("ok")
        except ValidationFailed as exc:
            results.append(exc.errors["points"].key)

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(results) == ["loyalty.invalid.over_balance", "ok"]
    assert real_balance(engine, c) == 20


def test_earn_rule_applies_to_later_earnings_only(engine, actors):
    staff = actors["staff"]
    c = _customer(engine, actors, "Vũ Lan")
    # points on what is paid at checkout (250.000 of 450.000), then on the later payment
    activity.add_order(engine, staff, c, {"order_date": "15/11/2026", "paid_amount": "250.000",
                                          "lines": [{"description": "Áo", "quantity": 3,
                                                     "unit_price": "150.000"}]})
    assert loyalty.balance(engine, c) == 25
    settings.set_value(engine, actors["admin"], "loyalty.vnd_per_point", 5_000)
    activity.record_payment(engine, staff, c, {"amount": "104.999", "paid_on": "18/11/2026"})
    raw = _raw(engine).sort_values("entry_date")
    assert raw["points"].tolist() == [25, 20]
    assert loyalty.balance(engine, c) == 45 == _stats_points(engine, c)


def test_gift_stock_and_who_manages_gifts(engine, actors):
    c = _customer(engine, actors, "Ngô Bảo")
    _ledger(engine, c, [(D(2026, 10, 1), "earn", 100)])
    with pytest.raises(PermissionError):
        loyalty.add_gift(engine, actors["staff"], {"name": "Bình nước", "points_cost": 10, "stock": 1})
    gift = loyalty.add_gift(engine, actors["manager"], {"name": "Bình nước", "points_cost": 10, "stock": 1})
    loyalty.redeem(engine, actors["staff"], c, {"kind": "gift", "gift_id": gift})
    with pytest.raises(ValidationFailed) as exc:
        loyalty.redeem(engine, actors["staff"], c, {"kind": "gift", "gift_id": gift})
    assert exc.value.errors["gift_id"].key == "loyalty.invalid.out_of_stock"
    gifts = loyalty_report.gifts(engine)
    assert gifts[["stock", "given"]].values.tolist() == [[0, 1]]
    assert loyalty.balance(engine, c) == 90 and len(_raw(engine)) == 2
    loyalty.update_gift(engine, actors["admin"], gift, {"name": "Bình nước", "points_cost": 10,
                                                        "stock": 3, "active": False})
    with pytest.raises(ValidationFailed) as exc:
        loyalty.redeem(engine, actors["staff"], c, {"kind": "gift", "gift_id": gift})
    assert exc.value.errors["gift_id"].key == "loyalty.invalid.no_gift"
    hist = loyalty_report.history(engine, actors["staff"], c)
    assert hist[["loyalty_kind", "points", "gift"]].values.tolist()[0] == ["redeem", -10, "Bình nước"]


def test_cli_expire_and_report_print_the_page_numbers(engine, db_url, actors, capsys):
    import json

    from crm_data.cli import main

    settings.set_value(engine, actors["admin"], "loyalty.expiry_months", 12)
    c = _customer(engine, actors, "Mai Anh")
    _ledger(engine, c, [(D(2025, 11, 1), "earn", 70), (D(2026, 11, 2), "earn", 30)])
    assert main(["loyalty", "expire", "--database-url", db_url, "--date", "2026-11-20"]) == 0
    assert "70 points expired for 1 customers" in capsys.readouterr().out
    assert main(["report", "loyalty", "--database-url", db_url, "--period", "this_month",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["liability"] == loyalty_report.liability(engine, actors["admin"])
    assert doc["liability"]["points"] == 30
    assert doc["total"] == {"earned": 30, "redeemed": 0, "expired": 70, "adjusted": 0}
    assert [r["customer_id"] for r in doc["top_holders"]] == [c]
