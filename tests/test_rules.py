"""Rules as data (crm_data.rules.store / rules_sql / rules_apply): each default rule on its
edge values, an edit re-applied changes exactly the expected customers, versions and
restore, RFM quintiles against pandas, and one count per label everywhere (both sides of
each boundary)."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from crm_data import cli, summaries
from crm_data.accounts.scope import Scope
from crm_data.customers import listing as customers
from crm_data.domain import labels as rules
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.records.writing import ValidationFailed
from crm_data.reports import labels, retention
from crm_data.rules import apply as rules_apply
from crm_data.rules import sql as rules_sql
from crm_data.rules import store as rules_store
from crm_data.storage.models import AuditLog, Customer, CustomerStats, Order, RuleVersion
from tests.conftest import FIXED_TODAY

SYSTEM = Scope(None, "system", "admin")
TODAY = FIXED_TODAY
M = 1_000_000


def _add(conn, code: str, orders=(), province=None, tags: str = "", tag_keys: str = "") -> int:
    """A customer with completed orders [(days ago, amount, paid)]."""
    cid = conn.execute(insert(Customer).values(
        code=code, full_name=f"Khách {code}", search_text=code.lower(), kind="individual",
        lifecycle_stage="awareness", pipeline_stage="won", tags=tags, tag_keys=tag_keys, consent=False,
        province_code=province, created_at=dt.datetime(2023, 1, 1), updated_at=dt.datetime(2023, 1, 1),
        version=1).returning(Customer.id)).scalar()
    for k, (ago, amount, paid) in enumerate(orders):
        day = TODAY - dt.timedelta(days=ago)
        conn.execute(insert(Order).values(
            code=f"DH{code}{k}", customer_id=cid, order_date=day, ordered_at=dt.datetime.combine(day, dt.time(10)),
            status="completed", subtotal=amount, discount=0, amount=amount, paid_amount=paid, items_count=1,
            created_at=dt.datetime.combine(day, dt.time(10))))
    return cid


def _paid(ago, amount):
    return (ago, amount, amount)


# code → orders; each pair sits on both sides of one default rule's threshold
EDGES = {
    "V12": [_paid(10, 20 * M)], "V12_1": [_paid(10, 20 * M - 1)],
    "VT": [_paid(400, 50 * M)], "VT_1": [_paid(400, 50 * M - 1)],
    "HV": [_paid(400, 30 * M)], "HV_1": [_paid(400, 30 * M - 1)],
    "L5": [_paid(10 + i, 100_000) for i in range(5)], "L4": [_paid(10 + i, 100_000) for i in range(4)],
    "N90": [_paid(90, 100_000)], "N91": [_paid(91, 100_000)],
    "D1": [(10, 100_000, 99_999)], "D0": [_paid(10, 100_000)],
    "A89": [_paid(89, 100_000)], "A90": [_paid(90, 100_000)],
    "A179": [_paid(179, 100_000)], "A180": [_paid(180, 100_000)],
    "P": [],
}


@pytest.fixture
def edges(engine):
    with engine.begin() as conn:
        for code, orders in EDGES.items():
            _add(conn, code, orders, province=1 if code == "V12" else None,
                 tags=",Khách Sỉ," if code == "L4" else "",
                 tag_keys=",khach si," if code == "L4" else "")
    summaries.rebuild_all(engine, TODAY)
    return engine


def _stats(engine) -> pd.DataFrame:
    q = (select(Customer.code, CustomerStats.tier, CustomerStats.groups, CustomerStats.tier_rule,
                CustomerStats.group_rules, CustomerStats.rules_version, CustomerStats.r_score,
                CustomerStats.f_score, CustomerStats.m_score, CustomerStats.rfm_segment,
                Customer.lifecycle_stage)
         .join(CustomerStats, CustomerStats.customer_id == Customer.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all()).set_index("code").sort_index()


def _in(df, group) -> set[str]:
    return {c for c, g in df["groups"].items() if f",{group}," in g}


def test_default_rules_on_their_edges(edges, backend):
    df = _stats(edges)
    assert df.loc["V12", "tier"] == "vip" and df.loc["V12", "tier_rule"] == "vip_12m"
    assert df.loc["V12_1", "tier"] == "regular" and df.loc["V12_1", "tier_rule"] == "any_order"
    assert df.loc["VT", "tier"] == "vip" and df.loc["VT", "tier_rule"] == "vip_total"
    assert df.loc["VT_1", "tier"] == "regular"
    assert df.loc["P", "tier"] == "none" and pd.isna(df.loc["P", "tier_rule"])
    assert _in(df, "high_value") == {"HV", "VT", "VT_1"}
    assert _in(df, "loyal") == {"L5"}
    assert {"N90", "A89", "A90"} <= _in(df, "new_buyer") and "N91" not in _in(df, "new_buyer")
    assert _in(df, "debtor") == {"D1"}
    assert _in(df, "prospect") == {"P"}
    assert {"A90", "A179", "N90", "N91"} == _in(df, "at_risk")  # 90 ≤ days < 180
    assert {"A180", "VT", "VT_1", "HV", "HV_1"} == _in(df, "churned")  # days ≥ 180
    assert "A89" not in _in(df, "at_risk") | _in(df, "churned")
    assert (df["rules_version"] == 1).all()
    # the group rules recorded are the groups' rules
    assert df.loc["L5", "group_rules"] == ",orders_not_churned,first_order_recent,"
    assert df.loc["P", "group_rules"] == ",no_order,"
    # reasons, rendered from the rule in both languages with the customer's figure
    stats = customers.get_customer(edges, SYSTEM, _id(edges, "V12"))["stats"]
    vi, en = (customers.reasons(stats, lang, TODAY, bind=edges) for lang in ("vi", "en"))
    assert vi[0].startswith("VIP vì chi tiêu 12 tháng ≥ 20.000.000") and "phiên bản 1" in vi[0]
    assert en[0].startswith("VIP because 12-month spend ≥ 20,000,000") and "(now: 20,000,000" in en[0]
    assert not [s for s in vi + en if "rules." in s or "{" in s]


def _id(engine, code) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Customer.id).where(Customer.code == code)).scalar_one()


def _edited(**changes) -> dict:
    defn = copy.deepcopy(rules_store.DEFAULT_DEFINITION)
    for path, value in changes.items():
        part, rid, field = path.split("__")
        rule = next(r for r in defn[part] if r["id"] == rid)
        next(c for c in rule["conditions"] if c["field"] == field)["value"] = value
    return defn


def test_edit_preview_save_restore(edges, backend):
    admin = Scope(None, "admin", "admin")
    before = _stats(edges)
    defn = _edited(tiers__vip_12m__spend_12m=20 * M - 1)
    pv = rules_apply.preview(edges, admin, defn, TODAY)
    assert pv.changed == 1 and pv.moves.to_dict("records") == [
        {"from_tier": "regular", "to_tier": "vip", "customers": 1}]
    assert pv.customers["code"].tolist() == ["V12_1"] and pv.group_changes.empty
    assert _stats(edges).equals(before)  # the preview wrote nothing

    saved = rules_apply.save(edges, admin, defn, "VIP from 19.999.999", ref=TODAY)
    after = _stats(edges)
    assert saved.version == 2 and saved.moved == 1
    cols = ["tier", "groups", "r_score", "f_score", "m_score", "rfm_segment", "lifecycle_stage"]
    diff = (after[cols].fillna(0) != before[cols].fillna(0)).any(axis=1)
    assert set(diff[diff].index) == {"V12_1"} and after.loc["V12_1", "tier"] == "vip"
    assert (after["rules_version"] == 2).all()
    # a later write refreshes with version 2
    with edges.begin() as conn:
        _add(conn, "NEW", [_paid(1, 20 * M - 1)])
    from crm_data.storage.db import unit_of_work

    with unit_of_work(edges) as s:
        summaries.refresh_customers(s, [_id(edges, "NEW")], TODAY)
    assert _stats(edges).loc["NEW", "tier"] == "vip"

    restored = rules_apply.restore(edges, admin, 1, TODAY)
    assert restored.version == 3 and _stats(edges).loc["V12_1", "tier"] == "regular"
    hist = rules_store.history(edges)
    assert hist["version"].tolist() == [3, 2, 1] and int(hist["restored_from"].iloc[0]) == 1
    with edges.connect() as conn:
        audits = conn.execute(select(AuditLog.entity_id, AuditLog.before, AuditLog.after)
                              .where(AuditLog.entity == "rules").order_by(AuditLog.id)).all()
        v3 = json.loads(conn.execute(select(RuleVersion.definition).where(RuleVersion.version == 3)).scalar())
    assert [a[0] for a in audits] == ["2", "3"]
    assert json.loads(audits[0][1])["definition"] == rules_store.DEFAULT_DEFINITION  # whole previous one
    assert v3 == rules_store.normalise(rules_store.DEFAULT_DEFINITION)
    with pytest.raises(PermissionError):
        rules_apply.save(edges, Scope(None, "m", "manager"), defn)


def test_conditions_on_province_tags_and_bad_values(edges, backend):
    defn = copy.deepcopy(rules_store.DEFAULT_DEFINITION)
    defn["tiers"] = [
        {"id": "hn", "target": "vip", "priority": 1, "conditions": [{"field": "province", "op": "=", "value": 1}]},
        {"id": "not_hn", "target": "regular", "priority": 2,
         "conditions": [{"field": "province", "op": "!=", "value": "1"}, {"field": "tags", "op": "has", "value": "Khach Si"}]},
    ]
    rules_apply.save(edges, SYSTEM, defn, ref=TODAY)
    df = _stats(edges)
    # province 1 only for V12; a missing province differs from 1; tags fold like the tag column
    assert set(df.index[df["tier"] == "vip"]) == {"V12"}
    assert set(df.index[df["tier"] == "regular"]) == {"L4"}
    bad = copy.deepcopy(defn)
    bad["tiers"][0]["conditions"][0] = {"field": "debt", "op": "in", "value": "1"}
    with pytest.raises(ValidationFailed):
        rules_apply.save(edges, SYSTEM, bad, ref=TODAY)


def test_label_counts_agree_everywhere(edges, db_url, capsys, backend):
    """active / at risk / churned / lapsed: the same customers in the label counts, the
    groups (customer list), the at-risk list, the recency bands, the journey stage and the
    CLI — with the default window and after the window is changed."""
    for window in (180, 120):
        if window != 180:
            rules_apply.save(edges, SYSTEM, {**rules_store.DEFAULT_DEFINITION, "churn_days": window}, ref=TODAY)
        counts = labels.label_counts(edges, SYSTEM)
        days = {code: orders and min(o[0] for o in orders) for code, orders in EDGES.items()}
        expect = {"active": sum(1 for d in days.values() if d != [] and d < window // 2),
                  "at_risk": sum(1 for d in days.values() if d != [] and window // 2 <= d < window),
                  "churned": sum(1 for d in days.values() if d != [] and d >= window), "prospect": 1}
        assert counts == expect
        everyone = CustomerFilter(tiers=("vip", "regular", "none"))  # the raw path, not the rollup's
        assert labels.label_counts(edges, SYSTEM, everyone) == counts
        group = {g: customers.count_customers(edges, SYSTEM, CustomerFilter(groups=(g,)))
                 for g in ("at_risk", "churned")}
        assert group == {"at_risk": counts["at_risk"], "churned": counts["churned"]}
        assert retention.at_risk(edges, SYSTEM, None, limit=100).total == counts["at_risk"]
        bands = retention.recency_bands(edges, SYSTEM, None).set_index("band")["customers"]
        lo = {b: int(b.split("_")[0]) for b in bands.index if b != "never"}
        assert sum(bands[b] for b, v in lo.items() if window // 2 <= v < window) == counts["at_risk"]
        assert sum(bands[b] for b, v in lo.items() if v >= window) == counts["churned"]
        with edges.connect() as conn:
            lapsed = conn.execute(select(func.count()).where(Customer.lifecycle_stage == "lapsed")).scalar()
            today_list = conn.execute(select(func.count()).select_from(CustomerStats).where(
                CustomerStats.last_order_date <= rules.at_risk_last_order_until(TODAY),
                CustomerStats.last_order_date > rules.churned_last_order_until(TODAY))).scalar()
        assert lapsed == counts["churned"] and today_list == counts["at_risk"]
        assert rules.is_churned(window) and not rules.is_churned(window - 1)
        assert cli.main(["report", "retention", "--format", "json", "--database-url", db_url]) == 0
        out = json.loads(capsys.readouterr().out)
        assert {k: out[k] for k in counts} == counts and out["churn_days"] == window


def test_quintiles_equal_pandas(engine, backend):
    """Scores over active customers' lower quintiles, ties kept together (rules_sql doc)."""
    rows = []
    with engine.begin() as conn:
        for i in range(23):
            n = 1 + (i * 7) % 5  # orders: many ties
            ago = [3 + (i * 11) % 80 + k for k in range(n)]  # all active (< 90 days)
            orders = [_paid(a, (1 + (i * 13) % 6) * 250_000) for a in ago]
            _add(conn, f"Q{i:02d}", orders)
            rows.append({"code": f"Q{i:02d}", "last": TODAY - dt.timedelta(days=min(ago)), "n": n,
                         "total": sum(o[1] for o in orders)})
        _add(conn, "QOLD", [_paid(300, 9 * M)])  # churned: scored, not in the cut-offs
    summaries.rebuild_all(engine, TODAY)
    defn = copy.deepcopy(rules_store.DEFAULT_DEFINITION)
    defn["rfm"]["mode"] = "quintiles"
    rules_apply.save(engine, SYSTEM, defn, ref=TODAY)
    got = _stats(engine)
    df = pd.DataFrame(rows)
    df["last"] = df["last"].map(dt.date.toordinal)  # later = higher, as the dates compare
    for measure, col in (("r", "last"), ("f", "n"), ("m", "total")):
        cuts = df[col].quantile([0.2, 0.4, 0.6, 0.8], interpolation="lower").to_numpy()
        exp = 1 + (df[col].to_numpy()[:, None] > cuts[None, :]).sum(axis=1)
        assert got.loc[df["code"], f"{measure}_score"].tolist() == exp.tolist(), measure
    assert got.loc["QOLD", "r_score"] == 1 and got.loc["QOLD", "m_score"] == 5
    # the per-write refresh keeps the stored cut-offs
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rules_sql, "compute_cutoffs", lambda *a: pytest.fail("recomputed on a write"))
        from crm_data.storage.db import unit_of_work

        with unit_of_work(engine) as s:
            summaries.refresh_customers(s, [_id(engine, "Q00")], TODAY)
    assert _stats(engine).loc["Q00", "r_score"] == got.loc["Q00", "r_score"]


def test_version_one_in_the_migration_is_the_default(engine, backend):
    with engine.connect() as conn:
        stored = json.loads(conn.execute(select(RuleVersion.definition).where(RuleVersion.version == 1)).scalar())
    assert stored == rules_store.DEFAULT_DEFINITION == rules_store.normalise(rules_store.DEFAULT_DEFINITION)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_editor_rows_round_trip_in_words(lang):
    """The Rules page's tables show words, not keys; reading them back gives the same rules."""
    defn = copy.deepcopy(rules_store.DEFAULT_DEFINITION)
    defn["groups"].append({"id": "south_shops", "target": "high_value", "priority": 80, "conditions": [
        {"field": "region", "op": "=", "value": "south"}, {"field": "kind", "op": "in", "value": ["business"]},
        {"field": "province", "op": "=", "value": 79}, {"field": "status", "op": "in", "value": ["active", "at_risk"]}]})
    rows = {part: rules_store.to_rows(defn[part], lang) for part in ("tiers", "groups")}
    shown = {str(v) for part in rows.values() for r in part for k, v in r.items() if k != "id"}
    assert not shown & {"loyal", "south", "business", "at_risk", "regular", ">=", "orders_count"}
    back = {**defn, **{part: rules_store.from_rows(rows[part], lang) for part in rows}}
    assert rules_store.normalise(back) == rules_store.normalise(defn)
