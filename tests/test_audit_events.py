"""Finding 7: downloads of personal data, failed imports and permission refusals leave an
audit row. Downloads are triggered as the browser does: the page registers the file's
deferred `data` callable, and fetching the file runs it."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from crm_data import sample
from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.imports import FileProblem, import_file
from tests.apptest import ROOT, auth_for, database, errors, run_page
from tests.conftest import FIXED_TODAY


def _audit(engine, action: str) -> pd.DataFrame:
    return pd.read_sql(f"SELECT * FROM audit_log WHERE action = '{action}' ORDER BY id", engine)  # noqa: S608


@pytest.fixture
def small_url(engine, db_url):
    """A small writable sample database (the shared seeded one is read-only)."""
    sample.generate(engine, customers=150, seed=3, ref=FIXED_TODAY)  # at-risk buyers in the south
    return db_url


@contextmanager
def downloads():
    """file name → the deferred callable the page registered for it (the browser's click
    runs it through MediaFileManager.execute_deferred)."""
    got: dict = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, *, element_id=""):
        got[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name,
                        element_id=element_id)

    MediaFileManager.add_deferred = spy
    try:
        yield got
    finally:
        MediaFileManager.add_deferred = original


@pytest.mark.parametrize("page,tab,file", [
    ("pages/revenue.py", "customers", "khach_hang_hang_dau.csv"),
    ("pages/retention.py", "at_risk", "khach_co_nguy_co.csv"),
    ("pages/revenue.py", "customers", "xep_hang_purchases.csv"),
])
def test_report_csv_download_is_audited(small_url, engine, page, tab, file):
    with downloads() as got:
        at = run_page(small_url, page, "manager", query={"tab": tab})
        got.clear()  # only what the last run offers
        with database(small_url):
            at.selectbox(key="period").set_value("last_12m")
            at.multiselect(key="regions").set_value(["south"]).run()
    assert errors(at) == []
    assert file in got, sorted(got)
    assert _audit(engine, "download").empty, "rendering the page is not a download"
    data = got[file]()  # the click
    rows = data.decode("utf-8-sig").strip().count("\n")
    logged = _audit(engine, "download")
    assert len(logged) == 1
    row = logged.iloc[0]
    ids = {u["username"]: u["id"] for u in auth.list_users(engine)}
    assert (row["username"], row["user_id"]) == ("manager", ids["manager"])
    detail = json.loads(row["detail"])
    assert detail["file"] == file and detail["rows"] == rows
    assert "regions=south" in detail["filter"], "the page's filter"
    assert detail["page"] == page.split("/")[1][:-3]


def test_customer_list_export_is_audited_on_click(small_url, engine):
    with downloads() as got:
        at = run_page(small_url, "pages/customers.py", "staff")
    assert errors(at) == []
    before = len(_audit(engine, "export"))
    data = got["khach_hang.xlsx"]()
    assert data[:2] == b"PK"
    row = _audit(engine, "export").iloc[-1]
    assert len(_audit(engine, "export")) == before + 1
    assert row["username"] == "staff"
    assert json.loads(row["detail"])["format"] == "xlsx"


def test_viewer_opening_a_customer_page_is_refused_and_audited(small_url, engine):
    """The navigation never offers it; the page's own guard stops and records the try."""
    at = AppTest.from_file(str(ROOT / "pages/customer.py"), default_timeout=60)
    at.session_state["auth"] = auth_for(small_url, "viewer")
    at.query_params["id"] = "1"
    with database(small_url):
        at.run()
    assert errors(at) == [] and at.warning
    denied = _audit(engine, "denied")
    assert list(denied["username"]) == ["viewer"]
    assert denied.iloc[0]["entity"] == "personal_data"


HEAD = "Họ và tên,Số điện thoại\n"


def test_failed_imports_are_audited(engine):
    admin = Scope(auth.add_user(engine, "admin", "password123", "admin"), "admin", "admin")
    # bad rows with on_error=abort: nothing written, one import_failed row
    bad = (HEAD + "Nguyễn Văn An,0912345678\nTrần Thị Bình,12\n").encode()
    result = import_file(engine, admin, bad, "customers", name="khach.csv")
    assert result.aborted
    # a file the import cannot use at all
    with pytest.raises(FileProblem):
        import_file(engine, admin, b"Cot A,Cot B\n1,2\n", "customers", name="sai.csv")
    # a check (dry run) is not an import
    import_file(engine, admin, bad, "customers", name="khach.csv", dry_run=True)
    failed = _audit(engine, "import_failed")
    assert list(failed["username"]) == ["admin", "admin"]
    first, second = (json.loads(d) for d in failed["detail"])
    assert first["file"] == "khach.csv" and first["reason"] == "import.abort.errors"
    assert first["rejected"] == 1 and first["kind"] == "customers"
    assert "Bình" not in failed.iloc[0]["detail"], "no row data in the log"
    assert second["file"] == "sai.csv" and second["reason"] == "import.file.missing_columns"
    assert _audit(engine, "import").empty


def test_refused_import_is_audited(engine):
    viewer = Scope(auth.add_user(engine, "sep", "password123", "viewer"), "sep", "viewer")
    with pytest.raises(FileProblem):
        import_file(engine, viewer, (HEAD + "A,0912345678\n").encode(), "customers", name="x.csv")
    denied = _audit(engine, "denied")
    assert list(denied["entity"]) == ["import"] and list(denied["username"]) == ["sep"]


def test_import_reject_report_download_is_audited(engine, db_url):
    """The reject report holds the rejected rows' data (names, phones): fetching it is a
    download of personal data."""
    from crm_data.sample import ensure_demo_users
    from tests.apptest import app
    from tests.test_import_customers import BAD, CLEAN, csv_bytes

    ensure_demo_users(engine)
    with downloads() as got, database(db_url):
        at = app(db_url, "manager")
        at.run()
        at.switch_page("pages/import.py").run()
        at.file_uploader(key="import_file").set_value(("khach.csv", csv_bytes(CLEAN + BAD[:2]), "text/csv"))
        at.run()
        at.radio(key="import_on_error").set_value("skip").run()
        at.button(key="import_run").click().run()
    assert errors(at) == []
    assert _audit(engine, "download").empty
    assert got["khach_loi.xlsx"]()[:2] == b"PK"
    row = _audit(engine, "download").iloc[0]
    assert (row["username"], row["entity"]) == ("manager", "import_rejects")
    assert json.loads(row["detail"])["rows"] == 2
