"""AppTest: the lead-scoring page (admin edits, others refused) and, on the customer page,
the questionnaire form and the churn-reason form for each editor role."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_data.accounts.scope import Scope
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import User
from crm_data.writes import activity
from crm_data.writes import customer as cw
from tests.apptest import ROOT, auth_for, database, errors, run_page


@pytest.fixture
def app_db(engine, db_url):
    """Users of each role (no password: AppTest signs in through the session state) and a
    buyer owned by staff."""
    with unit_of_work(engine) as s:
        users = [User(username=r, display_name=r, role=r, password_hash="-")
                 for r in ("admin", "manager", "staff", "viewer")]
        s.add_all(users)
        s.flush()
        staff = next(Scope(u.id, u.username, u.role) for u in users if u.role == "staff")
    cid = cw.create_customer(engine, staff, {"full_name": "Phạm Văn Cường", "phone": "0912345678"}).id
    activity.add_order(engine, staff, cid, {
        "order_date": dt.date(2026, 2, 1), "paid_amount": "300000",
        "lines": [{"description": "Trà", "quantity": "1", "unit_price": "300000"}]})
    return db_url, cid


def _click(at, url, label):
    next(b for b in at.button if b.label == label).click()
    with database(url):
        at.run()
    assert not errors(at), errors(at)


def test_lead_scoring_page_admin_edits_thresholds_and_points_others_refused(app_db, engine):
    url, _ = app_db
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        run_page(url, "pages/lead_scoring.py", "manager")  # not in the manager's navigation
    with database(url):  # and the page file itself refuses when run directly
        refused = AppTest.from_file(str(ROOT / "pages/lead_scoring.py"), default_timeout=60)
        refused.session_state["auth"] = auth_for(url, "staff")
        refused.run()
    assert [e.value for e in refused.error] == ["Chỉ quản trị viên được sửa bảng hỏi chấm điểm"]
    assert not refused.number_input
    at = run_page(url, "pages/lead_scoring.py", "admin")
    assert not errors(at), errors(at)
    at.number_input(key="lead_hot").set_value(65)
    at.number_input(key="lead_warm").set_value(65)
    _click(at, url, "Lưu ngưỡng")
    assert "Ngưỡng ấm phải nhỏ hơn ngưỡng nóng" in at.error[0].value
    at.number_input(key="lead_warm").set_value(30)
    _click(at, url, "Lưu ngưỡng")
    assert at.success[0].value == "Đã lưu"
    oid = pd.read_sql("SELECT id FROM lead_options WHERE key = 'confirmed'", engine)["id"][0]
    at.number_input(key=f"lo_pts_1_{oid}").set_value(30)
    _click(at, url, "Lưu câu hỏi")
    opts = pd.read_sql("SELECT key, points FROM lead_options WHERE question_id = 1 ORDER BY position", engine)
    assert opts["points"].iloc[0] == 30 and len(opts) == 4
    meta = pd.read_sql("SELECT key, value FROM app_meta WHERE key IN "
                       "('setting.leadscore.hot_min', 'setting.leadscore.warm_min') ORDER BY key", engine)
    assert meta["value"].tolist() == ["65", "30"]


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_questionnaire_and_churn_reason_forms_for_each_editor(app_db, engine, role):
    url, cid = app_db
    at = run_page(url, "pages/customer.py", role, query={"id": str(cid)})
    assert not errors(at), errors(at)
    assert "Chưa chấm điểm" in [c.value for c in at.caption]
    at.radio(key="lead_budget").set_value("confirmed")
    at.radio(key="lead_need_timeline").set_value("within_1m")
    at.radio(key="lead_decision_maker").set_value("yes")
    _click(at, url, "Lưu câu trả lời")
    assert at.success[0].value == "Đã lưu: điểm 70, hạng Nóng"
    assert "Điểm: 70 · Hạng: Nóng" in [t.value for t in at.text]
    why = next(d.value for d in at.dataframe if "question" in d.value.columns)
    assert why["points"].sum() == 70 and why["answer"].tolist()[0] == "Đã có ngân sách"
    at.selectbox(key="churn_reason").set_value("other")
    _click(at, url, "Lưu lý do")  # "other" needs a note: refused, nothing written
    assert at.error and pd.read_sql("SELECT count(*) AS n FROM churn_reasons", engine)["n"][0] == 0
    at.selectbox(key="churn_reason").set_value("competitor")
    _click(at, url, "Lưu lý do")
    assert at.success[0].value == "Đã ghi lý do ngừng mua"
    rows = pd.read_sql("SELECT c.reason, u.username FROM churn_reasons c JOIN users u "
                       "ON u.id = c.recorded_by", engine)
    assert rows.values.tolist() == [["competitor", role]]


def test_funnel_page_filters_by_grade(seeded_url, backend):
    from crm_data.accounts.scope import SYSTEM
    from crm_data.customers.listing import count_customers
    from crm_data.domain.periods import preset
    from crm_data.filters.customer_filter import CustomerFilter
    from crm_data.storage.db import make_engine
    from tests.test_pages_drill import shown

    at = run_page(seeded_url, "pages/funnel.py", "admin", query={"lead_grades": "hot"})
    assert not errors(at), errors(at)
    assert at.session_state["funnel_grades"] == ["hot"] and at.query_params["lead_grades"] == "hot"
    period = preset("this_quarter")
    eng = make_engine(seeded_url)
    created = dict(created_from=period.start, created_to=period.end)
    hot = count_customers(eng, SYSTEM, CustomerFilter(lead_grades=("hot",), **created))
    every = count_customers(eng, SYSTEM, CustomerFilter(**created))
    eng.dispose()
    assert shown(at, "funnel", 0, 0, "x") == hot < every  # the cohort: leads created in the period
