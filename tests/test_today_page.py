"""pages/today.py in AppTest: admin, manager and staff see their items grouped by kind, mark
one done and snooze another (both leave the list); the executive viewer is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from crm_data import summaries
from crm_data.accounts.scope import Scope
from crm_data.i18n import t
from crm_data.storage.models import (
    AuditLog,
    ChurnReason,
    Customer,
    Interaction,
    Order,
    TodayMark,
    User,
)
from crm_ui.nav import specs_for
from tests.apptest import ROOT, auth_for, database, errors, run_page
from tests.conftest import FIXED_TODAY

PAGE = "pages/today.py"


@pytest.fixture
def today_url(engine, db_url):
    """The four demo roles; staff owns two customers with a follow-up due, manager one."""
    with Session(engine) as s, s.begin():
        users = {r: User(username=r, display_name=f"{r.title()} <b>*x*</b>", role=r, password_hash="-")
                 for r in ("admin", "manager", "staff", "viewer")}
        s.add_all(users.values())
        s.flush()
        for n, owner in enumerate(("staff", "staff", "manager"), start=1):
            c = Customer(code=f"KH00{n}", full_name=f"**Khách {n}** [x](http://a.b)", search_text=f"khach {n}",
                         kind="individual", lifecycle_stage="awareness", pipeline_stage="new", tags="",
                         consent=False, created_at=dt.datetime(2026, 1, 1), updated_at=dt.datetime(2026, 1, 1),
                         owner_id=users[owner].id)
            s.add(c)
            s.flush()
            s.add(Interaction(customer_id=c.id, kind="call", outcome="follow_up", note="gọi lại",
                              occurred_at=dt.datetime(2026, 11, 10, 9), next_step_date=FIXED_TODAY))
    summaries.rebuild_all(engine, FIXED_TODAY)
    return db_url


def _submit(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()


def _shown(at) -> int:
    return len(at.dataframe[0].value) if len(at.dataframe) else 0


@pytest.mark.parametrize("role, visible", [("admin", 3), ("manager", 3), ("staff", 2)])
def test_done_and_snooze_leave_the_list(today_url, engine, role, visible):
    at = run_page(today_url, PAGE, role)
    assert not errors(at), errors(at)
    assert _shown(at) == visible
    assert "*x*" not in " ".join(m.value for m in at.markdown)  # owner names are never Markdown
    with database(today_url):
        at.session_state["today_grid_follow_up"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
        at.run()
        at.selectbox(key="today_done_outcome").set_value("consulted")
        at.text_area(key="today_done_note").input("đã gọi, khách hẹn tuần sau")
        _submit(at, t("today.done.submit"))
        assert not errors(at), errors(at)
        assert [s.value for s in at.success] and _shown(at) == visible - 1
        at.session_state["today_grid_follow_up"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
        at.run()
        at.date_input(key="today_snooze_until").set_value(FIXED_TODAY + dt.timedelta(days=3))
        _submit(at, t("today.snooze.submit"))
        assert not errors(at), errors(at)
        assert _shown(at) == visible - 2
    with engine.connect() as conn:
        assert conn.execute(select(Interaction.id).where(Interaction.note.like("đã gọi%"))).all()
        assert conn.execute(select(TodayMark.until)).scalars().all() == [FIXED_TODAY + dt.timedelta(days=3)]
        assert conn.execute(select(AuditLog.id).where(AuditLog.entity == "today_item")).all()


def test_viewer_is_refused(today_url):
    """Not in the viewer's navigation, and the page itself stops (and audits) when opened."""
    assert "pages/today.py" not in {s.path for s in specs_for(Scope(1, "v", "viewer"))}
    with database(today_url):
        at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
        at.session_state["auth"] = auth_for(today_url, "viewer")
        at.run()
    assert not errors(at), errors(at)
    assert not at.dataframe and at.warning


def test_overview_cards_count_the_users_items_and_link_to_the_kind(today_url):
    at = run_page(today_url, "pages/overview.py", "staff")
    assert not errors(at), errors(at)
    cards = {m.label: m.value for m in at.metric}
    assert cards[t("today.kind.follow_up")] == "2" and cards[t("today.kind.birthday")] == "0"
    links = [str(p.proto) for p in at.get("page_link")]
    assert any("kind=follow_up" in link for link in links), links
    filtered = run_page(today_url, PAGE, "manager", query={"kind": "birthday"})
    assert [m.label for m in filtered.metric] == [t("today.kind.birthday")] and not filtered.dataframe
    viewer = run_page(today_url, "pages/overview.py", "viewer")
    assert t("today.kind.follow_up") not in {m.label for m in viewer.metric}


def test_win_back_done_asks_why_the_buyer_stopped(today_url, engine):
    """A buyer turning at risk today: the done form offers the churn reasons; the one picked
    is recorded with the call (the Retention page's "why")."""
    with Session(engine) as s, s.begin():
        owner = s.execute(select(User.id).where(User.username == "staff")).scalar_one()
        c = Customer(code="KH009", full_name="Khách mua cũ", search_text="khach mua cu", kind="individual",
                     lifecycle_stage="customer", pipeline_stage="won", tags="", consent=False,
                     created_at=dt.datetime(2025, 1, 1), updated_at=dt.datetime(2025, 1, 1), owner_id=owner)
        s.add(c)
        s.flush()
        last = FIXED_TODAY - dt.timedelta(days=90)  # the at-risk boundary reached today
        s.add(Order(code="DH9", customer_id=c.id, order_date=last, ordered_at=dt.datetime.combine(last, dt.time(9)),
                    status="completed", subtotal=100_000, discount=0, amount=100_000, paid_amount=100_000,
                    items_count=1, created_at=dt.datetime.combine(last, dt.time(9))))
    summaries.rebuild_all(engine, FIXED_TODAY)
    at = run_page(today_url, PAGE, "staff", query={"kind": "winback"})
    assert not errors(at), errors(at)
    assert _shown(at) == 1
    with database(today_url):
        at.session_state["today_grid_winback"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
        at.run()
        at.selectbox(key="today_done_outcome").set_value("consulted")
        at.selectbox(key="today_done_churn").set_value("competitor")
        at.text_area(key="today_done_note").input("đã mua chỗ khác")
        _submit(at, t("today.done.submit"))
        assert not errors(at), errors(at)
        assert _shown(at) == 0
    with engine.connect() as conn:
        assert conn.execute(select(ChurnReason.reason, ChurnReason.note)).all() == [("competitor", "đã mua chỗ khác")]
