"""The import page: AppTest uploads a file (st.file_uploader works in AppTest 1.67), the
mapping, preview and validation render, the import writes, and the reject report is offered."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_data.sample import ensure_demo_users
from tests.apptest import app, database, errors
from tests.test_import_customers import BAD, CLEAN, csv_bytes

PAGE = "pages/import.py"


@pytest.fixture
def users_db(engine, db_url):
    ensure_demo_users(engine)
    return db_url


def _open(url: str, role: str = "manager", lang: str = "vi"):
    at = app(url, role, lang)
    at.run()
    at.switch_page(PAGE)
    at.run()
    return at


def _count(engine, table: str) -> int:
    return int(pd.read_sql(f"select count(*) as n from {table}", engine)["n"][0])  # noqa: S608


def test_upload_map_preview_validate_and_import(engine, users_db):
    with database(users_db):
        at = _open(users_db)
        assert errors(at) == []
        at.file_uploader(key="import_file").set_value(
            ("khach.csv", csv_bytes(CLEAN + BAD[:2]), "text/csv"))
        at.run()
        assert errors(at) == [] and not at.exception
        labels = [s.label for s in at.selectbox]
        assert "Họ và tên" in labels and "Số điện thoại" in labels
        assert at.selectbox(key=next(s.key for s in at.selectbox if s.label == "SĐT"
                                     or s.label == "Số điện thoại")).value == "phone"
        preview = at.dataframe[0].value
        assert len(preview) == 5 and "0912 345 678" in set(preview["Số điện thoại"])
        assert at.warning and "2 / 5" in at.warning[0].value
        assert _count(engine, "customers") == 0  # validation is a dry run
        at.radio(key="import_on_error").set_value("skip")
        at.run()
        at.button(key="import_run").click()
        at.run()
        assert errors(at) == []
        assert at.success, [e.value for e in at.error]
        assert _count(engine, "customers") == 3
        assert {b.key for b in at.get("download_button")} >= {"import_rejects_csv",
                                                              "import_rejects_xlsx"}


def test_abort_writes_nothing_and_says_why(engine, users_db):
    with database(users_db):
        at = _open(users_db, lang="en")
        at.file_uploader(key="import_file").set_value(
            ("k.csv", csv_bytes(CLEAN + BAD[:1]), "text/csv"))
        at.run()
        at.button(key="import_run").click()
        at.run()
        assert errors(at) == []
        assert any("Nothing was written" in e.value for e in at.error)
        assert _count(engine, "customers") == 0


def test_unreadable_file_is_a_clear_message(users_db):
    with database(users_db):
        at = _open(users_db, lang="en")
        at.file_uploader(key="import_file").set_value(("k.xlsx", b"PK\x03\x04garbage", "x"))
        at.run()
        assert errors(at) == []
        assert "damaged" in at.error[0].value


def test_only_managers_and_admins_are_offered_the_page():
    from crm_data.accounts.scope import Scope
    from crm_ui.nav import specs_for

    for role, offered in (("admin", True), ("manager", True), ("staff", False), ("viewer", False)):
        assert (PAGE in {p.path for p in specs_for(Scope(1, role, role))}) is offered
