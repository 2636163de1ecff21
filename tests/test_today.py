"""The Today list (crm_data.daily.today): each kind on its first day and not the day before,
birthdays across the year end and on 29 February, snooze and done, scope, and the whole list
against an independent pandas computation over the raw rows of a small hand-built dataset."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_data import summaries
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.daily import today, today_actions
from crm_data.domain import labels
from crm_data.storage.models import (
    Appointment,
    AuditLog,
    ChurnReason,
    Customer,
    Feedback,
    Interaction,
    Order,
    PaymentAllocation,
    User,
)
from tests.conftest import FIXED_TODAY

D = dt.date
T = dt.datetime


def _customer(s: Session, code: str, owner: int, birth: dt.date | None = None) -> int:
    row = Customer(code=code, full_name=f"Khách {code}", search_text=code.lower(), kind="individual",
                   lifecycle_stage="awareness", pipeline_stage="won", tags="", consent=False,
                   created_at=T(2024, 1, 1), updated_at=T(2024, 1, 1), owner_id=owner,
                   birth_date=birth)
    s.add(row)
    s.flush()
    return row.id


def _order(s: Session, cid: int, day: dt.date) -> None:
    s.add(Order(code=f"DH{cid:03d}{day:%y%m%d}", customer_id=cid, order_date=day,
                ordered_at=T.combine(day, dt.time(10)), status="completed", subtotal=100_000,
                discount=0, amount=100_000, paid_amount=100_000, items_count=1,
                created_at=T.combine(day, dt.time(10))))


def _talk(s: Session, cid: int, at: dt.datetime, next_step: dt.date | None = None) -> int:
    row = Interaction(customer_id=cid, kind="call", outcome="follow_up" if next_step else "consulted",
                      occurred_at=at, next_step_date=next_step, note="gọi lại")
    s.add(row)
    s.flush()
    return row.id


@pytest.fixture
def world(engine):
    """Two staff owners, one customer per kind (and a few that must never show)."""
    ids = {}
    with Session(engine) as s, s.begin():
        users = [User(username=n, display_name=n.title(), role="staff", password_hash="-")
                 for n in ("lan", "minh")]
        s.add_all(users)
        s.flush()
        a, b = (u.id for u in users)
        ids["follow"] = c = _customer(s, "KH001", a)
        ids["follow_src"] = _talk(s, c, T(2026, 11, 10, 10), D(2026, 11, 18))
        c = _customer(s, "KH002", b)  # settled: a later call
        _talk(s, c, T(2026, 11, 10, 10), D(2026, 11, 15))
        _talk(s, c, T(2026, 11, 16, 9))
        ids["appt"] = c = _customer(s, "KH003", a)
        ap = Appointment(customer_id=c, kind="appointment", title="Tư vấn", status="open",
                         due_at=T(2026, 11, 20, 15))
        s.add_all([ap, Appointment(customer_id=c, kind="appointment", title="Đã xong", status="done",
                                   due_at=T(2026, 11, 20, 9))])
        s.flush()
        ids["appt_src"] = ap.id
        ids["dec31"] = _customer(s, "KH004", b, D(1990, 12, 31))
        ids["jan2"] = _customer(s, "KH005", a, D(1985, 1, 2))
        ids["feb29"] = _customer(s, "KH006", a, D(2000, 2, 29))
        ids["reorder"] = c = _customer(s, "KH007", a)
        _order(s, c, D(2026, 9, 20))
        _order(s, c, D(2026, 10, 20))  # every 30 days: due on 19/11
        ids["winback"] = c = _customer(s, "KH008", b)
        _order(s, c, D(2026, 2, 22))
        _order(s, c, D(2026, 8, 22))  # 90 days on 20/11: at risk from that day
        ids["complaint"] = c = _customer(s, "KH009", b)
        fb = Feedback(customer_id=c, kind="complaint", status="in_progress", subject="Giao trễ",
                      opened_at=T(2026, 11, 16, 9))
        s.add_all([fb, Feedback(customer_id=c, kind="question", status="open", subject="Hỏi giá",
                                opened_at=T(2026, 11, 1, 9))])
        s.flush()
        ids["complaint_src"] = fb.id
        ids["debt"] = c = _customer(s, "KH010", a)  # 300.000 ₫ open, due 19/11 (30-day terms)
        s.add(Order(code="DH-NO", customer_id=c, order_date=D(2026, 10, 20), ordered_at=T(2026, 10, 20, 10),
                    status="completed", subtotal=500_000, discount=0, amount=500_000, paid_amount=200_000,
                    items_count=1, created_at=T(2026, 10, 20, 10)))
    summaries.rebuild_all(engine, FIXED_TODAY)
    ids["a"], ids["b"] = a, b
    return engine, ids


ADMIN = Scope(None, "system", "admin")


def _keys(engine, day, scope=ADMIN, **kw) -> set[tuple]:
    df = today.items(engine, scope, day, **kw)
    return {(r.kind, r.customer_id) for r in df.itertuples()}


FIRST_DAYS = [  # (kind, customer, first day it is listed)
    ("follow_up", "follow", D(2026, 11, 18)),
    ("appointment_week", "appt", D(2026, 11, 16)),
    ("appointment_today", "appt", D(2026, 11, 20)),
    ("birthday", "dec31", D(2026, 12, 28)),  # Monday of the week across the year end
    ("birthday", "jan2", D(2026, 12, 28)),
    ("birthday", "feb29", D(2027, 2, 22)),  # 2027: kept on Sunday 28/02
    ("birthday", "feb29", D(2028, 2, 28)),  # 2028: 29/02 is a Tuesday
    ("reorder", "reorder", D(2026, 11, 19)),
    ("winback", "winback", D(2026, 11, 20)),
    ("overdue_debt", "debt", D(2026, 11, 20)),  # due 19/11, a day late on 20/11
    ("complaint", "complaint", D(2026, 11, 19)),  # open 16/11 09:00, 3 × 24 h over on 19/11 09:00
]


def test_each_kind_on_its_day_and_not_the_day_before(world):
    engine, ids = world
    for kind, who, first in FIRST_DAYS:
        assert (kind, ids[who]) in _keys(engine, first), (kind, first)
        assert (kind, ids[who]) not in _keys(engine, first - dt.timedelta(days=1)), (kind, first)


def test_birthday_dates_and_reasons(world):
    engine, ids = world
    df = today.items(engine, ADMIN, D(2027, 2, 22), which=("birthday",), lang="en")
    row = df[df["customer_id"] == ids["feb29"]].iloc[0]
    assert row["due_on"] == D(2027, 2, 28) and not calendar.isleap(2027)
    assert "29 February" in row["why"] and "turns 27" in row["why"]
    df = today.items(engine, ADMIN, D(2026, 12, 31), which=("birthday",), lang="en")
    assert dict(zip(df["customer_id"], df["due_on"], strict=True)) == {
        ids["dec31"]: D(2026, 12, 31), ids["jan2"]: D(2027, 1, 2)}
    assert _keys(engine, D(2027, 1, 4)) & {("birthday", ids["dec31"]), ("birthday", ids["jan2"])} == set()


def test_items_leave_after_their_window(world):
    """Win-back: 7 days after turning at risk; follow-up and re-order: 30 days (lookback)
    after their due day; a re-order never once churned."""
    engine, ids = world
    for kind, who, last_day in (("winback", "winback", D(2026, 11, 26)),
                                ("follow_up", "follow", D(2026, 12, 18)),
                                ("reorder", "reorder", D(2026, 12, 19))):
        assert (kind, ids[who]) in _keys(engine, last_day), kind
        assert (kind, ids[who]) not in _keys(engine, last_day + dt.timedelta(days=1)), kind
    settings.set_value(engine, ADMIN, "today.lookback_days", 365)
    churn = labels.churn_day(D(2026, 10, 20))
    assert ("reorder", ids["reorder"]) in _keys(engine, churn - dt.timedelta(days=1))
    assert ("reorder", ids["reorder"]) not in _keys(engine, churn)


def test_snooze_hides_until_its_day(world):
    engine, ids = world
    staff = Scope(ids["a"], "lan", "staff")
    today_actions.snooze(engine, staff, "follow_up", ids["follow"], ids["follow_src"], D(2026, 11, 23))
    assert ("follow_up", ids["follow"]) not in _keys(engine, D(2026, 11, 22))
    assert ("follow_up", ids["follow"]) in _keys(engine, D(2026, 11, 23))
    with pytest.raises(today_actions.ValidationFailed):
        today_actions.snooze(engine, staff, "follow_up", ids["follow"], ids["follow_src"], FIXED_TODAY)


def test_done_logs_an_interaction_and_the_item_leaves(world):
    engine, ids = world
    staff_a = Scope(ids["a"], "lan", "staff")
    day = FIXED_TODAY
    for kind, who, src in (("follow_up", "follow", ids["follow_src"]),
                           ("appointment_today", "appt", ids["appt_src"]),
                           ("reorder", "reorder", 0)):
        key = today.items(engine, staff_a, day, which=(kind,))
        source = int(key.loc[key["customer_id"] == ids[who], "source_id"].iloc[0])
        assert kind != "follow_up" or source == src
        today_actions.mark_done(engine, staff_a, kind, ids[who], source,
                                {"outcome": "consulted", "note": "đã gọi", "kind": "call"})
        assert (kind, ids[who]) not in _keys(engine, day)
    with engine.connect() as conn:
        notes = conn.execute(select(Interaction.customer_id).where(Interaction.note == "đã gọi")).scalars()
        assert sorted(notes) == sorted([ids["follow"], ids["appt"], ids["reorder"]])
        assert conn.execute(select(Appointment.status).where(Appointment.id == ids["appt_src"])).scalar() == "done"
        audited = conn.execute(select(AuditLog.entity_id).where(AuditLog.entity == "today_item")).scalars()
        assert len(list(audited)) == 3
    # another owner's customer: not visible, nothing written
    with pytest.raises(today_actions.NotFound):
        today_actions.mark_done(engine, staff_a, "complaint", ids["complaint"], ids["complaint_src"],
                                {"outcome": "consulted"})


def test_win_back_done_records_why_the_buyer_stopped_in_the_same_transaction(world):
    engine, ids = world
    staff_b = Scope(ids["b"], "minh", "staff")
    day = D(2026, 11, 20)
    items = today.items(engine, staff_b, day, which=("winback",))
    source = int(items.loc[items["customer_id"] == ids["winback"], "source_id"].iloc[0])
    # "other" needs a note: refused, and neither the interaction nor the mark is written
    with pytest.raises(today_actions.ValidationFailed):
        today_actions.mark_done(engine, staff_b, "winback", ids["winback"], source,
                                {"outcome": "consulted", "churn_reason": "other"})
    assert ("winback", ids["winback"]) in _keys(engine, day)
    today_actions.mark_done(engine, staff_b, "winback", ids["winback"], source,
                            {"outcome": "consulted", "note": "bên kia rẻ hơn", "churn_reason": "price"})
    assert ("winback", ids["winback"]) not in _keys(engine, day)
    with engine.connect() as conn:
        rows = conn.execute(select(ChurnReason.customer_id, ChurnReason.reason, ChurnReason.note)).all()
    assert [tuple(r) for r in rows] == [(ids["winback"], "price", "bên kia rẻ hơn")]


def test_scope_staff_own_manager_all_with_owner_filter_viewer_refused(world):
    engine, ids = world
    day = FIXED_TODAY
    every = _keys(engine, day)
    mine = _keys(engine, day, Scope(ids["a"], "lan", "staff"))
    with engine.connect() as conn:
        owner = dict(conn.execute(select(Customer.id, Customer.owner_id)).all())
    assert mine and mine == {k for k in every if owner[k[1]] == ids["a"]}
    manager = Scope(None, "boss", "manager")
    assert _keys(engine, day, manager) == every
    assert _keys(engine, day, manager, owners=(ids["b"],)) == {k for k in every if owner[k[1]] == ids["b"]}
    assert today.counts(engine, manager) == today.items(engine, manager).groupby("kind").size() \
        .reindex(list(today.KINDS), fill_value=0).to_dict()
    with pytest.raises(PermissionError):
        today.items(engine, Scope(None, "exec", "viewer"))


LOOKBACK = 30  # today.lookback_days by default


def _expected(engine, day: dt.date) -> set[tuple]:
    """The list recomputed with pandas from the raw rows (interactions, appointments,
    customers, orders, feedback), without the data layer's queries."""
    with engine.connect() as conn:
        it = pd.read_sql(select(Interaction), conn)
        ap = pd.read_sql(select(Appointment), conn)
        cu = pd.read_sql(select(Customer), conn)
        od = pd.read_sql(select(Order).where(Order.status == "completed"), conn)
        fb = pd.read_sql(select(Feedback), conn)
        al = pd.read_sql(select(PaymentAllocation), conn)
    out = set()
    it["occurred_at"] = pd.to_datetime(it["occurred_at"])
    last = it.sort_values(["occurred_at", "id"]).groupby("customer_id").tail(1)
    for r in last.itertuples():
        if r.next_step_date is not None and pd.notna(r.next_step_date) \
                and 0 <= (day - pd.Timestamp(r.next_step_date).date()).days <= LOOKBACK:
            out.add(("follow_up", r.customer_id))
    week0 = day - dt.timedelta(days=day.weekday())
    week = [week0 + dt.timedelta(days=k) for k in range(7)]
    for r in ap[ap["status"] == "open"].itertuples():
        due = pd.Timestamp(r.due_at).date()
        if due == day:
            out.add(("appointment_today", r.customer_id))
        elif due in week:
            out.add(("appointment_week", r.customer_id))
    for r in cu.dropna(subset=["birth_date"]).itertuples():
        b = pd.Timestamp(r.birth_date).date()
        for d in week:
            kept = (2, 28) if (b.month, b.day) == (2, 29) and not calendar.isleap(d.year) else (b.month, b.day)
            if (d.month, d.day) == kept:
                out.add(("birthday", r.id))
    od["order_date"] = pd.to_datetime(od["order_date"])
    for cid, g in od.groupby("customer_id"):
        first, lastd, n = g["order_date"].min().date(), g["order_date"].max().date(), len(g)
        since = (day - lastd).days
        churned = since >= labels.CHURN_DAYS_DEFAULT
        interval = (lastd - first).days // (n - 1) if n >= 2 else 0
        if interval > 0 and 0 <= since - interval <= LOOKBACK and not churned:
            out.add(("reorder", cid))
        if labels.CHURN_DAYS_DEFAULT // 2 <= since < labels.CHURN_DAYS_DEFAULT // 2 + 7:
            out.add(("winback", cid))
    paid_later = al[pd.to_datetime(al["paid_on"]).dt.date <= day].groupby("order_id")["amount"].sum()
    for r in od.itertuples():
        owed = r.amount - r.paid_amount - paid_later.get(r.id, 0)
        if owed > 0 and r.order_date.date() + dt.timedelta(days=30) < day:
            out.add(("overdue_debt", r.customer_id))
    for r in fb[(fb["kind"] == "complaint") & (fb["status"] != "resolved")].itertuples():
        end_of_day = pd.Timestamp(day) + pd.Timedelta(hours=23, minutes=59, seconds=59)
        if pd.Timestamp(r.opened_at) < end_of_day - pd.Timedelta(days=3):
            out.add(("complaint", r.customer_id))
    return out


def test_list_equals_an_independent_pandas_computation(world):
    engine, _ids = world
    for day in (D(2026, 11, 15), D(2026, 11, 19), D(2026, 11, 20), D(2026, 11, 25), D(2026, 12, 28),
                D(2027, 2, 24)):
        assert _keys(engine, day) == _expected(engine, day), day


def test_unknown_kind_refused(world):
    engine, _ids = world
    with pytest.raises(ValueError):
        today.items(engine, ADMIN, FIXED_TODAY, which=("nope",))


def test_cli_prints_the_same_list(world, db_url, capsys):
    import json

    from crm_data.cli import main
    from crm_data.commands.reports import _records

    engine, ids = world
    day = D(2026, 11, 20)
    assert main(["today", "--database-url", db_url, "--date", "20/11/2026", "--user", "lan",
                 "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = _records(today.items(engine, Scope(ids["a"], "lan", "staff"), day))
    assert printed == json.loads(json.dumps(expected, default=str)) and printed
    assert main(["today", "--database-url", db_url, "--date", "2026-11-20", "--format", "csv",
                 "--kind", "complaint"]) == 0
    assert capsys.readouterr().out == today.items(engine, ADMIN, day, which=("complaint",)).to_csv(index=False)


def test_each_kind_lists_its_earliest_items_with_the_total(world):
    engine, ids = world
    df = today.items(engine, ADMIN, D(2026, 12, 28), which=("birthday",), limit=1)
    assert df[["customer_id", "kind_total"]].values.tolist() == [[ids["dec31"], 2]]


def test_kinds_scoped_on_their_own_rows_follow_a_new_owner_and_a_deletion(world):
    """reorder, winback and overdue_debt are scoped on their own rows (customer_stats'
    rollup owner, open_orders' owner): a write handing customers to another owner or
    deleting one moves or removes their items at once, as the customers table says."""
    from crm_data.customers.listing import count_customers
    from crm_data.writes.bulk import BulkEdit, bulk_edit
    from crm_data.writes.customer import soft_delete

    engine, ids = world
    day = FIXED_TODAY
    moved = {ids["reorder"], ids["debt"]}  # from lan to minh
    bulk_edit(engine, ADMIN, sorted(moved), BulkEdit(owner_id=ids["b"]))
    with engine.connect() as conn:
        version = conn.execute(select(Customer.version).where(Customer.id == ids["winback"])).scalar_one()
    soft_delete(engine, ADMIN, ids["winback"], version)
    with engine.connect() as conn:
        owner = dict(conn.execute(select(Customer.id, Customer.owner_id)
                                  .where(Customer.deleted_at.is_(None))).all())
    want = {k for k in _expected(engine, day) if k[1] in owner}
    assert {("reorder", ids["reorder"]), ("overdue_debt", ids["debt"])} <= want
    assert _keys(engine, day) == want
    assert count_customers(engine, ADMIN) == len(owner)
    for u in ("a", "b"):
        staff = Scope(ids[u], u, "staff")
        mine = {k for k in want if owner[k[1]] == ids[u]}
        assert _keys(engine, day, staff) == mine
        # the list's total (customer_rollup's cells without a filter) follows the same writes
        assert count_customers(engine, staff) == sum(1 for o in owner.values() if o == ids[u])
        assert today.counts(engine, staff, day) == {
            kind: sum(1 for k in mine if k[0] == kind) for kind in today.KINDS}
    assert _keys(engine, day, Scope(None, "boss", "manager"), owners=(ids["a"],)) == \
        {k for k in want if owner[k[1]] == ids["a"]}
