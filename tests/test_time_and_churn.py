"""Time and calendar (issue 12, finding 7): every "now" is Vietnam time whatever the server's
clock says; one churn rule (N days or more since the last purchase) that every place agrees
on at the boundary; the sample data has nothing later today than now."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import insert, select

from crm_data import sample, summaries
from crm_data.accounts.scope import SYSTEM
from crm_data.domain import clock, labels
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.reports import overview, retention
from crm_data.storage.models import Customer, CustomerStats, Interaction, Order
from tests.conftest import FIXED_TODAY, ROOT

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def server_on_utc():
    """The server's clock on UTC (as most servers are), restored afterwards."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _close(a: dt.time, b: dt.time, slack: int = 120) -> bool:
    d = abs(_seconds(a) - _seconds(b))
    return min(d, 86400 - d) <= slack


def test_clock_is_vietnam_time_on_a_utc_server(server_on_utc):
    vn = dt.datetime.now(VN).replace(tzinfo=None)
    assert abs((clock.now() - vn).total_seconds()) < 5
    assert abs((dt.datetime.now() - vn).total_seconds()) > 6 * 3600  # the server is 7 h behind
    assert clock.at_time_now(dt.date(2026, 1, 2)).date() == dt.date(2026, 1, 2)
    assert _close(clock.at_time_now(dt.date(2026, 1, 2)).time(), vn.time(), 5)


def test_interaction_logged_from_the_form_gets_vietnam_time(engine, server_on_utc, backend):
    """At 13:43 in Hà Nội a call logged from the customer page is stored at 13:43, not 06:43."""
    from crm_data.sample import ensure_demo_users
    from tests.apptest import database, open_customer_tab, run_page

    ensure_demo_users(engine)
    with engine.begin() as conn:
        cid = conn.execute(insert(Customer).values(
            code="KH000001", full_name="Nguyễn Văn An", search_text="nguyen van an",
            kind="individual", lifecycle_stage="awareness", pipeline_stage="new", tags="",
            consent=False, created_at=dt.datetime(2026, 1, 1), updated_at=dt.datetime(2026, 1, 1),
            version=1).returning(Customer.id)).scalar()
    url = engine.url.render_as_string(hide_password=False)
    at = run_page(url, "pages/customer.py", "manager", query={"id": str(cid)})
    open_customer_tab(at, url, "actions", "interaction")
    with database(url):
        at.text_area(key="ia_note").input("Gọi hỏi thăm")
        next(b for b in at.button if getattr(b, "form_id", None) == "f_interaction").click().run()
    with engine.connect() as conn:
        stored = conn.execute(select(Interaction.occurred_at)).scalar_one()
    vn = dt.datetime.now(VN).replace(tzinfo=None)
    assert stored.date() == FIXED_TODAY  # the form's date (today, pinned in tests)
    assert _close(stored.time(), vn.time()), (stored, vn)


# Calls that read the server's clock instead of crm_data.domain.clock.
_SERVER_CLOCK = re.compile(
    r"\b(datetime|dt)\.(datetime\.)?(now|today|utcnow)\(|\bdate\.today\(|\btime\.localtime\("
    r"|\bfunc\.(now|current_timestamp|current_date|localtimestamp)\(|CURRENT_TIMESTAMP|CURRENT_DATE")


def test_no_server_clock_in_the_app():
    """Only crm_data/domain/clock.py reads the clock (with the Vietnam zone); SQL server defaults
    are never relied on (every insert sets its times)."""
    found = []
    files = [*ROOT.glob("crm_data/**/*.py"), *ROOT.glob("crm_ui/**/*.py"),
             *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"]
    for path in files:
        if path == ROOT / "crm_data" / "domain" / "clock.py":
            continue
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if _SERVER_CLOCK.search(line) and "server_default" not in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


# --- one churn rule --------------------------------------------------------------------

DAYS = (89, 90, 179, 180, 181)


@pytest.fixture
def boundary(engine):
    """One customer per number of days since the last purchase (two orders, 20 days apart:
    a rhythm the at-risk list compares against)."""
    today = FIXED_TODAY
    with engine.begin() as conn:
        for days in DAYS:
            cid = conn.execute(insert(Customer).values(
                code=f"KH{days:06d}", full_name=f"Khách {days}", search_text=f"khach {days}",
                kind="individual", lifecycle_stage="awareness", pipeline_stage="won", tags="",
                consent=False, created_at=dt.datetime(2024, 1, 1), updated_at=dt.datetime(2024, 1, 1),
                version=1, region="south").returning(Customer.id)).scalar()
            for k, back in enumerate((days + 20, days)):
                day = today - dt.timedelta(days=back)
                conn.execute(insert(Order).values(
                    code=f"DH{days:04d}{k}", customer_id=cid, order_date=day,
                    ordered_at=dt.datetime.combine(day, dt.time(10)), status="completed",
                    subtotal=100_000, discount=0, amount=100_000, paid_amount=100_000,
                    items_count=1, created_at=dt.datetime.combine(day, dt.time(10))))
    summaries.rebuild_all(engine, today)
    return engine


def _days(codes) -> set[int]:
    return {int(c[2:]) for c in codes}


def test_one_churn_rule_everywhere_at_the_boundary(boundary, backend):
    engine, today, n = boundary, FIXED_TODAY, labels.CHURN_DAYS_DEFAULT
    churned = {d for d in DAYS if labels.is_churned(d)}
    assert churned == {180, 181}
    assert labels.churn_day(today - dt.timedelta(days=180)) == today
    with engine.connect() as conn:
        rows = conn.execute(select(Customer.code, Customer.lifecycle_stage, CustomerStats.groups)
                            .join(CustomerStats, CustomerStats.customer_id == Customer.id)).all()
    # the summary's groups and the journey stage
    assert _days(c for c, _s, g in rows if ",churned," in g) == churned
    assert _days(c for c, s, _g in rows if s == "lapsed") == churned
    assert _days(c for c, _s, g in rows if ",at_risk," in g) == {90, 179}  # N//2 ≤ days < N
    # the churn report and the Overview: churned on the churn day, last order + N
    for flt in (None, CustomerFilter(regions=("south",))):  # rollup path and raw path
        day = retention.churn_by_bucket(engine, SYSTEM, Period(today - dt.timedelta(days=5), today),
                                        "day", n, flt)
        by_day = dict(zip(day["bucket"], day["churned"], strict=True))
        assert by_day[today] == 1 and by_day[today - dt.timedelta(days=1)] == 1  # 180, 181
        assert sum(by_day.values()) == 2
        assert overview.kpis(engine, SYSTEM, Period(today, today), flt).churned == 1
        assert overview.kpis(engine, SYSTEM, Period(today - dt.timedelta(days=30), today),
                             flt).churned == 2
        reasons = retention.churn_reasons(engine, SYSTEM, Period(today - dt.timedelta(days=30), today),
                                          n, flt)
        assert int(reasons["customers"].sum()) == 2
    # the at-risk list is the at-risk label: the same set as the group
    risk = retention.at_risk(engine, SYSTEM, Period(today, today), limit=100)
    assert _days(risk.rows["code"]) == {90, 179}
    # the customer list's churned group, and the explanation on the customer page
    from crm_data.customers import listing as customers

    page = customers.list_customers(engine, SYSTEM, CustomerFilter(groups=("churned",)), limit=50)
    assert _days(page.rows["code"]) == churned


def test_readme_documents_the_churn_rule():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### KPI definitions", 1)[1].split("\n## ", 1)[0]
    assert "180 days or more" in section and "labels.py" in section


# --- sample data ends now --------------------------------------------------------------

_EVENTS = {"customers": "created_at", "orders": "ordered_at", "payments": "created_at",
           "interactions": "occurred_at", "stage_changes": "changed_at", "feedback": "opened_at",
           "appointments": "done_at"}


def _latest(engine) -> dict[str, dt.datetime]:
    out = {}
    with engine.connect() as conn:
        for table, col in _EVENTS.items():
            value = pd.read_sql(f"SELECT max({col}) AS m FROM {table}", conn)["m"][0]  # noqa: S608
            out[table] = pd.Timestamp(value).to_pydatetime()
    return out


def test_sample_data_has_nothing_later_today_than_now(engine, monkeypatch, backend):
    now = dt.datetime.combine(FIXED_TODAY, dt.time(9, 30))
    monkeypatch.setattr(clock, "now", lambda: now)  # `crm seed` at 09:30 (Vietnam time)
    sample.generate(engine, customers=600, seed=3, with_demo_users=False)
    latest = _latest(engine)
    assert all(v <= now for v in latest.values()), latest
    with engine.connect() as conn:
        today_orders = pd.read_sql(select(Order.ordered_at).where(Order.order_date == FIXED_TODAY), conn)
    assert len(today_orders) > 0  # today still has its morning
