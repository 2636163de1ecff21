"""AppTest of the complaints desk, one run per role: staff reply / resolve / reopen (and a
refused empty resolution), the manager assigns, the admin changes the overdue days, the viewer
sees resolution time only."""

from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from crm_data.admin import settings
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, Feedback
from tests.apptest import database, errors, run_page, visible
from tests.test_complaints import users

PAGE = "pages/complaints.py"


@pytest.fixture
def desk_db(engine, db_url):
    ids = users(engine, {r: r for r in ("admin", "manager", "staff", "viewer")})
    opened = dt.datetime(2026, 11, 10, 9, 0)
    with unit_of_work(engine) as s:
        s.add(Customer(id=1, code="KH001", full_name="Nguyễn Thị **Hoa**", search_text="nguyen thi hoa",
                       owner_id=ids["staff"]))
        s.add(Customer(id=2, code="KH002", full_name="Lê Văn Nam", search_text="le van nam",
                       owner_id=ids["manager"]))
        s.add(Feedback(id=1, customer_id=1, kind="complaint", status="open", subject="Giao hàng [chậm](x)",
                       opened_at=opened))
        s.add(Feedback(id=2, customer_id=2, kind="complaint", status="resolved", subject="Sai màu",
                       opened_at=opened, resolved_at=opened + dt.timedelta(hours=30), resolution="Đổi"))
    return db_url, ids


def _open(url, role):
    at = run_page(url, PAGE, role)
    assert errors(at) == [] and not at.error, (errors(at), [e.value for e in at.error])
    return at


def _run(at, url):
    with database(url):
        at.run()
    assert errors(at) == [], errors(at)
    return at


def _submit(at, url, form: str):
    next(b for b in at.button if getattr(b, "form_id", None) == form).click()
    return _run(at, url)


def _status(engine, fid=1) -> str:
    return pd.read_sql(f"SELECT status FROM feedback WHERE id = {int(fid)}", engine).iloc[0, 0]  # noqa: S608


def test_staff_reply_resolve_reopen(desk_db, engine):
    url, _ids = desk_db
    at = _open(url, "staff")
    table = at.dataframe[0].value
    assert list(table["Số"]) == [1]  # own customer's only; the overdue mark shows
    assert table["Quá hạn"].iloc[0].startswith("⚠")
    at.selectbox(key="cd_pick").set_value(1)
    _run(at, url)
    assert "#1 · Giao hàng [chậm](x)" in [visible(s.value) for s in at.subheader]  # escaped
    _submit(at, url, "cd_resolve_1")  # empty resolution: refused, nothing written
    assert at.error and _status(engine) == "open"
    at.text_area(key="cd_body_1").input("Đã gọi cho khách")
    _submit(at, url, "cd_reply_1")
    assert _status(engine) == "in_progress" and at.success
    at.text_area(key="cd_resolution_1").input("Đổi hàng mới")
    _submit(at, url, "cd_resolve_1")
    assert _status(engine) == "resolved"
    at.multiselect(key="cd_status").select("resolved")
    _run(at, url)
    at.selectbox(key="cd_pick").set_value(1)
    _run(at, url)
    at.text_area(key="cd_reason_1").input("Khách báo vẫn lỗi")
    _submit(at, url, "cd_reopen_1")
    assert _status(engine) == "open"
    kinds = pd.read_sql("SELECT kind FROM feedback_notes WHERE feedback_id = 1 ORDER BY id", engine)
    assert list(kinds["kind"]) == ["reply", "resolve", "reopen"]


def test_manager_assigns(desk_db, engine):
    url, ids = desk_db
    at = _open(url, "manager")
    assert set(at.dataframe[0].value["Số"]) == {1}  # open ones by default, all customers
    at.selectbox(key="cd_pick").set_value(1)
    _run(at, url)
    at.selectbox(key="cd_who_1").set_value(ids["manager"])
    _submit(at, url, "cd_assign_1")
    assert pd.read_sql("SELECT assigned_to FROM feedback WHERE id = 1", engine).iloc[0, 0] == ids["manager"]


def test_admin_changes_overdue_days(desk_db, engine):
    url, _ids = desk_db
    at = _open(url, "admin")
    at.number_input(key="cd_overdue_days").set_value(30)
    _submit(at, url, "cd_settings")
    assert settings.get(engine, "complaints.overdue_days") == 30
    assert not at.dataframe[0].value["Quá hạn"].iloc[0]  # 10 days old: no longer overdue


def test_viewer_sees_resolution_time_only(desk_db):
    url, _ids = desk_db
    at = _open(url, "viewer")
    assert not any("Số" in df.value.columns for df in at.dataframe)
    assert any("tổng hợp" in i.value for i in at.info)
    assert [m.value for m in at.metric][:2] == ["1", "1 ngày 6 giờ"]  # the one resolved complaint
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [round(float(y), 6) for y in _values(spec["data"][0]["y"]) if y is not None and y == y] == [30.0]
    # The Overview's block (this month by default): the same figure.
    at = run_page(url, "pages/overview.py", "viewer")
    cards = {m.label: m.value for m in at.metric}
    assert cards["Xử lý khiếu nại: trung vị"] == cards["Xử lý khiếu nại: P90"] == "1 ngày 6 giờ"


def _values(x):
    """Plotly JSON may hold a typed array ({"dtype", "bdata"}) instead of a list."""
    if isinstance(x, dict) and "bdata" in x:
        return list(np.frombuffer(base64.b64decode(x["bdata"]), dtype=np.dtype(x["dtype"])))
    return x


def test_customer_page_thread_links_to_the_desk(desk_db, engine):
    url, ids = desk_db
    from crm_data.accounts.scope import Scope
    from crm_data.daily import complaint_writes

    complaint_writes.reply(engine, Scope(ids["staff"], "staff", "staff"), 1, {"body": "Đã gọi **lại**"})
    at = run_page(url, "pages/customer.py", "staff", query={"id": "1"})
    assert errors(at) == []
    assert "#1 · Giao hàng [chậm](x) · Đang xử lý" in [visible(e.label) for e in at.expander]
    at = run_page(url, PAGE, "staff", query={"id": "1"})
    assert errors(at) == [] and at.session_state["cd_pick"] == 1
    thread = [df.value for df in at.dataframe if "Nội dung" in df.value.columns][0]
    assert list(thread["Nội dung"]) == ["Đã gọi **lại**"]  # as typed, in a grid cell
