"""The customer page's personal-data tab and the form's consent: consent shown with date
and channel, the person's export downloaded (and audited), erasure confirmed by the code
(admin / manager only), and an erased record no longer editable."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.writes import activity
from crm_data.writes import customer as cw
from tests.apptest import database, errors, open_customer_tab, run_page
from tests.test_audit_events import downloads

NAME = "Hoàng Thị Minh Châu"


@pytest.fixture
def person(engine, db_url):
    ids = {r: auth.add_user(engine, r, "password123", r) for r in ("admin", "manager", "staff", "viewer")}
    staff = Scope(ids["staff"], "staff", "staff")
    saved = cw.create_customer(engine, staff, {"full_name": NAME, "phone": "0905111222",
                                               "email": "chau@example.vn", "consent": True,
                                               "consent_channel": "zalo"})
    activity.log_interaction(engine, staff, saved.id, {"kind": "call", "outcome": "consulted",
                                                       "note": f"gọi {NAME}"})
    return {"url": db_url, "id": saved.id, "code": saved.code}


def _audit(engine, action):
    return pd.read_sql(f"SELECT * FROM audit_log WHERE action = '{action}'", engine)  # noqa: S608


def _texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_consent_is_shown_with_date_and_channel(person):
    at = run_page(person["url"], "pages/customer.py", "staff", query={"id": str(person["id"])})
    assert errors(at) == []
    assert "Đã đồng ý ngày" in _texts(at) and "qua Zalo" in _texts(at)


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_person_export_from_the_page_is_audited(person, engine, role):
    with downloads() as got:
        at = open_customer_tab(run_page(person["url"], "pages/customer.py", role,
                                        query={"id": str(person["id"])}), person["url"], "privacy")
    assert errors(at) == []
    assert _audit(engine, "person_export").empty
    doc = json.loads(got[f"{person['code']}.json"]())
    assert doc["profile"]["full_name"] == NAME and len(doc["interactions"]) == 1
    assert got[f"{person['code']}.xlsx"]()[:2] == b"PK"
    logged = _audit(engine, "person_export")
    assert list(logged["username"]) == [role, role]


def test_erase_from_the_page_needs_the_code(person, engine):
    at = run_page(person["url"], "pages/customer.py", "manager", query={"id": str(person["id"])})
    open_customer_tab(at, person["url"], "privacy")
    with database(person["url"]):
        at.text_input(key="erase_code").input("KH999999")
        _submit(at, "f_erase")
    assert [e.value for e in at.error] == ["Mã xác nhận không khớp: chưa xoá gì."]
    assert _audit(engine, "erase").empty
    with database(person["url"]):
        at.text_input(key="erase_code").input(person["code"])
        _submit(at, "f_erase")
    assert errors(at) == []
    assert len(_audit(engine, "erase")) == 1
    names = pd.read_sql("SELECT full_name, phone FROM customers", engine)
    assert list(names["full_name"]) == ["[erased]"] and names["phone"].isna().all()
    assert any("xoá vĩnh viễn" in i.value for i in at.info), "the erased banner"
    assert "erase_code" not in [w.key for w in at.text_input], "no second erasure offered"


def _submit(at, form: str) -> None:
    for button in at.button:
        if button.proto.form_id == form:
            button.click().run()
            return
    raise AssertionError(f"no submit button in {form}")


def test_staff_is_not_offered_erasure(person):
    at = run_page(person["url"], "pages/customer.py", "staff", query={"id": str(person["id"])})
    open_customer_tab(at, person["url"], "privacy")
    assert errors(at) == []
    assert [b.label for b in at.get("download_button")], "the privacy tab is open"
    assert "erase_code" not in [w.key for w in at.text_input]


def test_form_records_the_consent_channel_and_refuses_an_erased_record(person, engine):
    at = run_page(person["url"], "pages/customer_form.py", "manager", query={"id": str(person["id"])})
    prefix = f"cf{person['id']}_"
    with database(person["url"]):
        at.checkbox(key=prefix + "consent").uncheck()
        at.selectbox(key=prefix + "consent_channel").set_value("email")
        _submit(at, "customer_form")
    assert errors(at) == []
    c = pd.read_sql("SELECT consent, consent_channel, consent_withdrawn_at FROM customers", engine).iloc[0]
    assert not bool(c["consent"]) and c["consent_channel"] == "email" and pd.notna(c["consent_withdrawn_at"])
    from crm_data.privacy.erasure import erase_person

    erase_person(engine, Scope(None, "system", "admin"), person["id"], person["code"])
    at = run_page(person["url"], "pages/customer_form.py", "manager", query={"id": str(person["id"])})
    assert errors(at) == [] and at.info and not at.text_input
