"""Complaints desk, data layer: resolution time median / p90 against pandas, the overdue edge,
the transitions, scope. Tiny hand-built data on both backends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.admin import settings
from crm_data.daily import complaint_export, complaint_stats, complaint_writes
from crm_data.daily.complaints import DeskFilter, as_moment, get_feedback, list_feedback
from crm_data.domain.periods import Period
from crm_data.privacy import erasure
from crm_data.records.writing import NotFound, ValidationFailed
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import AuditLog, Customer, Feedback, FeedbackNote, User

T0 = dt.datetime(2026, 11, 1, 8, 0, 0)
NOV = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def desk(engine):
    """Two staff (lan, minh), a manager, a viewer; customers of lan (1, 2) and minh (3)."""
    ids = users(engine, {"lan": "staff", "minh": "staff", "manager": "manager", "viewer": "viewer"})
    with unit_of_work(engine) as s:
        for cid, owner in ((1, "lan"), (2, "lan"), (3, "minh")):
            s.add(Customer(id=cid, code=f"KH{cid:03d}", full_name=f"Khách {cid}",
                           search_text=f"khach {cid} | kh{cid:03d}", owner_id=ids[owner]))
    scopes = {r: Scope(i, r, "staff" if r in ("lan", "minh") else r) for r, i in ids.items()}
    return engine, ids, scopes


def users(engine, roles: dict[str, str]) -> dict[str, int]:
    """Users by username → role, without hashing passwords (nobody signs in here)."""
    with unit_of_work(engine) as s:
        rows = {name: User(username=name, display_name=name.title(), role=role, password_hash="-")
                for name, role in roles.items()}
        s.add_all(rows.values())
        s.flush()
        return {name: row.id for name, row in rows.items()}


def _fb(engine, customer_id, opened, resolved=None, kind="complaint", assigned=None, subject="Giao hàng chậm"):
    with unit_of_work(engine) as s:
        row = Feedback(customer_id=customer_id, kind=kind, subject=subject, opened_at=opened,
                       status="resolved" if resolved else "open", resolved_at=resolved,
                       assigned_to=assigned)
        s.add(row)
        s.flush()
        return row.id


# Resolution times in seconds, chosen so that the interpolation matters (odd and even counts,
# fractional ranks) — by owner lan: 7 complaints, minh: 4.
DURATIONS = {1: [3600, 7200, 90_000, 3 * 86400 + 17, 45, 600_000, 12_345],
             3: [86400, 1, 500_000, 7777]}


def test_resolution_median_and_p90_match_pandas(desk):
    engine, ids, scopes = desk
    raw = []
    for cid, secs in DURATIONS.items():
        for k, s in enumerate(secs):
            opened = T0 + dt.timedelta(hours=k * 5)
            resolved = opened + dt.timedelta(seconds=s)
            _fb(engine, cid, opened, resolved)
            raw.append({"owner": ids["lan"] if cid == 1 else ids["minh"], "secs": s,
                        "week": (resolved.date() - dt.timedelta(days=resolved.weekday()))})
    _fb(engine, 2, T0, None)  # open: no resolution time
    _fb(engine, 2, T0, T0 + dt.timedelta(hours=1), kind="question")  # not a complaint
    df = pd.DataFrame(raw)
    hours = df["secs"] / 3600

    total = complaint_stats.overall(engine, scopes["manager"], NOV)
    assert total["resolved"] == len(df)
    assert total["median_hours"] == pytest.approx(hours.quantile(0.5), abs=1e-9)
    assert total["p90_hours"] == pytest.approx(hours.quantile(0.9), abs=1e-9)

    owners = complaint_stats.by_owner(engine, scopes["viewer"], NOV).set_index("owner_id")
    for owner, part in df.groupby("owner"):
        h = part["secs"] / 3600
        assert owners.loc[owner, "resolved"] == len(part)
        assert owners.loc[owner, "median_hours"] == pytest.approx(h.quantile(0.5), abs=1e-9)
        assert owners.loc[owner, "p90_hours"] == pytest.approx(h.quantile(0.9), abs=1e-9)

    weeks = complaint_stats.by_period(engine, scopes["manager"], NOV, "week").set_index("bucket")
    expected = df.groupby("week")["secs"].agg(["size", lambda s: (s / 3600).quantile(0.9)])
    for week, (n, p90) in expected.iterrows():
        assert weeks.loc[week, "resolved"] == n
        assert weeks.loc[week, "p90_hours"] == pytest.approx(p90, abs=1e-9)
    assert weeks["resolved"].sum() == len(df) and len(weeks) == 6  # every week of November

    # The Overview's pair: this period and the one before (October: nothing resolved).
    pair = complaint_stats.compare(engine, scopes["manager"], NOV)
    assert pair["now"] == total and pair["previous"] == {"resolved": 0, "median_hours": None,
                                                         "p90_hours": None}
    october = dt.datetime(2026, 10, 30, 9, 0)
    _fb(engine, 2, october, october + dt.timedelta(hours=26))
    pair = complaint_stats.compare(engine, scopes["manager"], NOV)
    assert pair["now"] == total and pair["previous"]["resolved"] == 1
    assert pair["previous"]["median_hours"] == pair["previous"]["p90_hours"] == 26
    # Staff: their own customers' complaints only (lan: customer 1).
    mine = complaint_stats.overall(engine, scopes["lan"], NOV)
    assert mine["resolved"] == len(DURATIONS[1])
    assert mine["median_hours"] == pytest.approx(pd.Series(DURATIONS[1]).quantile(0.5) / 3600)


def test_overdue_edge(desk):
    """Open exactly N days: not overdue; N days and one second: overdue (N = 3 by default)."""
    engine, _ids, scopes = desk
    at = dt.datetime(2026, 11, 20, 10, 0, 0)
    exactly = _fb(engine, 1, at - dt.timedelta(days=3))
    beyond = _fb(engine, 1, at - dt.timedelta(days=3, seconds=1))
    question = _fb(engine, 1, at - dt.timedelta(days=30), kind="question")  # complaints only
    assert settings.get(engine, "complaints.overdue_days") == 3
    rows = list_feedback(engine, scopes["manager"], at=at).rows.set_index("id")
    assert rows["overdue"].to_dict() == {exactly: False, beyond: True, question: False}
    only = list_feedback(engine, scopes["manager"], DeskFilter(overdue_only=True), at=at).rows
    assert list(only["id"]) == [beyond]
    # A date stands for the end of that day; the setting moves the edge.
    assert list(list_feedback(engine, scopes["manager"], DeskFilter(overdue_only=True),
                              at=as_moment(dt.date(2026, 11, 20))).rows["id"]) == [beyond, exactly]
    settings.set_value(engine, SYSTEM, "complaints.overdue_days", 2)
    assert set(list_feedback(engine, scopes["manager"], DeskFilter(overdue_only=True), at=at)
               .rows["id"]) == {exactly, beyond}


def test_transitions_thread_and_audit(desk):
    engine, ids, scopes = desk
    lan = scopes["lan"]
    fid = _fb(engine, 1, T0)
    with pytest.raises(ValidationFailed) as exc:
        complaint_writes.reopen(engine, lan, fid, {"reason": "x"})
    assert exc.value.errors["status"].key == "complaints.invalid.not_resolved"
    complaint_writes.reply(engine, lan, fid, {"body": "Đã gọi lại cho khách"})
    complaint_writes.assign(engine, scopes["manager"], fid, ids["minh"])
    complaint_writes.resolve(engine, scopes["minh"], fid, {"resolution": "Đổi hàng mới"})
    for fn, arg in ((complaint_writes.reply, {"body": "x"}), (complaint_writes.resolve, {"resolution": "x"})):
        with pytest.raises(ValidationFailed):
            fn(engine, lan, fid, arg)
    with pytest.raises(ValidationFailed):
        complaint_writes.assign(engine, scopes["manager"], fid, ids["lan"])
    with pytest.raises(ValidationFailed):
        complaint_writes.reopen(engine, lan, fid, {"reason": "  "})  # a reason is required
    complaint_writes.reopen(engine, lan, fid, {"reason": "Khách báo vẫn lỗi"})
    complaint_writes.resolve(engine, lan, fid, {"resolution": "Hoàn tiền"})
    fb = get_feedback(engine, lan, fid)
    assert fb["status"] == "resolved" and fb["resolution"] == "Hoàn tiền"
    assert list(fb["thread"]["kind"]) == ["reply", "assign", "resolve", "reopen", "resolve"]
    with engine.connect() as conn:
        actions = conn.execute(select(AuditLog.action).where(AuditLog.entity == "feedback")
                               .order_by(AuditLog.id)).scalars().all()
        first_open = conn.execute(select(Feedback.opened_at).where(Feedback.id == fid)).scalar_one()
    assert actions == ["reply", "assign", "resolve", "reopen", "resolve"]
    assert first_open == T0  # the resolution time runs from the first opening
    assert list_feedback(engine, lan).rows.set_index("id").loc[fid, "reopens"] == 1


def test_scope_staff_own_or_assigned_viewer_aggregates_only(desk):
    engine, ids, scopes = desk
    own = _fb(engine, 1, T0)
    other = _fb(engine, 3, T0)
    given = _fb(engine, 3, T0, assigned=ids["lan"])
    assert set(list_feedback(engine, scopes["lan"]).rows["id"]) == {own, given}
    assert set(list_feedback(engine, scopes["manager"]).rows["id"]) == {own, other, given}
    with pytest.raises(NotFound):
        complaint_writes.reply(engine, scopes["lan"], other, {"body": "x"})
    complaint_writes.reply(engine, scopes["lan"], given, {"body": "Tôi xử lý"})
    with pytest.raises(ValidationFailed):  # staff take complaints for themselves only
        complaint_writes.assign(engine, scopes["lan"], own, ids["minh"])
    with pytest.raises(PermissionError):
        list_feedback(engine, scopes["viewer"])
    with pytest.raises(PermissionError):
        complaint_writes.reply(engine, scopes["viewer"], own, {"body": "x"})
    owners = list_feedback(engine, scopes["manager"], DeskFilter(owners=(ids["lan"],))).rows
    assert set(owners["id"]) == {own, given}  # assigned, else the customer's owner
    found = list_feedback(engine, scopes["manager"], DeskFilter(search="KH003")).rows
    assert set(found["id"]) == {other, given}
    # The export: exactly the filtered rows (all of them), audited.
    lines = complaint_export.export_csv(engine, scopes["lan"], DeskFilter()).decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[0].startswith("Quá hạn,Số,Ngày mở,Mã KH")
    assert sorted(int(line.split(",")[1]) for line in lines[1:]) == sorted([own, given])
    with engine.connect() as conn:
        detail = conn.execute(select(AuditLog.detail).where(AuditLog.action == "export")).scalar_one()
    assert '"rows": 2' in detail


def test_erasure_blanks_the_thread(desk):
    engine, _ids, scopes = desk
    fid = _fb(engine, 1, T0)
    complaint_writes.reply(engine, scopes["lan"], fid, {"body": "Gọi số 0912345678"})
    erasure.erase_person(engine, scopes["manager"], 1, "KH001")
    with engine.connect() as conn:
        assert conn.execute(select(FeedbackNote.body)).scalars().all() == [None]
