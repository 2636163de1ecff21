"""crm_data.sample: deterministic, consistent, realistic Vietnamese sample data."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from collections import Counter, defaultdict

import pytest
from sqlalchemy import insert, select, text

from crm_data import i18n, sample
from crm_data.domain import geo
from crm_data.domain.labels import lifecycle_from_stats
from crm_data.domain.phones import normalize_phone
from crm_data.domain.text import search_text
from crm_data.sample import duplicates
from crm_data.storage import schema
from crm_data.storage.db import make_engine
from crm_data.storage.models import User

REF = dt.date(2026, 11, 20)
N = 500
PIPELINE_ORDER = ("new", "contacted", "qualified", "quoted", "won")
HASHED_TABLES = ("customers", "orders", "order_lines", "payments", "stage_changes",
                 "interactions", "loyalty_ledger", "feedback", "appointments", "cash_book",
                 "products")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """An empty database at the schema head, copied for every generated one."""
    path = tmp_path_factory.mktemp("sample") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()
    return path


def _users_without_hashing(engine) -> None:
    """The demo usernames with a dummy hash: owners are assigned as with the real users,
    without paying for argon2 in every test database."""
    with engine.begin() as conn:
        conn.execute(insert(User), [
            {"username": u, "display_name": name, "role": role, "password_hash": "x",
             "active": True, "failed_logins": 0, "created_at": dt.datetime(2026, 1, 1)}
            for u, _p, role, name in sample.DEMO_USERS])


def _generate(template, tmp_path_factory, seed: int, customers: int = N):
    path = tmp_path_factory.mktemp("sample") / f"s{seed}.db"
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    _users_without_hashing(engine)
    result = sample.generate(engine, customers=customers, seed=seed, ref=REF,
                             with_demo_users=False)
    return engine, result


@pytest.fixture(scope="module")
def db(template, tmp_path_factory):
    engine, result = _generate(template, tmp_path_factory, seed=11)
    yield engine, result
    engine.dispose()


def _rows(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _digest(engine) -> str:
    h = hashlib.sha256()
    with engine.connect() as conn:
        for table in HASHED_TABLES:
            for row in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id"):  # noqa: S608
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_same_seed_same_rows_and_another_seed_other_rows(db, template, tmp_path_factory):
    engine, _ = db
    again, _ = _generate(template, tmp_path_factory, seed=11)
    other, _ = _generate(template, tmp_path_factory, seed=12)
    try:
        assert _digest(engine) == _digest(again)
        assert _digest(engine) != _digest(other)
    finally:
        again.dispose()
        other.dispose()


def test_counts_and_result(db):
    engine, result = db
    counts = {t: _rows(engine, f"SELECT count(*) FROM {t}")[0][0]  # noqa: S608
              for t in ("customers", "orders", "order_lines", "payments", "interactions",
                        "stage_changes", "customer_stats", "products")}
    assert result.customers == counts["customers"] == N
    assert result.orders == counts["orders"]
    assert result.order_lines == counts["order_lines"]
    assert result.payments == counts["payments"]
    assert result.interactions == counts["interactions"]
    assert result.stage_changes == counts["stage_changes"]
    assert counts["customer_stats"] == N  # summary filled for every customer
    assert 30 <= counts["products"] <= 50
    assert 6 * N <= counts["orders"] <= 14 * N  # ~10 orders per customer
    assert 2 * N <= counts["interactions"] <= 6 * N
    assert result.seconds > 0
    audit = _rows(engine, "SELECT username, action FROM audit_log WHERE action = 'seed'")
    assert audit == [("system", "seed")]


def test_foreign_keys_hold(db):
    engine, _ = db
    assert _rows(engine, "PRAGMA foreign_key_check") == []
    assert _rows(engine, "PRAGMA foreign_keys")[0][0] == 1  # back on after the seed


def test_phones_valid_unique_e164(db):
    engine, _ = db
    phones = [r[0] for r in _rows(engine, "SELECT phone FROM customers")]
    assert all(phones)
    for p in phones:
        assert normalize_phone(p).e164 == p
    # unique but for the planted duplicates (crm_data.sample.duplicates), which share them on purpose
    copies = {copy for _o, copy, _k in duplicates.planted(N, 11)}
    assert copies
    own = [r[0] for r in _rows(engine, "SELECT phone FROM customers ORDER BY id")]
    own = [p for i, p in enumerate(own, start=1) if i not in copies]
    assert len(set(own)) == len(own)
    emails = [r[0] for r in _rows(engine, "SELECT email FROM customers WHERE email IS NOT NULL")]
    mails = [r[1] for r in _rows(engine, "SELECT id, email FROM customers WHERE email IS NOT NULL")
             if r[0] not in copies]
    assert len(set(mails)) == len(mails)
    assert 0.5 <= len(emails) / N <= 0.75
    assert all("@" in e and e == e.lower() and e.isascii() for e in emails)


def test_provinces_and_regions(db):
    engine, _ = db
    provinces = geo.by_code()
    rows = _rows(engine, "SELECT province_code, region FROM customers")
    assert all(code in provinces and provinces[code].region == region for code, region in rows)
    assert len({code for code, _ in rows}) >= 25
    hcm = next(p.code for p in geo.provinces() if p.codename == "ho_chi_minh")
    assert Counter(code for code, _ in rows).most_common(1)[0][0] == hcm


ENUM_COLUMNS = [
    ("customers", "gender", "gender"), ("customers", "income_band", "income_band"),
    ("customers", "education", "education"), ("customers", "marital_status", "marital_status"),
    ("customers", "occupation", "occupation"), ("customers", "industry", "industry"),
    ("customers", "preferred_channel", "channel"), ("customers", "source", "source"),
    ("customers", "lifecycle_stage", "lifecycle_stage"),
    ("customers", "pipeline_stage", "pipeline_stage"), ("customers", "lost_reason", "lost_reason"),
    ("customers", "kind", "kind"), ("customers", "region", "region"),
    ("stage_changes", "lost_reason", "lost_reason"),
    ("interactions", "kind", "interaction_kind"), ("interactions", "outcome", "outcome"),
    ("feedback", "kind", "feedback_kind"), ("feedback", "status", "feedback_status"),
    ("orders", "payment_method", "payment_method"), ("payments", "method", "payment_method"),
    ("orders", "channel", "order_channel"), ("appointments", "kind", "appointment_kind"),
    ("users", "role", "role"), ("customer_stats", "tier", "tier"),
    ("customer_stats", "rfm_segment", "rfm_segment"),
]


@pytest.mark.parametrize(("table", "column", "field"), ENUM_COLUMNS)
def test_enumeration_values_are_known_keys(db, table, column, field):
    engine, _ = db
    values = {r[0] for r in _rows(engine, f"SELECT DISTINCT {column} FROM {table}")  # noqa: S608
              if r[0] is not None}
    assert values, f"{table}.{column} is never set"
    assert values <= set(i18n.choices(field))


def test_stage_kinds_and_stage_names(db):
    engine, _ = db
    for kind, field in (("pipeline", "pipeline_stage"), ("lifecycle", "lifecycle_stage")):
        stages = {s for row in _rows(engine, "SELECT DISTINCT from_stage, to_stage FROM "
                                             "stage_changes WHERE kind = :k", k=kind)
                  for s in row if s is not None}
        assert stages <= set(i18n.choices(field))
    assert {r[0] for r in _rows(engine, "SELECT DISTINCT kind FROM stage_changes")} == \
        {"pipeline", "lifecycle"}


def test_order_money_is_consistent(db):
    engine, _ = db
    bad = _rows(engine, """
        SELECT o.id FROM orders o
        LEFT JOIN (SELECT order_id, sum(amount) s, count(*) n, sum(unit_cost IS NULL) unknown,
                          sum(quantity * unit_cost) c
                   FROM order_lines GROUP BY order_id) l ON l.order_id = o.id
        WHERE o.amount != o.subtotal - o.discount OR o.amount < 0 OR o.discount < 0
           OR o.paid_amount < 0 OR o.paid_amount > o.amount OR o.subtotal != l.s
           OR o.items_count != l.n OR o.items_count NOT BETWEEN 1 AND 4
           OR (l.unknown > 0) != (o.cost IS NULL) OR (o.cost IS NOT NULL AND o.cost != l.c)
           OR o.amount % 1000 != 0 OR o.discount % 1000 != 0 OR o.paid_amount % 1000 != 0
           OR (o.status = 'cancelled' AND o.paid_amount != 0)
           OR o.order_date != date(o.ordered_at)
           OR time(o.ordered_at) < '08:00:00' OR time(o.ordered_at) >= '21:00:00'""")
    assert bad == []
    statuses = dict(_rows(engine, "SELECT status, count(*) FROM orders GROUP BY status"))
    assert set(statuses) == {"completed", "cancelled"}
    assert statuses["cancelled"] / sum(statuses.values()) < 0.06
    lines = _rows(engine, "SELECT amount = quantity * unit_price, unit_price, unit_cost "
                          "FROM order_lines")
    assert all(ok and 50_000 <= price <= 5_000_000 and price % 1000 == 0 and
               (cost is None or cost < price) for ok, price, cost in lines)
    owing = _rows(engine, "SELECT count(*) FROM orders WHERE status = 'completed' "
                          "AND paid_amount < amount")[0][0]
    assert 0.02 < owing / statuses["completed"] < 0.2


def test_payments_never_overpay_and_come_after_the_order(db):
    engine, _ = db
    bad = _rows(engine, """
        SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id
        GROUP BY o.id
        HAVING sum(p.amount) > o.amount - o.paid_amount OR min(p.amount) <= 0
            OR min(p.paid_on) <= o.order_date OR max(p.paid_on) > :ref
            OR max(p.customer_id != o.customer_id) OR max(o.status != 'completed')""",
                ref=REF.isoformat())
    assert bad == []
    assert _rows(engine, "SELECT count(*) FROM payments")[0][0] > 0
    receipts = _rows(engine, "SELECT count(*), sum(amount) FROM cash_book WHERE "
                             "category = 'debt_collection'")[0]
    assert receipts == _rows(engine, "SELECT count(*), sum(amount) FROM payments")[0]
    debt = _rows(engine, "SELECT count(*) FROM customer_stats WHERE debt > 0")[0][0]
    negative = _rows(engine, "SELECT count(*) FROM customer_stats WHERE debt < 0")[0][0]
    assert debt > 0 and negative == 0


def test_nothing_is_dated_after_ref(db):
    engine, _ = db
    end = (REF + dt.timedelta(days=1)).isoformat()
    checks = {
        "customers": "created_at", "orders": "ordered_at", "payments": "paid_on",
        "stage_changes": "changed_at", "interactions": "occurred_at",
        "loyalty_ledger": "entry_date", "cash_book": "entry_date", "feedback": "opened_at",
    }
    for table, column in checks.items():
        latest, earliest = _rows(engine, f"SELECT max({column}), min({column}) FROM {table}")[0]  # noqa: S608
        assert latest < end, table
        assert earliest >= (REF - dt.timedelta(days=3 * 366)).isoformat(), table
    assert _rows(engine, "SELECT max(resolved_at) FROM feedback")[0][0] < end
    assert _rows(engine, "SELECT count(*) FROM customers WHERE birth_date > :r", r=REF.isoformat())[0][0] == 0


def test_pipeline_history_is_monotone_and_ends_at_the_customer_stage(db):
    engine, _ = db
    history = defaultdict(list)
    for cid, frm, to, at, reason in _rows(engine, "SELECT customer_id, from_stage, to_stage, "
                                          "changed_at, lost_reason FROM stage_changes "
                                          "WHERE kind = 'pipeline' ORDER BY id"):
        history[cid].append((frm, to, at, reason))
    customers = _rows(engine, "SELECT id, pipeline_stage, lost_reason, source, created_at "
                              "FROM customers")
    assert len(history) == len(customers)
    for cid, stage, lost_reason, source, created_at in customers:
        changes = history[cid]
        times = [c[2] for c in changes]
        assert times == sorted(times) and len(set(times)) == len(times), cid
        assert changes[0][:2] == (None, "new") and changes[0][2] == created_at
        for prev, cur in zip(changes, changes[1:], strict=False):
            assert cur[0] == prev[1]
            if cur[1] == "lost":
                assert cur[3] is not None
            elif cur[1] == "won" and cur[0] == "new":
                assert source == "walk_in"  # walk-in buyers skip the funnel
            else:
                assert PIPELINE_ORDER.index(cur[1]) == PIPELINE_ORDER.index(cur[0]) + 1
        assert changes[-1][1] == stage
        assert changes[-1][3] == lost_reason
        assert (lost_reason is not None) == (stage == "lost")


def test_funnel_has_real_drop_off(db):
    engine, _ = db
    entered = dict(_rows(engine, "SELECT to_stage, count(DISTINCT customer_id) FROM "
                                 "stage_changes WHERE kind = 'pipeline' GROUP BY to_stage"))
    assert entered["new"] == N
    assert entered["new"] > entered["contacted"] > entered["qualified"] > entered["quoted"] \
        > entered["won"]
    assert 0.6 < entered["contacted"] / entered["new"] < 0.9
    assert 0.1 < entered["won"] / entered["new"] < 0.4
    reasons = Counter(r[0] for r in _rows(engine, "SELECT lost_reason FROM customers "
                                                  "WHERE pipeline_stage = 'lost'"))
    assert len(reasons) >= 5
    # the ones who buy are the won ones
    buyers_not_won = _rows(engine, "SELECT count(*) FROM customers c JOIN customer_stats s "
                                   "ON s.customer_id = c.id WHERE s.orders_count > 0 "
                                   "AND c.pipeline_stage != 'won'")[0][0]
    assert buyers_not_won == 0


def test_first_purchase_follows_the_win(db):
    engine, _ = db
    rows = _rows(engine, """
        SELECT w.changed_at, min(o.ordered_at) FROM stage_changes w
        JOIN orders o ON o.customer_id = w.customer_id
        WHERE w.kind = 'pipeline' AND w.to_stage = 'won' GROUP BY w.customer_id""")
    assert rows
    for won_at, first in rows:
        gap = dt.datetime.fromisoformat(first) - dt.datetime.fromisoformat(won_at)
        assert dt.timedelta(0) < gap < dt.timedelta(hours=1)


def test_lifecycle_matches_the_orders(db):
    engine, _ = db
    rows = _rows(engine, """
        SELECT c.id, c.lifecycle_stage, s.orders_count, s.last_order_date,
               (SELECT to_stage FROM stage_changes x WHERE x.customer_id = c.id
                AND x.kind = 'lifecycle' ORDER BY changed_at DESC, id DESC LIMIT 1)
        FROM customers c JOIN customer_stats s ON s.customer_id = c.id""")
    stages = Counter()
    for _cid, stage, n, last, last_change in rows:
        last_day = dt.date.fromisoformat(last) if last else None
        assert lifecycle_from_stats(n, last_day, REF, stage) == stage
        assert last_change == stage
        stages[stage] += 1
    assert {"awareness", "consideration", "first_purchase", "repeat", "loyal", "lapsed"} <= set(stages)
    # the journey history is a chain, in time order
    chain = defaultdict(list)
    for cid, frm, to, at in _rows(engine, "SELECT customer_id, from_stage, to_stage, changed_at "
                                          "FROM stage_changes WHERE kind = 'lifecycle' ORDER BY id"):
        chain[cid].append((frm, to, at))
    for changes in chain.values():
        assert changes[0][:2] == (None, "awareness")
        assert [c[2] for c in changes] == sorted(c[2] for c in changes)
        for prev, cur in zip(changes, changes[1:], strict=False):
            assert cur[0] == prev[1] and cur[1] != prev[1]


def test_names_are_vietnamese_and_weighted(db):
    engine, _ = db
    rows = _rows(engine, "SELECT full_name, gender, kind, company, industry FROM customers")
    family = Counter(name.split()[0] for name, *_ in rows)
    assert 0.30 <= family["Nguyễn"] / len(rows) <= 0.45
    assert family["Trần"] > family["Đỗ"]
    individuals = [r for r in rows if r[2] == "individual"]
    female = sum(r[1] == "female" for r in individuals) / len(individuals)
    assert 0.45 <= female <= 0.60
    thi = [r for r in individuals if " Thị " in r[0]]
    assert thi and all(r[1] in ("female", "other") for r in thi)
    van = [r for r in individuals if " Văn " in r[0]]
    assert van and all(r[1] in ("male", "other") for r in van)
    assert all(2 <= len(name.split()) <= 4 for name, *_ in rows)
    business = [r for r in rows if r[2] == "business"]
    assert 0.05 <= len(business) / len(rows) <= 0.15
    assert all(r[3] and r[3].startswith(("Công ty TNHH ", "Công ty CP ", "Hộ kinh doanh "))
               and r[4] for r in business)
    assert all(r[3] is None and r[4] is None for r in individuals)


def test_search_text_codes_and_tags(db):
    engine, _ = db
    rows = _rows(engine, "SELECT id, code, full_name, phone, email, company, search_text, tags "
                         "FROM customers ORDER BY id")
    for cid, code, name, phone, email, company, search, tags in rows:
        assert code == f"KH{cid:06d}"
        assert search == search_text(name, code, "0" + phone[3:], email, company)
        assert tags == "" or (tags.startswith(",") and tags.endswith(",") and ",," not in tags)
    assert any(",VIP," in r[7] for r in rows)  # the sample's tags as users spell them
    codes = [r[0] for r in _rows(engine, "SELECT code FROM orders ORDER BY id")]
    assert codes[0] == "DH0000001" and codes[-1] == f"DH{len(codes):07d}"
    created = [r[0] for r in _rows(engine, "SELECT created_at FROM customers ORDER BY id")]
    assert created == sorted(created)  # codes follow the order customers came in


def test_owners_spread_over_the_sales_team(db):
    engine, _ = db
    owners = dict(_rows(engine, "SELECT coalesce(u.username, '-'), count(*) FROM customers c "
                                "LEFT JOIN users u ON u.id = c.owner_id GROUP BY 1"))
    assert 0.15 <= owners["staff"] / N <= 0.30
    assert {"lan", "minh", "hoa", "manager"} <= set(owners)
    assert "admin" not in owners and "viewer" not in owners


def test_loyalty_balance_never_negative(db):
    engine, _ = db
    balance = defaultdict(int)
    redeemed = 0
    for cid, kind, points in _rows(engine, "SELECT customer_id, kind, points FROM "
                                           "loyalty_ledger ORDER BY entry_date, id"):
        assert (points > 0) == (kind == "earn")
        balance[cid] += points
        redeemed += kind == "redeem"
        assert balance[cid] >= 0
    assert redeemed > 0
    earned = dict(_rows(engine, "SELECT customer_id, sum(amount) / 10000 FROM orders "
                                "WHERE status = 'completed' GROUP BY customer_id"))
    points = dict(_rows(engine, "SELECT customer_id, sum(points) FROM loyalty_ledger "
                                "WHERE kind = 'earn' GROUP BY customer_id"))
    assert all(points.get(c, 0) <= e for c, e in earned.items())
    assert sum(points.values()) >= 0.95 * sum(earned.values())


def test_interactions_feedback_appointments(db):
    engine, _ = db
    outcomes = dict(_rows(engine, "SELECT outcome, count(*) FROM interactions GROUP BY 1"))
    assert set(outcomes) == {"consulted", "skipped", "no_answer", "follow_up"}
    follow = _rows(engine, "SELECT count(*), sum(next_step_date IS NULL), "
                           "sum(next_step_date <= date(occurred_at)) FROM interactions "
                           "WHERE outcome = 'follow_up'")[0]
    assert follow[0] > 0 and follow[1] == 0 and follow[2] == 0
    assert _rows(engine, "SELECT count(*) FROM interactions WHERE outcome != 'follow_up' "
                         "AND next_step_date IS NOT NULL")[0][0] == 0
    early = _rows(engine, "SELECT count(*) FROM interactions i JOIN customers c ON "
                          "c.id = i.customer_id WHERE i.occurred_at < c.created_at")[0][0]
    assert early == 0
    resolved = _rows(engine, "SELECT opened_at, resolved_at FROM feedback WHERE kind = "
                             "'complaint' AND status = 'resolved'")
    for opened, done in resolved:
        delta = dt.datetime.fromisoformat(done) - dt.datetime.fromisoformat(opened)
        assert dt.timedelta(0) < delta <= dt.timedelta(days=14)
    assert _rows(engine, "SELECT count(*) FROM feedback WHERE status != 'resolved' "
                         "AND resolved_at IS NOT NULL")[0][0] == 0
    ratings = {r[0] for r in _rows(engine, "SELECT rating FROM feedback WHERE kind = 'review'")}
    assert ratings and ratings <= {1, 2, 3, 4, 5}
    soon = _rows(engine, "SELECT count(*) FROM appointments WHERE status = 'open' AND "
                         "due_at > :a AND due_at < :b",
                 a=(REF + dt.timedelta(days=1)).isoformat(),
                 b=(REF + dt.timedelta(days=15)).isoformat())[0][0]
    done = _rows(engine, "SELECT count(*), sum(done_at < due_at) FROM appointments "
                         "WHERE status = 'done'")[0]
    assert soon > 0 and done[0] > 0 and done[1] == 0


def test_revenue_peaks_before_tet(db):
    engine, _ = db
    by_month = dict(_rows(engine, "SELECT CAST(strftime('%m', order_date) AS INTEGER), "
                                  "sum(amount) FROM orders WHERE status = 'completed' GROUP BY 1"))
    assert by_month[1] + by_month[2] > by_month[6] + by_month[7]
    # the three weeks before Tết 2026 (17/02) against the same weeks after it
    before = _rows(engine, "SELECT sum(amount) FROM orders WHERE status = 'completed' AND "
                           "order_date >= '2026-01-27' AND order_date < '2026-02-17'")[0][0]
    after = _rows(engine, "SELECT sum(amount) FROM orders WHERE status = 'completed' AND "
                          "order_date >= '2026-02-27' AND order_date < '2026-03-20'")[0][0]
    assert before > 1.4 * after


def test_more_customers_in_recent_years(db):
    engine, _ = db
    per_year = []
    for k in (3, 2, 1):
        lo, hi = REF - dt.timedelta(days=365 * k), REF - dt.timedelta(days=365 * (k - 1))
        per_year.append(_rows(engine, "SELECT count(*) FROM customers WHERE created_at >= :a "
                                      "AND created_at < :b", a=lo.isoformat(),
                              b=hi.isoformat())[0][0])
    assert per_year[0] < per_year[1] < per_year[2]


def test_refuses_a_database_with_customers(db):
    engine, _ = db
    assert not sample.is_empty(engine)
    with pytest.raises(ValueError, match="already has customers"):
        sample.generate(engine, customers=10, ref=REF, with_demo_users=False)


def test_demo_users_one_per_role_idempotent(template, tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    from crm_data.accounts import auth

    # the real hashing code path, with cheap argon2 parameters
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    path = tmp_path / "users.db"
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert sample.is_empty(engine)
        sample.ensure_demo_users(engine)
        sample.ensure_demo_users(engine)
        users = _rows(engine, "SELECT username, role, display_name FROM users ORDER BY id")
        assert [u[0] for u in users] == [u[0] for u in sample.DEMO_USERS]
        core = {u[0]: u for u in sample.DEMO_USERS if u[0] in ("admin", "manager", "staff", "viewer")}
        assert {u[2] for u in core.values()} == {"admin", "manager", "staff", "viewer"}
        assert core["admin"][1] == "admin123!" and core["viewer"][1] == "viewer123!"
        extra = [u for u in sample.DEMO_USERS if u[0] not in core]
        assert 3 <= len(extra) <= 5 and all(u[1] == "staff123!" and u[2] == "staff" for u in extra)
        assert auth.authenticate(engine, "manager", "manager123!").scope.role == "manager"
        assert auth.authenticate(engine, "lan", "staff123!").scope.role == "staff"
        assert auth.authenticate(engine, "staff", "admin123!").scope is None
    finally:
        engine.dispose()


def test_sample_files(tmp_path):
    written = sample.write_sample_files(tmp_path, seed=7, ref=REF)
    assert set(written) == {"khach_hang_mau.csv", "khach_hang_mau.xlsx", "don_hang_mau.csv",
                            "don_hang_mau.xlsx"}
    raw = (tmp_path / "khach_hang_mau.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "khach_hang_mau.csv", encoding="utf-8-sig", newline="") as fh:
        customers = list(csv.DictReader(fh))
    assert list(customers[0]) == sample.CUSTOMER_HEADERS
    assert 150 <= len(customers) <= 250
    for row in customers:
        assert normalize_phone(row["Số điện thoại"]).e164.startswith("+84")
        assert row["Giới tính"] in ("Nam", "Nữ", "Khác")
        if row["Ngày sinh"]:
            dt.datetime.strptime(row["Ngày sinh"], "%d/%m/%Y")
        assert geo.find_province(row["Tỉnh/Thành phố"]) is not None
    with open(tmp_path / "don_hang_mau.csv", encoding="utf-8-sig", newline="") as fh:
        orders = list(csv.DictReader(fh))
    assert list(orders[0]) == sample.ORDER_HEADERS
    codes = {r["Mã KH"] for r in customers}
    assert 700 <= len({r["Mã đơn"] for r in orders}) <= 1500
    for r in orders:
        assert r["Mã KH"] in codes
        qty, price, disc = int(r["Số lượng"]), int(r["Đơn giá"]), int(r["Giảm giá"])
        assert int(r["Thành tiền"]) == qty * price - disc >= 0
        assert 0 <= int(r["Đã thanh toán"]) <= int(r["Thành tiền"])
        assert r["Hình thức thanh toán"] in {i18n.label("payment_method", m, "vi")
                                             for m in i18n.choices("payment_method")}
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "don_hang_mau.xlsx", read_only=True).active
    header, first = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    assert list(header) == sample.ORDER_HEADERS and first[0] == orders[0]["Mã đơn"]


def test_generate_on_each_backend(engine):
    """The same generator on SQLite and PostgreSQL; new rows get ids after the seeded ones."""
    _users_without_hashing(engine)
    result = sample.generate(engine, customers=120, seed=3, ref=REF, with_demo_users=False)
    assert result.customers == 120 and result.orders > 0
    with engine.begin() as conn:
        new_id = conn.execute(insert(User).values(
            username="later", display_name="Later", role="staff", password_hash="x",
            active=True, failed_logins=0, created_at=dt.datetime(2026, 1, 1))
            .returning(User.id)).scalar()
        assert new_id == len(sample.DEMO_USERS) + 1
        from crm_data.storage.models import Customer, Order

        cid = conn.execute(insert(Customer).values(
            code="KH999999", full_name="Khách Mới", search_text="", kind="individual",
            lifecycle_stage="awareness", pipeline_stage="new", tags="", consent=False,
            created_at=dt.datetime(2026, 1, 1), updated_at=dt.datetime(2026, 1, 1), version=1)
            .returning(Customer.id)).scalar()
        assert cid == 121
        oid = conn.execute(insert(Order).values(
            code="DH9999999", customer_id=cid, order_date=REF, ordered_at=dt.datetime(2026, 11, 20, 9),
            status="completed", subtotal=1000, discount=0, amount=1000, paid_amount=1000,
            items_count=1, created_at=dt.datetime(2026, 11, 20, 9)).returning(Order.id)).scalar()
        assert oid == result.orders + 1
        assert conn.execute(select(Customer.lifecycle_stage).where(Customer.id == 1)).scalar()
