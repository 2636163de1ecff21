"""Finding 10 (Decree 13/2023): consent with date and channel; "export everything about
this person" (JSON / XLSX, page and CLI); "erase this person": no trace of their name,
phone or email anywhere in the database (every text column of every table, audit JSON
included) while the overview, revenue and segment figures stay exactly the same."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import String, Text, select

from crm_data import sample
from crm_data.accounts import auth
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.cli import main
from crm_data.customers import export as exports
from crm_data.customers import saved_segments
from crm_data.domain.periods import Period
from crm_data.domain.text import fold
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.privacy.erasure import ERASED, NotConfirmed, erase_person
from crm_data.privacy.person_data import export_person
from crm_data.reports import overview, revenue, segments
from crm_data.storage.models import Base, Customer
from crm_data.writes import NotFound, activity
from crm_data.writes import customer as cw
from tests.conftest import FIXED_TODAY

OLD_NAME = "Âu Dương Ngọc Diệp"
NAME = "Âu Dương Thị Ngọc Diệp"
PHONE, PHONE_E164 = "0869 123 457", "+84869123457"
EMAIL = "ngocdiep.auduong@example.vn"
PERIODS = [Period(dt.date(2025, 11, 21), FIXED_TODAY), Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))]


@pytest.fixture
def world(engine):
    """Sample data, plus one person with a history: renamed, orders, notes about them,
    a saved search and an export filtered by their email."""
    sample.generate(engine, customers=80, seed=3, ref=FIXED_TODAY)
    users = {u["username"]: u for u in auth.list_users(engine)}
    manager = Scope(users["manager"]["id"], "manager", "manager")
    staff = Scope(users["staff"]["id"], "staff", "staff")
    with engine.connect() as conn:
        clash = conn.execute(select(Customer.id).where(
            (Customer.full_name.in_([NAME, OLD_NAME])) | (Customer.phone == PHONE_E164))).first()
    assert clash is None, "the sample must not already hold the person"
    saved = cw.create_customer(engine, staff, {
        "full_name": OLD_NAME, "phone": PHONE, "email": EMAIL, "address": "12 Ngõ Huế, Hà Nội",
        "birth_date": "02/09/1988", "company": "Công ty Diệp Gia", "tags": "vip, bạn của Diệp",
        "notes": f"Khách quen, gọi {PHONE} trước khi giao", "province": "Hà Nội", "gender": "female",
        "consent": True, "consent_channel": "zalo"}, confirm_duplicate=True)
    cid = saved.id
    version = _version(engine, cid)
    cw.update_customer(engine, manager, cid, version, {
        "full_name": NAME, "phone": PHONE, "email": EMAIL, "province": "Hà Nội", "gender": "female",
        "consent": True, "consent_channel": "zalo", "tags": "vip", "owner_id": staff.user_id},
        confirm_duplicate=True)
    order = activity.add_order(engine, staff, cid, {
        "order_date": dt.date(2026, 3, 8), "paid_amount": "500000",
        "lines": [{"description": f"Hoa tặng {NAME}", "quantity": "2", "unit_price": "450000"}]})
    activity.record_payment(engine, staff, cid, {"amount": "200000", "paid_on": dt.date(2026, 4, 1),
                                                 "note": f"chuyển khoản từ {PHONE_E164}"})
    activity.log_interaction(engine, staff, cid, {"kind": "call", "outcome": "consulted",
                                                  "occurred_at": dt.datetime(2026, 5, 2, 10),
                                                  "note": f"Chị {NAME} hỏi về quà Tết"})
    activity.open_feedback(engine, staff, cid, {"kind": "complaint", "subject": f"{NAME} phàn nàn",
                                                "body": f"Liên hệ {EMAIL}"})
    activity.schedule_appointment(engine, staff, cid, {"kind": "appointment",
                                                       "title": f"Gặp {NAME}",
                                                       "due_at": dt.datetime(2026, 12, 1, 9)})
    other = cw.create_customer(engine, staff, {"full_name": "Lý Văn Khoa", "phone": "0912000111"},
                               confirm_duplicate=True)
    activity.log_interaction(engine, staff, other.id, {
        "kind": "call", "outcome": "consulted", "occurred_at": dt.datetime(2026, 5, 3, 10),
        "note": f"Được {NAME.upper()} giới thiệu ({EMAIL.upper()})"})
    saved_segments.save_segment(engine, manager, f"Nhóm của {OLD_NAME}", CustomerFilter(search=NAME))
    exports.export_bytes(engine, manager, CustomerFilter(search=EMAIL), "csv")
    exports.export_bytes(engine, manager, CustomerFilter(search="0869123457"), "csv")
    return {"cid": cid, "code": saved.code, "order": order, "manager": manager, "staff": staff,
            "users": users, "other": other.id}


def _version(engine, cid) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Customer.version).where(Customer.id == cid)).scalar()


def _traces(engine) -> list[tuple[str, str, str]]:
    """(table, column, text) of every text cell holding the person's name (either, any
    case, with or without diacritics), phone (either form) or email."""
    needles = [NAME, OLD_NAME, PHONE_E164, "0869123457", "869123457", EMAIL, "0869 123 457"]
    folded = [fold(NAME), fold(OLD_NAME)]
    found = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not cols:
                continue
            for row in conn.execute(select(*cols)):
                for col, value in zip(cols, row, strict=True):
                    if not value:
                        continue
                    low = value.casefold()
                    if any(n.casefold() in low for n in needles) or any(f in fold(value) for f in folded):
                        found.append((table.name, col.name, value[:120]))
    return found


def _records(df: pd.DataFrame) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")  # NaN != NaN


def _figures(engine) -> list:
    out = []
    for period in PERIODS:
        out.append(overview.kpis(engine, SYSTEM, period).as_dict())
        out.append(_records(revenue.by_bucket(engine, SYSTEM, period, "month")))
        out.append(_records(overview.trend(engine, SYSTEM, period, "month")))
        for dim in ("region", "tier", "province", "gender", "source", "owner", "lifecycle_stage"):
            out.append(_records(segments.segment_counts(engine, SYSTEM, period, dim)))
    return out


def test_erase_leaves_no_trace_and_reports_do_not_move(engine, world):
    assert len(_traces(engine)) > 10, "the person is all over the database before"
    before = _figures(engine)
    done = erase_person(engine, world["manager"], world["cid"], world["code"].lower())
    assert _traces(engine) == []
    assert _figures(engine) == before
    c = pd.read_sql(f"SELECT * FROM customers WHERE id = {world['cid']}", engine).iloc[0]  # noqa: S608
    assert c["full_name"] == ERASED and c["erased_at"] is not None and c["deleted_at"] is None
    assert pd.isna(c["phone"]) and pd.isna(c["email"]) and pd.isna(c["birth_date"])
    assert c["search_text"] == fold(world["code"])
    # orders, amounts and the other customer's record stay
    orders = pd.read_sql(f"SELECT amount FROM orders WHERE customer_id = {world['cid']}", engine)  # noqa: S608
    assert list(orders["amount"]) == [900000]
    other = pd.read_sql(f"SELECT note FROM interactions WHERE customer_id = {world['other']}", engine)  # noqa: S608
    assert other["note"].iloc[0] == f"Được {ERASED} giới thiệu ({ERASED})"
    # the erasure's own audit row: who, which id, counts; no personal data
    row = pd.read_sql("SELECT * FROM audit_log WHERE action = 'erase'", engine).iloc[0]
    assert (row["username"], row["entity"], row["entity_id"]) == ("manager", "customer", str(world["cid"]))
    assert set(json.loads(row["detail"])) == {"rows"} and done.rows["audit_about"] > 0


def test_erasure_keeps_the_summary_consistent(engine, world):
    from crm_data import summaries

    erase_person(engine, world["manager"], world["cid"], world["code"])
    tables = ("customer_stats", "order_rollup", "customer_rollup", "stage_flow_rollup")
    kept = {t: pd.read_sql(f"SELECT * FROM {t} ORDER BY 1", engine).drop(  # noqa: S608
        columns=["refreshed_at"], errors="ignore") for t in tables}
    summaries.rebuild_all(engine)
    for t in tables:
        rebuilt = pd.read_sql(f"SELECT * FROM {t} ORDER BY 1", engine).drop(  # noqa: S608
            columns=["refreshed_at"], errors="ignore")
        if "id" in rebuilt:  # rollup rows are renumbered by a rebuild
            key = [c for c in rebuilt.columns if c != "id"]
            rebuilt = rebuilt[key].sort_values(key).reset_index(drop=True)
            kept[t] = kept[t][key].sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(kept[t], rebuilt, check_dtype=False)


def test_erase_needs_the_code_and_the_right_role(engine, world):
    with pytest.raises(NotConfirmed):
        erase_person(engine, world["manager"], world["cid"], "KH999999")
    with pytest.raises(PermissionError):
        erase_person(engine, world["staff"], world["cid"], world["code"])
    assert pd.read_sql("SELECT count(*) n FROM audit_log WHERE action = 'erase'", engine)["n"][0] == 0
    denied = pd.read_sql("SELECT * FROM audit_log WHERE action = 'denied'", engine)
    assert list(denied["entity"]) == ["erase"] and list(denied["username"]) == ["staff"]
    assert len(_traces(engine)) > 10


def test_erased_record_cannot_be_edited_back(engine, world):
    erase_person(engine, world["manager"], world["cid"], world["code"])
    with pytest.raises(NotFound):
        cw.update_customer(engine, world["manager"], world["cid"], _version(engine, world["cid"]),
                           {"full_name": NAME, "phone": PHONE})


def test_export_holds_everything_about_the_person(engine, world):
    doc = json.loads(export_person(engine, world["manager"], world["cid"], "json"))
    assert doc["profile"]["full_name"] == NAME and doc["profile"]["phone"] == PHONE_E164
    assert doc["profile"]["consent_channel"] == "zalo" and doc["profile"]["consent_at"]
    assert "search_text" not in doc["profile"]
    assert [o["id"] for o in doc["orders"]] == [world["order"]]
    assert doc["orders"][0]["lines"][0]["description"] == f"Hoa tặng {NAME}"
    assert doc["orders"][0]["amount"] == 900000
    assert len(doc["payments"]) == 1 and len(doc["interactions"]) == 1
    assert len(doc["feedback"]) == 1 and len(doc["appointments"]) == 1
    assert sum(e["points"] for e in doc["loyalty"]) == doc["summary"]["points"] > 0
    actions = [(a["entity"], a["action"]) for a in doc["audit"]]
    assert ("customer", "create") in actions and ("customer", "update") in actions
    assert ("order", "create") in actions and ("interaction", "create") in actions
    assert all(a["entity_id"] != str(world["other"]) for a in doc["audit"])
    book = load_workbook(io.BytesIO(export_person(engine, world["manager"], world["cid"], "xlsx")))
    assert {"profile", "orders", "order_lines", "payments", "interactions", "feedback",
            "appointments", "loyalty", "audit"} <= set(book.sheetnames)
    assert book["profile"]["A1"].value == "id"
    names = [c.value for c in book["profile"][1]]
    assert book["profile"].cell(2, names.index("full_name") + 1).value == NAME
    logged = pd.read_sql("SELECT * FROM audit_log WHERE action = 'person_export'", engine)
    assert list(logged["detail"].map(lambda d: json.loads(d)["format"])) == ["json", "xlsx"]
    assert NAME not in "".join(logged["detail"]), "the export's audit row holds counts, not data"


def test_export_access(engine, world):
    users = world["users"]
    # staff: their own customers only; a viewer never (and that is recorded)
    export_person(engine, world["staff"], world["cid"], "json")
    other_staff = Scope(auth.add_user(engine, "nv_khac", "password123", "staff"), "nv_khac", "staff")
    with pytest.raises(NotFound):
        export_person(engine, other_staff, world["cid"], "json")
    viewer = Scope(users["viewer"]["id"], "viewer", "viewer")
    with pytest.raises(PermissionError):
        export_person(engine, viewer, world["cid"], "json")
    denied = pd.read_sql("SELECT * FROM audit_log WHERE action = 'denied'", engine)
    assert list(denied["username"]) == ["viewer"]


def test_consent_given_withdrawn_with_date_and_channel(engine, world):
    cid, manager = world["cid"], world["manager"]
    c = pd.read_sql(f"SELECT * FROM customers WHERE id = {cid}", engine).iloc[0]  # noqa: S608
    assert bool(c["consent"]) and c["consent_channel"] == "zalo" and pd.notna(c["consent_at"])
    assert pd.isna(c["consent_withdrawn_at"])
    base = {"full_name": NAME, "phone": PHONE, "email": EMAIL, "owner_id": world["staff"].user_id}
    cw.update_customer(engine, manager, cid, _version(engine, cid),
                       {**base, "consent": False, "consent_channel": "email"}, confirm_duplicate=True)
    c = pd.read_sql(f"SELECT * FROM customers WHERE id = {cid}", engine).iloc[0]  # noqa: S608
    assert not bool(c["consent"]) and c["consent_channel"] == "email"
    assert pd.notna(c["consent_withdrawn_at"]) and pd.notna(c["consent_at"])
    cw.update_customer(engine, manager, cid, _version(engine, cid),
                       {**base, "consent": True, "consent_channel": "paper"}, confirm_duplicate=True)
    c = pd.read_sql(f"SELECT * FROM customers WHERE id = {cid}", engine).iloc[0]  # noqa: S608
    assert bool(c["consent"]) and c["consent_channel"] == "paper"
    assert pd.Timestamp(c["consent_at"]) >= pd.Timestamp(c["consent_withdrawn_at"])
    no = cw.create_customer(engine, manager, {"full_name": "Hà Văn Tư", "consent_channel": "zalo"})
    c = pd.read_sql(f"SELECT * FROM customers WHERE id = {no.id}", engine).iloc[0]  # noqa: S608
    assert pd.isna(c["consent_at"]) and pd.isna(c["consent_channel"])


def test_cli_export_and_erase(engine, db_url, world, tmp_path, capsys):
    out = tmp_path / "nguoi.json"
    assert main(["privacy", "export", world["code"], "--database-url", db_url, "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["profile"]["email"] == EMAIL
    xlsx = tmp_path / "nguoi.xlsx"
    assert main(["privacy", "export", world["code"], "--database-url", db_url, "-o", str(xlsx)]) == 0
    assert xlsx.read_bytes()[:2] == b"PK"
    assert main(["privacy", "erase", world["code"], "--database-url", db_url]) == 2
    assert "--yes" in capsys.readouterr().err
    assert len(_traces(engine)) > 10
    assert main(["privacy", "erase", world["code"], "--database-url", db_url, "--yes"]) == 0
    assert _traces(engine) == []
    assert main(["privacy", "erase", "KH999999", "--database-url", db_url, "--yes"]) == 2


def test_erasure_replaces_whole_names_only(engine):
    admin = Scope(auth.add_user(engine, "admin", "password123", "admin"), "admin", "admin")
    an = cw.create_customer(engine, admin, {"full_name": "Trần Văn An", "phone": "0912345678"})
    anh = cw.create_customer(engine, admin, {"full_name": "Trần Văn Anh", "phone": "0912345679"},
                             confirm_duplicate=True)
    activity.log_interaction(engine, admin, anh.id, {"kind": "call", "outcome": "consulted",
                                                     "note": "Trần Văn Anh, em của Trần Văn An; số 0912345679"})
    erase_person(engine, admin, an.id, an.code)
    note = pd.read_sql(f"SELECT note FROM interactions WHERE customer_id = {anh.id}", engine)["note"][0]  # noqa: S608
    assert note == f"Trần Văn Anh, em của {ERASED}; số 0912345679"
    created = pd.read_sql(f"SELECT after FROM audit_log WHERE entity = 'customer' AND entity_id = '{anh.id}' "  # noqa: S608
                          "AND action = 'create'", engine)["after"][0]
    assert json.loads(created)["full_name"] == "Trần Văn Anh"


def test_an_import_cannot_bring_an_erased_person_back(engine, world):
    """A customer file with the erased customer's code, imported with "update existing":
    the row is refused with its reason and the record stays anonymous."""
    from crm_data.imports import import_file

    erase_person(engine, world["manager"], world["cid"], world["code"])
    data = f"Mã KH,Họ tên,Điện thoại\n{world['code']},{NAME},{PHONE}\n".encode()
    r = import_file(engine, SYSTEM, data, "customers", name="lai.csv", duplicates="update",
                    on_error="skip")
    assert r.updated == 0 and r.rejected == 1
    assert {i.key for row in r.rows for i in row.issues} == {"import.dup.erased"}
    with engine.connect() as conn:
        name, phone = conn.execute(select(Customer.full_name, Customer.phone)
                                   .where(Customer.id == world["cid"])).one()
    assert name == ERASED and phone is None
