"""Merging two customers: every row that references the loser (found from the schema) moves
to the survivor, report totals do not change, the summaries equal a full rebuild, and an
undo puts every table back as it was."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, insert, inspect, select, text

from crm_data import summaries
from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.dedupe import children, merge
from crm_data.domain.clock import now
from crm_data.domain.periods import Period
from crm_data.reports import overview, revenue, segments
from crm_data.storage.models import Base, CashEntry, Customer, LeadAnswer
from crm_data.writes import Conflict, activity
from crm_data.writes import customer as cw


def _year() -> Period:
    """This year to date, taken when read. Records are stamped with the real clock
    (crm_data.domain.clock.now) and the day is pinned, so the period spans both; a
    module-level date went stale when the suite crossed midnight (Vietnam time) and the
    customers created after it fell outside the period."""
    return Period(dt.date(2026, 1, 1), max(now().date(), dt.date(2026, 11, 20)))


# Bookkeeping that a merge writes or that differs by design; everything else must be equal.
NOT_COMPARED = {"audit_log", "app_meta", "customer_merges", "duplicate_pairs", "user_sessions",
                "login_throttle", "alembic_version"}
ROW_IDS = {"order_rollup", "customer_rollup", "stage_flow_rollup", "funnel_rollup", "interaction_rollup",
           "payment_rollup"}  # recomputed cells get new ids
VOLATILE = {"customers": {"version"}, "customer_stats": {"refreshed_at"}}


@pytest.fixture
def world(engine):
    admin = Scope(auth.add_user(engine, "admin", "password123", "admin"), "admin", "admin")
    staff = Scope(auth.add_user(engine, "staff", "password123", "staff"), "staff", "staff")
    a = cw.create_customer(engine, admin, {
        "full_name": "Nguyễn Văn Đức", "phone": "0912345678", "province": "Hà Nội",
        "birth_date": "02/03/1990", "tags": "vip", "owner_id": staff.user_id})
    b = cw.create_customer(engine, admin, {
        "full_name": "Duc Nguyen Van", "phone": "+84 912 345 678", "email": "duc@example.vn",
        "province": "Hà Nội", "tags": "tet"}, confirm_duplicate=True)
    other = cw.create_customer(engine, admin, {"full_name": "Trần Thị Lan", "phone": "0987654321"})
    for cid, day, price, paid in ((a.id, "10/02/2026", 300_000, 300_000),
                                  (b.id, "10/02/2026", 200_000, 50_000),
                                  (b.id, "05/09/2026", 500_000, 500_000),
                                  (other.id, "01/06/2026", 100_000, 100_000)):
        activity.add_order(engine, admin, cid, {"order_date": day, "paid_amount": paid,
                                                "lines": [{"description": "Áo", "quantity": 1,
                                                           "unit_price": price}]})
    activity.record_payment(engine, admin, b.id, {"amount": "100.000", "method": "cash"})
    activity.log_interaction(engine, admin, b.id, {"kind": "call", "outcome": "consulted"})
    activity.open_feedback(engine, admin, b.id, {"kind": "complaint", "subject": "Giao trễ"})
    activity.schedule_appointment(engine, admin, b.id, {"title": "Gặp", "due_at": "01/12/2026"})
    with engine.begin() as conn:  # a questionnaire answered on both records: one unique key
        conn.execute(insert(LeadAnswer), [
            {"customer_id": a.id, "question_key": "budget", "answer_key": "high", "points": 5},
            {"customer_id": b.id, "question_key": "budget", "answer_key": "low", "points": 1},
            {"customer_id": b.id, "question_key": "timing", "answer_key": "now", "points": 3}])
        conn.execute(insert(CashEntry), [{"entry_date": dt.date(2026, 3, 1), "kind": "receipt",
                                          "category": "sales", "amount": 10_000, "customer_id": b.id,
                                          "voucher_no": "PT900001"}])
    return admin, staff, a, b, other


def _snapshot(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(Base.metadata.tables.items()):
            if name in NOT_COMPARED:
                continue
            drop = VOLATILE.get(name, set()) | ({"id"} if name in ROW_IDS else set())
            cols = [c for c in table.c if c.name not in drop]
            out[name] = sorted(tuple(map(str, r)) for r in conn.execute(select(*cols)))
    return out


def _totals(engine, admin):
    year = _year()
    k = overview.kpis(engine, admin, year)
    by_month = revenue.by_bucket(engine, admin, year, "month")
    seg = segments.segment_counts(engine, admin, year, "province")
    return {"revenue": k.revenue, "orders": k.orders, "receivables": k.receivables,
            "interactions": k.interactions, "total_customers": k.total_customers,
            "monthly": by_month["revenue"].tolist(),
            "segment_customers": int(seg["customers"].sum()), "segment_revenue": int(seg["revenue"].sum())}


def _rollups(engine) -> dict:
    snap = _snapshot(engine)
    return {k: snap[k] for k in ROW_IDS | {"customer_stats"}}


FUTURE = {  # tables a later release might add: the merge must find them by itself
    "future_notes": "CREATE TABLE future_notes (id INTEGER PRIMARY KEY, "
                    "customer_id INTEGER NOT NULL REFERENCES customers(id), note VARCHAR(20))",
    "future_scores": "CREATE TABLE future_scores (customer_id INTEGER PRIMARY KEY "
                     "REFERENCES customers(id), score INTEGER)",
}


def _future(engine) -> dict:
    with engine.connect() as conn:
        return {name: sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {name}")))  # noqa: S608
                for name in FUTURE}


def test_merge_moves_every_child_row_keeps_totals_and_undo_restores(engine, world):
    admin, staff, a, b, other = world
    with engine.begin() as conn:
        for ddl in FUTURE.values():
            conn.execute(text(ddl))
        conn.execute(text("INSERT INTO future_notes VALUES (1, :a, 'a'), (2, :b, 'b')"), {"a": a.id, "b": b.id})
        conn.execute(text("INSERT INTO future_scores VALUES (:a, 10), (:b, 20), (:o, 30)"),
                     {"a": a.id, "b": b.id, "o": other.id})
    before, totals, future = _snapshot(engine), _totals(engine, admin), _future(engine)
    with engine.connect() as conn:
        refs = children.references(conn)
    # every foreign key to customers in the schema (bar the derived summary) is handled
    expected = {(t, fk.parent.name) for t, table in Base.metadata.tables.items()
                for fk in table.foreign_keys if fk.column.table.name == "customers"
                and t not in ("customers", "customer_stats")} | {(t, "customer_id") for t in FUTURE}
    assert {(r.table, r.column) for r in refs} == expected and len(expected) >= 11

    done = merge.merge(engine, admin, a.id, b.id, {"email": "loser", "full_name": "survivor"},
                       versions=(a.version, b.version))
    assert done.set_aside == 2  # b's "budget" answer (a answered it too) and b's own score row
    assert _future(engine) == {"future_notes": [(1, a.id, "a"), (2, a.id, "b")],
                               "future_scores": [(a.id, 10), (other.id, 30)]}
    with engine.connect() as conn:
        for ref in refs:
            left = conn.execute(text(f"SELECT count(*) FROM {ref.table} WHERE {ref.column} = :c"),  # noqa: S608
                                {"c": b.id}).scalar()
            assert left == 0, ref.key
        kept = conn.execute(select(Customer.__table__).where(Customer.id == a.id)).one()
        loser = conn.execute(select(Customer.deleted_at).where(Customer.id == b.id)).scalar()
    assert (kept.full_name, kept.email, kept.tags, kept.phone) == (
        "Nguyễn Văn Đức", "duc@example.vn", ",tet,vip,", "+84912345678")
    assert loser is not None

    after = _totals(engine, admin)
    assert after == {**totals, "total_customers": totals["total_customers"] - 1,
                     "segment_customers": totals["segment_customers"] - 1}
    maintained = _rollups(engine)
    summaries.rebuild_all(engine)
    assert _rollups(engine) == maintained  # the maintained summaries equal a rebuild

    merge.undo(engine, admin, done.merge_id)
    assert _snapshot(engine) == before and _future(engine) == future
    assert _totals(engine, admin) == totals
    with pytest.raises(merge.UndoRefused):
        merge.undo(engine, admin, done.merge_id)


def test_merge_is_audited_refused_for_others_and_undo_has_limits(engine, world):
    admin, staff, a, b, other = world
    with pytest.raises(PermissionError):
        merge.merge(engine, staff, a.id, b.id)
    with pytest.raises(Conflict):
        merge.merge(engine, admin, a.id, b.id, versions=(a.version + 5, b.version))
    done = merge.merge(engine, admin, b.id, a.id)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT before, detail FROM audit_log WHERE action = 'merge'")).one()
    before = json.loads(row.before)
    assert before["survivor"]["email"] == "duc@example.vn" and before["loser"]["birth_date"] == "1990-03-02"
    assert json.loads(row.detail)["loser_id"] == a.id
    # an edit of the survivor after the merge would be lost: undo refuses
    with engine.connect() as conn:
        version = conn.execute(select(Customer.version).where(Customer.id == b.id)).scalar()
    cw.update_customer(engine, admin, b.id, version, {**cw.form_values(
        {"full_name": "Duc Nguyen", "phone": "+84912345678", "kind": "individual"})},
        confirm_duplicate=True)
    with pytest.raises(merge.UndoRefused) as exc:
        merge.undo(engine, admin, done.merge_id)
    assert exc.value.reason == "dupes.undo.changed"
    # and past the window
    done2 = merge.merge(engine, admin, b.id, other.id)
    with engine.begin() as conn:
        conn.execute(text("UPDATE customer_merges SET merged_at = :t WHERE id = :i"),
                     {"t": dt.datetime(2025, 1, 1), "i": done2.merge_id})
    with pytest.raises(merge.UndoRefused) as exc:
        merge.undo(engine, admin, done2.merge_id)
    assert exc.value.reason == "dupes.undo.expired"
    assert inspect(engine).has_table("customer_merges")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Customer)
                            .where(Customer.deleted_at.is_(None))).scalar() == 1
    # erasing the surviving person also scrubs the before-states the merges kept
    from crm_data.privacy.erasure import erase_person

    with engine.connect() as conn:
        code = conn.execute(select(Customer.code).where(Customer.id == b.id)).scalar()
    erase_person(engine, admin, b.id, code)
    with engine.connect() as conn:
        kept = " ".join(conn.execute(text("SELECT before FROM customer_merges")).scalars())
    assert "duc@example.vn" not in kept and "912345678" not in kept and "[erased]" in kept
