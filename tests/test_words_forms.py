"""Issue 12, finding 9: the duplicate warning only when the identity changed (name, phone,
email), phone / email matches first; bulk edit of every customer a filter selects, after a
confirmation showing how many, in one audited transaction with the role scope applied."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.customers.listing import count_customers
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.writes import DuplicateFound, bulk
from crm_data.writes import customer as cw
from tests.apptest import app, database, errors

NAMES = {"admin": "Quản trị", "manager": "Chị Hoa", "staff": "Anh Tú", "viewer": "Giám đốc"}


@pytest.fixture
def actors(engine):
    ids = {r: auth.add_user(engine, r, "password123", r, n) for r, n in NAMES.items()}
    ids["staff2"] = auth.add_user(engine, "staff2", "password123", "staff", "Chị Lan")
    return {k: Scope(v, k, k if k != "staff2" else "staff") for k, v in ids.items()}


def _nghia(engine, scope, i: int):
    return cw.create_customer(engine, scope, {
        "full_name": "Nguyễn Văn Nghĩa", "phone": f"09123456{i:02d}",
        "address": f"{i} Lê Lợi"}, confirm_duplicate=True)


def test_editing_only_the_address_does_not_ask_about_namesakes(engine, actors):
    manager = actors["manager"]
    people = [_nghia(engine, manager, i) for i in range(6)]
    me = people[0]
    raw = cw.form_values(_record(engine, manager, me.id)) | {"address": "99 Trần Hưng Đạo"}
    saved = cw.update_customer(engine, manager, me.id, me.version, raw)  # no DuplicateFound
    assert saved.version == me.version + 1


def test_changed_phone_warns_and_phone_match_ranks_first(engine, actors):
    manager = actors["manager"]
    people = [_nghia(engine, manager, i) for i in range(7)]
    me, twin = people[0], people[6]
    raw = cw.form_values(_record(engine, manager, me.id)) | {"phone": "0912345606"}
    with pytest.raises(DuplicateFound) as caught:
        cw.update_customer(engine, manager, me.id, me.version, raw)
    first = caught.value.matches[0]
    assert (first.id, first.reason) == (twin.id, "phone")
    raw = cw.form_values(_record(engine, manager, me.id)) | {"full_name": "nguyen van nghia "}
    with pytest.raises(DuplicateFound):  # the name changed (case / accents): namesakes shown
        cw.update_customer(engine, manager, me.id, me.version, raw)


def _record(engine, scope, cid):
    from crm_data.customers.listing import get_customer
    return get_customer(engine, scope, cid)


def test_bulk_edit_of_every_filtered_customer(engine, actors):
    manager, staff = actors["manager"], actors["staff"]
    for i in range(55):
        _nghia(engine, staff if i % 2 else manager, i)
    cw.create_customer(engine, manager, {"full_name": "Lê Thị Hồng", "phone": "0987654321"})
    flt = CustomerFilter(search="nghia")
    n = bulk.count_filtered(engine, manager, flt)
    assert n == 55 == count_customers(engine, manager, flt)
    assert bulk.bulk_edit_filtered(engine, manager, flt, bulk.BulkEdit(add_tags=("goi lai",)),
                                   expected=n) == 55
    tags = pd.read_sql("SELECT full_name, tags FROM customers", engine)
    assert (tags[tags.full_name == "Nguyễn Văn Nghĩa"]["tags"] == ",goi lai,").all()
    assert tags[tags.full_name == "Lê Thị Hồng"]["tags"].fillna("").str.len().eq(0).all()
    audit = pd.read_sql("SELECT action, detail FROM audit_log WHERE substr(action, 1, 4) = 'bulk'", engine)
    assert (audit.action == "bulk_update").sum() == 55
    assert "search=nghia" in audit[audit.action == "bulk_update_filtered"]["detail"].iloc[0]
    # Staff: only their own customers, whatever the filter says.
    mine = bulk.count_filtered(engine, staff, flt)
    assert mine == 27
    assert bulk.bulk_edit_filtered(engine, staff, flt, bulk.BulkEdit(remove_tags=("goi lai",)),
                                   expected=mine) == 27


def test_bulk_edit_refuses_when_the_count_changed(engine, actors):
    manager = actors["manager"]
    for i in range(3):
        _nghia(engine, manager, i)
    flt = CustomerFilter(search="nghia")
    with pytest.raises(bulk.CountChanged):
        bulk.bulk_edit_filtered(engine, manager, flt, bulk.BulkEdit(add_tags=("x",)), expected=2)
    assert pd.read_sql("SELECT tags FROM customers", engine)["tags"].fillna("").eq("").all()


def test_customers_page_applies_to_all_filtered(engine, db_url, actors):
    manager = actors["manager"]
    for i in range(55):
        _nghia(engine, manager, i)
    with database(db_url):
        at = app(db_url, "manager", query={"search": "nghia"})
        at.switch_page("pages/customers.py")
        at.run()
        assert errors(at) == []
        assert len(at.dataframe[0].value) == 50  # one page
        at.radio(key="bulk_scope").set_value("filtered").run()
        confirm = at.checkbox(key="bulk_confirm")
        assert "55" in confirm.label
        at.text_input(key="bulk_add_tags").input("goi lai")
        confirm.check()
        next(b for b in at.button if b.label == "Áp dụng").click().run()
        assert errors(at) == [] and not at.error, [e.value for e in at.error]
    tags = pd.read_sql("SELECT tags FROM customers", engine)["tags"]
    assert (tags == ",goi lai,").sum() == 55
