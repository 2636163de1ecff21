"""Lead scoring (questionnaire → score → grade, explained), won share per grade, churn
reasons of buyers, folded tags — data layer, tiny hand-made data or the shared sample."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from crm_data.accounts.scope import ROLES, SYSTEM, Scope
from crm_data.customers.listing import count_customers, list_customers
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.leadscore import questionnaire, report, scoring
from crm_data.reports import retention
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import User
from crm_data.writes import ValidationFailed, activity, bulk, churn
from crm_data.writes import customer as cw


@pytest.fixture
def actors(engine):
    """One user per role, inserted directly: no password hashing (signing in is not tested here)."""
    with unit_of_work(engine) as s:
        users = [User(username=r, display_name=r, role=r, password_hash="-") for r in ROLES]
        s.add_all(users)
        s.flush()
        return {u.role: Scope(u.id, u.username, u.role) for u in users}


def _new(engine, scope, name, phone, **extra):
    return cw.create_customer(engine, scope, {"full_name": name, "phone": phone, **extra}).id


def _stored(engine, cid):
    with engine.connect() as conn:
        return tuple(conn.exec_driver_sql(
            f"SELECT lead_score, lead_grade FROM customers WHERE id = {int(cid)}").one())  # noqa: S608


# Default questionnaire (migration 0015): thresholds hot >= 70, warm >= 40.
EDGES = [
    ({"budget": "confirmed", "need_timeline": "within_1m", "decision_maker": "yes"}, 70, "hot"),
    ({"budget": "confirmed", "need_timeline": "within_1m", "decision_maker": "influencer",
      "company_size": "micro", "source_quality": "paid"}, 69, "warm"),
    ({"budget": "confirmed", "need_timeline": "within_3m"}, 40, "warm"),
    ({"budget": "confirmed", "need_timeline": "later", "company_size": "micro",
      "source_quality": "paid"}, 39, "cold"),
    ({"budget": "none", "need_timeline": "no_need", "decision_maker": "no"}, 0, "cold"),
]


def test_scores_and_grades_on_the_thresholds_explained_point_by_point(engine, actors):
    staff = actors["staff"]
    for i, (answers, score, grade) in enumerate(EDGES):
        cid = _new(engine, staff, f"Khách {i}", f"09123456{i:02d}")
        assert scoring.save_answers(engine, staff, cid, answers) == (score, grade)
        assert _stored(engine, cid) == (score, grade)
        why = scoring.explain(engine, staff, cid)
        assert why["points"].sum() == score and why["answer"].notna().sum() == len(answers)
    # the threshold moves by one: the 69 becomes hot, the 70 stays hot, 40 becomes cold
    with pytest.raises(PermissionError):
        questionnaire.set_thresholds(engine, actors["manager"], 69, 41)
    with pytest.raises(ValidationFailed):
        questionnaire.set_thresholds(engine, actors["admin"], 40, 40)
    questionnaire.set_thresholds(engine, actors["admin"], 69, 41)
    grades = pd.read_sql("SELECT lead_score, lead_grade FROM customers ORDER BY id", engine)
    assert grades["lead_grade"].tolist() == ["hot", "hot", "cold", "cold", "cold"]


def test_changed_points_rescore_the_answers_and_are_audited(engine, actors):
    staff, admin = actors["staff"], actors["admin"]
    a = _new(engine, staff, "Trần Thị Lan", "0912345601")
    b = _new(engine, staff, "Lê Văn Bình", "0912345602")
    scoring.save_answers(engine, staff, a, {"budget": "confirmed", "decision_maker": "yes"})
    scoring.save_answers(engine, staff, b, {"budget": "estimated", "decision_maker": "yes"})
    budget = next(q for q in questionnaire.load(engine) if q.key == "budget")
    rows = [{"id": o.id, "text_vi": o.text_vi, "text_en": o.text_en, "position": o.position,
             "points": 60 if o.key == "confirmed" else o.points, "active": True} for o in budget.options]
    with pytest.raises(PermissionError):
        questionnaire.save_options(engine, staff, budget.id, rows)
    bad = [{**rows[0], "points": "nhiều"}, {**rows[1], "text_vi": " "}]
    with pytest.raises(ValidationFailed) as refused:  # every bad cell at once, nothing saved
        questionnaire.save_question(engine, admin, {"id": budget.id, "text_vi": "Ngân sách mới",
                                                    "position": 1}, bad)
    assert set(refused.value.errors) == {"points.1", "text_vi.2"}
    assert questionnaire.load(engine)[0].text_vi == "Ngân sách"
    questionnaire.save_options(engine, admin, budget.id, rows)
    assert _stored(engine, a) == (80, "hot") and _stored(engine, b) == (35, "cold")
    assert scoring.explain(engine, staff, a)["points"].sum() == 80
    log = pd.read_sql("SELECT entity, entity_id, before, after FROM audit_log "
                      "WHERE entity = 'lead_option'", engine)
    assert log["entity_id"].tolist() == ["budget.confirmed"]
    assert json.loads(log["before"][0]) == {"points": 25} and json.loads(log["after"][0]) == {"points": 60}
    with pytest.raises(ValidationFailed):  # an unknown answer is refused, nothing changes
        scoring.save_answers(engine, staff, a, {"budget": "bogus"})
    assert _stored(engine, a) == (80, "hot")
    with pytest.raises(PermissionError):
        scoring.save_answers(engine, actors["viewer"], a, {"budget": "none"})


def test_grade_filter_and_won_share_per_grade_match_pandas(seeded):
    c = pd.read_sql("SELECT c.id, c.lead_grade, c.pipeline_stage FROM customers c "
                    "JOIN customer_stats s ON s.customer_id = c.id WHERE c.deleted_at IS NULL", seeded)
    assert set(c["lead_grade"].dropna()) == {"hot", "warm", "cold"}
    for grades in (("hot",), ("warm", "cold")):
        expected = int(c["lead_grade"].isin(grades).sum())
        assert count_customers(seeded, SYSTEM, CustomerFilter(lead_grades=grades)) == expected > 0
    got = report.won_by_grade(seeded, SYSTEM).set_index("grade")
    graded = c.dropna(subset=["lead_grade"])
    want = graded.groupby("lead_grade").agg(leads=("id", "size"),
                                            won=("pipeline_stage", lambda s: int((s == "won").sum())))
    for g in scoring.GRADES:
        assert got.loc[g, "leads"] == want.loc[g, "leads"]
        assert got.loc[g, "won"] == want.loc[g, "won"]
        assert got.loc[g, "won_share"] == pytest.approx(want.loc[g, "won"] / want.loc[g, "leads"])


def test_sample_grades_come_from_answers(seeded):
    c = pd.read_sql("SELECT c.id, c.lead_score, sum(a.points) AS total FROM customers c "
                    "JOIN lead_answers a ON a.customer_id = c.id GROUP BY c.id, c.lead_score", seeded)
    assert len(c) > 0 and (c["lead_score"] == c["total"]).all()
    hot, warm = scoring.thresholds(seeded)
    g = pd.read_sql("SELECT lead_score, lead_grade FROM customers WHERE lead_score IS NOT NULL", seeded)
    assert (g["lead_grade"] == [scoring.grade_of(s, hot, warm) for s in g["lead_score"]]).all()


def test_churn_reason_recorded_shows_in_the_retention_reasons(engine, actors):
    staff = actors["staff"]
    buyer = _new(engine, staff, "Phạm Văn Cường", "0912345611")
    lead = _new(engine, staff, "Đỗ Thị Hoa", "0912345612")
    activity.add_order(engine, staff, buyer, {
        "order_date": dt.date(2026, 3, 2), "paid_amount": "500000",
        "lines": [{"description": "Gạo", "quantity": "1", "unit_price": "500000"}]})
    year = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    before = retention.churn_reasons(engine, staff, year, 180)
    assert before["reason"].tolist() == ["not_recorded"]
    with pytest.raises(ValidationFailed):  # never bought: no churn to explain
        churn.record_churn_reason(engine, staff, lead, {"reason": "price"})
    with pytest.raises(ValidationFailed):  # "other" says what
        churn.record_churn_reason(engine, staff, buyer, {"reason": "other", "note": ""})
    churn.record_churn_reason(engine, staff, buyer, {"reason": "service", "note": "giao chậm"})
    churn.record_churn_reason(engine, staff, buyer, {"reason": "Giá"})  # the label works too
    after = retention.churn_reasons(engine, staff, year, 180)
    assert after["reason"].tolist() == ["price"] and after["customers"].tolist() == [1]
    flt = CustomerFilter(churn_reason="price", churn_reason_days=180)
    assert count_customers(engine, staff, flt) == 1
    assert churn.latest(engine, staff, buyer)["reason"] == "price"


def test_tags_match_folded_and_keep_the_first_spelling(engine, actors):
    staff, manager = actors["staff"], actors["manager"]
    a = _new(engine, staff, "Nguyễn Văn Nghĩa", "0912345621", tags="Khách Sỉ, VIP")
    b = _new(engine, staff, "Lê Thị Hồng", "0912345622", tags="khach si, Khách sỉ, đại lý")
    c = _new(engine, staff, "Trần Văn Tâm", "0912345623", tags="Dai_Ly")
    tags = pd.read_sql("SELECT id, tags, tag_keys FROM customers ORDER BY id", engine)
    assert tags["tags"].tolist() == [",Khách Sỉ,VIP,", ",đại lý,Khách Sỉ,", ",đại lý,"]
    assert tags["tag_keys"].tolist() == [",khach si,vip,", ",dai ly,khach si,", ",dai ly,"]
    for typed, expected in ((("KHÁCH SỈ",), {a, b}), (("dai ly",), {b, c}), (("vip", "khach_si"), {a, b})):
        page = list_customers(engine, staff, CustomerFilter(tags=typed))
        assert set(page.rows["id"]) == expected, typed
    shown = list_customers(engine, staff, CustomerFilter(tags=("khach si",))).rows.set_index("id")["tags"]
    assert shown[a] == "Khách Sỉ, VIP" and shown[b] == "đại lý, Khách Sỉ"  # the list: first spelling
    bulk.bulk_edit(engine, manager, [a, c], bulk.BulkEdit(add_tags=("vip ",), remove_tags=("ĐẠI LÝ",)))
    tags = pd.read_sql("SELECT tags FROM customers ORDER BY id", engine)["tags"].tolist()
    assert tags == [",Khách Sỉ,VIP,", ",đại lý,Khách Sỉ,", ",VIP,"]
    assert pd.read_sql("SELECT count(*) AS n FROM tags", engine)["n"][0] == 3
    with pytest.raises(ValidationFailed):  # one tag longer than the registry holds
        bulk.bulk_edit(engine, manager, [a], bulk.BulkEdit(add_tags=("x" * 65,)))


def test_import_folds_tags_scores_answers_and_records_churn_reasons(engine, actors):
    from crm_data.imports.run import import_file

    staff = actors["staff"]
    _new(engine, staff, "Nguyễn Văn Nghĩa", "0912345631", tags="Khách Sỉ")
    csv = ("Họ và tên,Số điện thoại,Nhãn,Trả lời chấm điểm,Lý do ngừng mua,Ghi chú ngừng mua\n"
           "Lê Thị Hồng,0912345632,\"khach si, Mới\",\"Ngân sách: Đã có ngân sách; "
           "decision_maker=yes; Need and timeline: Within 1–3 months\",Giá,đắt hơn chỗ khác\n"
           "Trần Văn Tâm,0912345633,,budget: bogus,,\n")
    result = import_file(engine, actors["manager"], csv.encode(), "customers", name="k.csv",
                         on_error="skip")
    assert (result.inserted, result.rejected) == (1, 1)
    assert result.rows[0].issues[0].key == "leadscore.invalid.answer"
    hong = pd.read_sql("SELECT id, tags, tag_keys, lead_score, lead_grade FROM customers "
                       "WHERE full_name = 'Lê Thị Hồng'", engine).iloc[0]
    assert (hong["tags"], hong["tag_keys"]) == (",Khách Sỉ,Mới,", ",khach si,moi,")
    assert (hong["lead_score"], hong["lead_grade"]) == (60, "warm")  # 25 + 20 + 15
    assert scoring.explain(engine, SYSTEM, int(hong["id"]))["points"].sum() == 60
    assert churn.latest(engine, SYSTEM, int(hong["id"]))["reason"] == "price"


def test_churn_note_is_in_the_person_export_and_gone_after_erasure(engine, actors):
    from crm_data.privacy import erasure, person_data

    staff, admin = actors["staff"], actors["admin"]
    cid = _new(engine, staff, "Vũ Thị Mai", "0912345641")
    activity.add_order(engine, staff, cid, {"order_date": dt.date(2026, 1, 5), "paid_amount": "100000",
                                            "lines": [{"description": "Bánh", "quantity": "1",
                                                       "unit_price": "100000"}]})
    churn.record_churn_reason(engine, staff, cid, {"reason": "moved", "note": "Chuyển về Huế với Mai"})
    doc = json.loads(person_data.export_person(engine, admin, cid, "json"))
    assert "Chuyển về Huế với Mai" in json.dumps(doc, ensure_ascii=False)
    code = pd.read_sql(f"SELECT code FROM customers WHERE id = {cid}", engine)["code"][0]  # noqa: S608
    erasure.erase_person(engine, admin, cid, code)
    left = pd.read_sql("SELECT note FROM churn_reasons", engine)["note"].tolist()
    audit = " ".join(pd.read_sql("SELECT after FROM audit_log", engine)["after"].fillna(""))
    assert left == [None] and "Huế với Mai" not in audit
