"""The Lookalike leads page in AppTest: admin and manager fit, read the honest figures, assign
the listed leads (bulk edit, audited) and export exactly the list shown; others are refused."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from crm_data.accounts.scope import SYSTEM
from crm_data.admin import settings
from crm_data.lookalike import fit
from crm_data.storage.models import AuditLog, Customer
from tests import apptest
from tests.test_audit_events import downloads
from tests.test_lookalike import D, world

FILE = "khach_tiem_nang_giong_khach_tot.csv"


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_fit_assign_and_export(engine, db_url, role):
    world(engine, signal=True)
    with downloads() as got:
        at = apptest.run_page(db_url, "pages/lookalike.py", role)
        assert not apptest.errors(at)
        assert [i.value for i in at.info] and not at.dataframe  # no fit yet: says so
        with apptest.database(db_url):
            at.button(key="la_fit").click().run()
        assert not apptest.errors(at)
    assert at.success[0].value == "Đã tính lại mô hình."
    last = fit.latest(engine)
    assert last["supported"] and last["best"] == "vip"
    assert at.metric[0].value == f"{last['auc']:.2f}".replace(".", ",")
    assert not at.warning
    shown = at.dataframe[0].value
    assert len(shown) == 50 and shown["Mức giống"].is_monotonic_decreasing
    assert shown["Lý do chính"].head(10).str.contains("Đến từ nguồn Giới thiệu").all()
    assert not shown["Lý do chính"].str.contains("chưa rõ").any()

    data = got[FILE]()  # the click: exactly the list shown, audited
    exported = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert exported["Mã"].tolist() == shown["Mã"].tolist()
    with engine.connect() as conn:
        detail = conn.execute(select(AuditLog.detail).where(AuditLog.action == "download")).scalar()
    assert json.loads(detail)["file"] == FILE and json.loads(detail)["rows"] == 50

    staff_id = apptest.auth_for(db_url, "staff")["user_id"]
    with apptest.database(db_url):
        at.selectbox(key="la_owner").set_value(staff_id)
        next(b for b in at.button if b.label.startswith("Giao 50")).click().run()
    assert not apptest.errors(at)
    assert at.success[0].value == "Đã giao 50 khách."
    codes = shown["Mã"].tolist()
    with engine.connect() as conn:
        owners = set(conn.execute(select(Customer.owner_id).where(Customer.code.in_(codes))).scalars())
        audited = conn.execute(select(AuditLog.id).where(AuditLog.action == "bulk_update",
                                                         AuditLog.username == role)).all()
    assert owners == {staff_id} and len(audited) == 50

    if role == "admin":  # the model's settings: admin only, through settings.set_value
        with apptest.database(db_url):
            at.number_input(key="la_lookalike.test_pct").set_value(25)
            next(b for b in at.button if b.label == "Lưu cài đặt").click().run()
        assert not apptest.errors(at)
        assert settings.get(engine, "lookalike.test_pct") == 25
    else:
        assert not [n for n in at.number_input if n.key == "la_lookalike.test_pct"]


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_others_are_refused(engine, db_url, role):
    world(engine, signal=True, n=60)
    fit.fit_and_store(engine, SYSTEM, "vip", D)
    # the navigation hides the page from them; opened directly, its own guard refuses
    at = AppTest.from_file(str(apptest.ROOT / "pages/lookalike.py"), default_timeout=60)
    at.session_state["auth"] = apptest.auth_for(db_url, role)
    with apptest.database(db_url):
        at.run()
    assert not apptest.errors(at)
    assert at.warning and not at.dataframe and not at.button and not at.metric
    with engine.connect() as conn:
        denied = conn.execute(select(AuditLog.username, AuditLog.entity)
                              .where(AuditLog.action == "denied")).all()
    assert [tuple(d) for d in denied] == [(role, "page")]
