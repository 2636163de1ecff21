"""The Audit page (admin): the rows of crm_data.audit.browse / `crm audit` for the chosen
filter, newest first, paged; before / after as text; export audited; others refused."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.audit import browse as audit_log
from crm_data.audit.browse import AuditFilter
from crm_data.cli import main
from crm_data.i18n import t
from crm_data.writes import customer as cw
from tests.apptest import ROOT, auth_for, database, errors, run_page
from tests.test_audit_events import downloads

EVIL = "![x](http://127.0.0.1:9/p.png) **bold**"


@pytest.fixture
def log_url(engine, db_url):
    ids = {r: auth.add_user(engine, r, "password123", r) for r in ("admin", "manager", "staff", "viewer")}
    staff = Scope(ids["staff"], "staff", "staff")
    for i in range(60):
        cw.create_customer(engine, staff, {"full_name": f"Khách {i}" if i else EVIL})
    return db_url


def _shown_ids(at) -> list[str]:
    return list(at.dataframe[0].value["entity_id"])


def test_admin_sees_the_log_newest_first_in_pages(log_url, engine, capsys):
    at = run_page(log_url, "pages/audit.py", "admin")
    assert errors(at) == [] and at.title
    admin = Scope(auth_for(log_url, "admin")["user_id"], "admin", "admin")
    first = audit_log.page(engine, admin, AuditFilter(), limit=50).rows
    assert _shown_ids(at) == [r["entity_id"] or "" for r in first]
    with database(log_url):
        at.button(key="au_older").click().run()
    second = audit_log.page(engine, admin, AuditFilter(), after=(first[-1]["at"], first[-1]["id"]),
                            limit=50).rows
    assert _shown_ids(at) == [r["entity_id"] or "" for r in second]
    with database(log_url):
        at.button(key="au_newer").click().run()
    assert _shown_ids(at) == [r["entity_id"] or "" for r in first]


def test_filters_match_crm_audit(log_url, capsys):
    at = run_page(log_url, "pages/audit.py", "admin")
    with database(log_url):
        at.selectbox(key="au_user").set_value("staff")
        at.selectbox(key="au_action").set_value("create")
        at.text_input(key="au_entity").input("customer")
        at.text_input(key="au_id").input("1").run()
    assert errors(at) == []
    shown = at.dataframe[0].value
    capsys.readouterr()
    assert main(["audit", "--database-url", log_url, "--format", "json", "--user", "staff",
                 "--action", "create", "--entity", "customer", "--id", "1"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed) == 1 == len(shown)
    assert shown.iloc[0]["entity_id"] == printed[0]["entity_id"] == "1"


def test_before_after_shown_as_text_never_markdown(log_url):
    at = run_page(log_url, "pages/audit.py", "admin")
    with database(log_url):
        at.text_input(key="au_entity").input("customer")
        at.text_input(key="au_id").input("1").run()
        at.session_state["au_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
        at.run()
    assert errors(at) == []
    codes = [c.value for c in at.code]
    assert any(EVIL in c for c in codes), codes
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("![x]" in m for m in rendered)


def test_export_is_the_filtered_log_and_is_audited(log_url, engine):
    with downloads() as got:
        at = run_page(log_url, "pages/audit.py", "admin")
        with database(log_url):
            at.selectbox(key="au_action").set_value("create").run()
    data = got["nhat_ky.csv"]()
    rows = pd.read_csv(pd.io.common.BytesIO(data), encoding="utf-8-sig")
    header = t("audit.col.action", "vi")  # the page's file speaks the reader's language
    assert set(rows[header]) == {"create"} and len(rows) == 64  # 4 users + 60 customers
    exported = pd.read_sql("SELECT * FROM audit_log WHERE action = 'export'", engine)
    assert len(exported) == 1 and exported.iloc[0]["entity"] == "audit_log"
    assert json.loads(exported.iloc[0]["detail"])["filter"] == {"action": "create"}


@pytest.mark.parametrize("role", ["manager", "staff", "viewer"])
def test_others_are_refused_and_recorded(log_url, engine, role):
    at = AppTest.from_file(str(ROOT / "pages/audit.py"), default_timeout=60)
    at.session_state["auth"] = auth_for(log_url, role)
    with database(log_url):
        at.run()
    assert errors(at) == [] and at.warning and not at.dataframe
    denied = pd.read_sql("SELECT * FROM audit_log WHERE action = 'denied'", engine)
    assert list(denied["username"]) == [role] and list(denied["entity"]) == ["audit_log"]
