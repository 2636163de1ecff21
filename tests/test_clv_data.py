"""CLV on the database (both backends): frequency / recency / age from the raw orders, the
stored scores, the list filter and sort, the Segments dimension, the pages for every role."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from crm_data.accounts.scope import Scope
from crm_data.clv import fit, model, reads, rfm
from crm_data.customers import listing as customers
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import segments
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, CustomerClv, ModelFit, Order, User
from crm_data.summaries import rebuild_all
from tests import apptest
from tests.conftest import FIXED_TODAY

D = FIXED_TODAY
# customer id → orders (days before today, amount, status); several orders on one day count
# as one purchase day; cancelled orders do not count; customer 5 is deleted; 6 never bought.
ORDERS = {
    1: [(300, 100_000, "completed"), (300, 50_000, "completed"), (200, 80_000, "completed"),
        (10, 120_000, "completed"), (5, 999_000, "cancelled")],
    2: [(400, 200_000, "completed")],
    3: [(700, 60_000, "completed"), (650, 40_000, "completed"), (650, 20_000, "completed"),
        (380, 90_000, "completed"), (20, 70_000, "cancelled")],
    4: [(90, 500_000, "cancelled"), (60, 300_000, "completed"), (30, 100_000, "completed")],
    5: [(100, 100_000, "completed"), (50, 100_000, "completed")],
}
PARAMS = fit.Fit(model.BgNbd(0.5, 6.0, 0.7, 2.8), model.GammaGamma(3.0, 5.0, 200_000.0),
                 -1.0, -1.0, 4, 3)


def _build(engine) -> None:
    with unit_of_work(engine) as s:  # users as the pages need them; no one signs in
        s.execute(insert(User), [{"id": i, "username": r, "display_name": r, "role": r,
                                  "password_hash": "-"} for i, r in enumerate(apptest.ROLES, 1)])
    staff = 3
    with unit_of_work(engine) as s:
        for cid in range(1, 7):
            s.add(Customer(id=cid, code=f"KH{cid}", full_name=f"Khách {cid}",
                           owner_id=staff if cid <= 2 else None,
                           deleted_at=dt.datetime(2026, 11, 1) if cid == 5 else None))
        s.flush()
        n = 0
        for cid, rows in ORDERS.items():
            for days, amount, status in rows:
                n += 1
                day = D - dt.timedelta(days=days)
                s.execute(insert(Order), [{"code": f"DH{n}", "customer_id": cid, "order_date": day,
                                           "ordered_at": dt.datetime.combine(day, dt.time(9, n % 60)),
                                           "status": status, "subtotal": amount, "amount": amount,
                                           "paid_amount": amount}])
    rebuild_all(engine, D)


def _pandas_summary(until: dt.date) -> pd.DataFrame:
    raw = pd.DataFrame([(cid, D - dt.timedelta(days=d), a, st) for cid, rows in ORDERS.items()
                        for d, a, st in rows], columns=["cid", "day", "amount", "status"])
    raw = raw[(raw.status == "completed") & (raw.cid != 5) & (raw.day <= until)]
    days = raw.groupby(["cid", "day"], as_index=False)["amount"].sum().sort_values(["cid", "day"])
    out = []
    for cid, g in days.groupby("cid"):
        first, last = g.day.min(), g.day.max()
        x = len(g) - 1
        out.append((cid, x, (last - first).days / 7, (until - first).days / 7,
                    g.amount.iloc[1:].mean() if x else np.nan))
    return pd.DataFrame(out, columns=list(rfm.COLUMNS))


def _store_known(engine) -> int:
    data = rfm.summary(engine, D)
    before = rfm.summary(engine, D - dt.timedelta(days=30))
    return fit.store(engine, fit.SYSTEM, D, PARAMS, fit.scores(PARAMS, data, 365, before), 365, None, 0.1)


@pytest.fixture
def clv_db(engine):
    _build(engine)
    _store_known(engine)
    return engine


@pytest.mark.parametrize("until_days", [0, 250])
def test_frequency_recency_age_equal_pandas(engine, backend, until_days):
    _build(engine)
    until = D - dt.timedelta(days=until_days)
    got = rfm.summary(engine, until).reset_index(drop=True)
    want = _pandas_summary(until).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got.set_index("customer_id").loc[1, "x"] == (2 if until_days == 0 else 0)


def test_holdout_actual_counts_purchase_days(engine, backend):
    _build(engine)
    got = rfm.purchase_days_after(engine, D - dt.timedelta(days=350), D)
    assert got.to_dict() == {1: 3, 4: 2}  # customer 1's two orders of one day are one purchase


def test_stored_scores_are_the_model_and_replace_the_previous(clv_db, backend):
    stored = pd.read_sql(select(CustomerClv), clv_db).set_index("customer_id").sort_index()
    assert list(stored.index) == [1, 2, 3, 4]  # buyers only; not the deleted one
    data = rfm.summary(clv_db, D).set_index("customer_id").sort_index()
    bg = PARAMS.bgnbd
    assert stored["p_alive"].to_numpy() == pytest.approx(model.p_alive(bg, data.x, data.t_x, data["T"]))
    e365 = model.expected_purchases(bg, 365 / 7, data.x, data.t_x, data["T"])
    spend = model.expected_spend(PARAMS.spend, data.x, data.mean_spend)
    assert stored["expected_365"].to_numpy() == pytest.approx(e365)
    assert stored["expected_value"].to_numpy() == pytest.approx(np.round(e365 * spend), abs=1)
    assert stored.loc[2, "p_alive"] == 1.0 and np.isnan(stored.loc[2, "mean_spend"])
    _store_known(clv_db)  # a second fit replaces the scores
    with clv_db.connect() as conn:
        assert conn.execute(select(CustomerClv.fit_id).distinct()).scalars().all() == [
            conn.execute(select(ModelFit.id).order_by(ModelFit.id.desc())).scalars().first()]


def test_filter_sort_and_segments_match_pandas(clv_db, backend):
    admin = Scope(None, "admin", "admin")
    stored = pd.read_sql(select(CustomerClv.customer_id, CustomerClv.p_alive,
                                CustomerClv.expected_value), clv_db)
    for band, (lo, hi) in reads.BANDS.items():
        want = ((stored.p_alive >= lo) & ((stored.p_alive < hi) | (hi >= 1))).sum()
        assert customers.count_customers(clv_db, admin, CustomerFilter(p_alive_bands=(band,))) == want
    assert customers.count_customers(clv_db, admin, CustomerFilter(p_alive_bands=("none",))) == 1  # #6
    cut = int(stored.expected_value.median())
    assert customers.count_customers(clv_db, admin, CustomerFilter(value_min=cut)) == \
        (stored.expected_value >= cut).sum()
    page = customers.list_customers(clv_db, admin, sort="expected_value", descending=True)
    order = stored.sort_values(["expected_value", "customer_id"], ascending=[False, False]).customer_id
    assert list(page.rows["id"][:4]) == list(order)
    assert list(page.rows["p_alive"][:4]) == pytest.approx(list(stored.set_index("customer_id").p_alive[order]))
    high = CustomerFilter(p_alive_bands=("p75_100",), value_min=cut)  # the list joins customer_clv too
    page = customers.list_customers(clv_db, admin, high, sort="p_alive")
    want = stored[(stored.p_alive >= 0.75) & (stored.expected_value >= cut)]
    assert sorted(page.rows["id"]) == sorted(want.customer_id) and page.total == len(want)
    per_band = {band: int(((stored.p_alive >= lo) & ((stored.p_alive < hi) | (hi >= 1))).sum())
                for band, (lo, hi) in reads.BANDS.items()}
    counts = reads.band_counts(clv_db, admin)
    assert dict(zip(counts["band"], counts["customers"], strict=True)) == per_band
    seg = segments.segment_counts(clv_db, admin, _all_time(), "p_alive_band")
    got = dict(zip(seg.iloc[:, 0], seg["customers"], strict=True))
    assert got == {b: n for b, n in per_band.items() if n} | {"none": 1}  # the deleted one is out
    two = segments.segment_counts(clv_db, admin, _all_time(), "region", "p_alive_band")
    assert two.groupby("value2")["customers"].sum().to_dict() == got
    staff = _staff(clv_db)  # scope inside: staff see their own two customers only
    assert reads.band_counts(clv_db, staff)["customers"].sum() == 2


def test_list_by_a_score_pages_in_the_order_of_pandas(clv_db, backend):
    """The score sorts read scored and unscored customers in two parts (crm_data.clv.
    list_order): every page size and direction gives pandas' order of (score or -1, id)."""
    admin = Scope(None, "admin", "admin")
    rows = customers.list_customers(clv_db, admin, limit=500).rows
    for sort in ("p_alive", "expected_value"):
        key = rows[sort].fillna(-1)
        for descending in (True, False):
            want = rows.assign(_k=key).sort_values(["_k", "id"], ascending=not descending)
            for size in (1, 2, 3, len(rows) + 1):
                got, after = [], None
                while True:
                    page = customers.list_customers(clv_db, admin, sort=sort, descending=descending,
                                                    after=after, limit=size)
                    got += page.rows["id"].tolist()
                    assert page.total == len(rows)
                    if page.next_after is None:
                        break
                    after = page.next_after
                assert got == want["id"].tolist(), (sort, descending, size)
                one = customers.list_customers(clv_db, admin, sort=sort, descending=descending, limit=size)
                assert one.rows[sort].tolist() == pytest.approx(want[sort].head(size).tolist(), nan_ok=True)


def _all_time():
    from crm_data.domain.periods import Period

    return Period(dt.date(2000, 1, 1), dt.date(2030, 12, 31))  # created_at is the real clock


def _staff(engine) -> Scope:
    with engine.connect() as conn:
        uid = conn.execute(select(User.id).where(User.username == "staff")).scalar_one()
    return Scope(uid, "staff", "staff")


def test_falling_lists_value_at_stake_first(clv_db, backend):
    admin = Scope(None, "admin", "admin")
    rows = reads.falling(clv_db, admin)
    stored = pd.read_sql(select(CustomerClv), clv_db)
    fell = stored[stored.p_alive_before - stored.p_alive >= 0.10]
    assert sorted(rows["id"]) == sorted(fell.customer_id)
    assert list(rows["expected_value"]) == sorted(rows["expected_value"], reverse=True)
    with pytest.raises(PermissionError):
        reads.falling(clv_db, Scope(None, "viewer", "viewer"))


@pytest.mark.parametrize("role", apptest.ROLES)
def test_pages_for_every_role(clv_db, db_url, backend, role):
    """The Retention page for every role; the other pages touched once each by the role
    their CLV part differs for (every page × role: tests/test_pages_smoke.py)."""
    at = apptest.run_page(db_url, "pages/retention.py", role, query={"tab": "at_risk"})
    assert not apptest.errors(at)
    text = " ".join(s.value for s in at.subheader)
    assert "Khả năng còn mua của khách đã mua" in text
    assert ("Khách giá trị cao có khả năng còn mua đang giảm" in text) == (role != "viewer")
    if role == "viewer":  # aggregates: the Segments dimension
        at = apptest.run_page(db_url, "pages/segments.py", role, query={"by": "p_alive_band"})
        assert not apptest.errors(at)
    elif role == "manager":  # the list filtered by band, sorted by expected value
        at = apptest.run_page(db_url, "pages/customers.py", role,
                              query={"p_alive_bands": "p75_100", "sort": "expected_value"})
        assert not apptest.errors(at)
        n = customers.count_customers(clv_db, Scope(None, "manager", "manager"),
                                      CustomerFilter(p_alive_bands=("p75_100",)))
        assert at.caption[0].value.startswith(f"{n} khách") and 0 < n < 5
    else:  # the customer page's section
        at = apptest.run_page(db_url, "pages/customer.py", role, query={"id": "1"})
        assert not apptest.errors(at)
        p = pd.read_sql(select(CustomerClv.p_alive).where(CustomerClv.customer_id == 1), clv_db).iloc[0, 0]
        shown = apptest.visible(" ".join(m.value for m in at.markdown))
        assert f"Khả năng còn mua: {round(p * 100)}" in shown.replace("\xa0", " ")


def _simulated_orders(engine, n: int = 60) -> None:
    """n buyers with Poisson purchase days (rates varying over customers)."""
    rng = np.random.default_rng(3)
    T = rng.uniform(20, 80, n)  # weeks since the first purchase
    rows, k = [], 0
    with unit_of_work(engine) as s:
        s.execute(insert(Customer), [{"id": i, "code": f"KH{i}", "full_name": f"K {i}"}
                                     for i in range(1, n + 1)])
    for i, age in enumerate(T, 1):
        lam = rng.gamma(2.0, 1 / 4.0)
        first = D - dt.timedelta(days=int(age * 7))
        days = [0] + sorted({int(d) for d in np.cumsum(rng.exponential(7 / lam, 12)) if d < age * 7})
        for d in days:
            k += 1
            day = first + dt.timedelta(days=d)
            rows.append({"code": f"DH{k}", "customer_id": i, "order_date": day,
                         "ordered_at": dt.datetime.combine(day, dt.time(10)), "subtotal": 100_000 + 1000 * k,
                         "amount": 100_000 + 1000 * k, "paid_amount": 0})
    with unit_of_work(engine) as s:
        s.execute(insert(Order), rows)


def test_cli_fit_prints_definitions_and_nightly_refits_only_stale(engine, db_url, backend, capsys):
    from crm_data import cli
    from crm_data.clv import nightly
    from crm_data.storage.models import AuditLog

    assert nightly.refit_in_background_if_used(engine, D) is None  # never fitted: left alone
    _simulated_orders(engine)
    yesterday = D - dt.timedelta(days=1)
    assert cli.main(["model", "fit", "--database-url", db_url, "--today", yesterday.isoformat()]) == 0
    out = capsys.readouterr().out
    for words in ("repeat purchase days", "time unit: week", "from the first purchase day",
                  "holdout", "r=", "gamma="):
        assert words in out
    first = fit.latest(engine)
    assert first["fitted_on"] == yesterday and first["n_customers"] == 60
    with engine.connect() as conn:
        assert conn.execute(select(AuditLog.action).where(AuditLog.entity == "model")).scalars().all() == ["fit"]
    thread = nightly.refit_in_background_if_used(engine, D)  # stale since today: refits
    thread.join(60)
    assert fit.latest(engine)["fitted_on"] == D and fit.latest(engine)["id"] != first["id"]
    assert nightly.refit_in_background_if_used(engine, D) is None  # fresh now
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CustomerClv)).scalar_one() == 60
