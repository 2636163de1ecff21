"""Lookalike leads (issue #15 part 2) on both backends: features at lead time, the time
split, a planted signal found and an absent one admitted, stored scores = the model's."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from sqlalchemy import insert, select, update

from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.admin import settings
from crm_data.cli import main as crm
from crm_data.customers import saved_segments
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.lookalike import best, features, fit, model, reads
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import (
    AuditLog,
    Customer,
    CustomerStats,
    Interaction,
    LeadAnswer,
    LeadLookalike,
    Order,
    User,
)
from crm_data.summaries import rebuild_all
from tests import apptest
from tests.conftest import FIXED_TODAY

D = FIXED_TODAY
SOURCES = ("website", "social", "walk_in", "event", "ads")


def _at(days: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(D - dt.timedelta(days=days), dt.time(hour))


def _users(s) -> None:
    s.execute(insert(User), [{"id": i, "username": r, "display_name": r, "role": r,
                              "password_hash": "-"} for i, r in enumerate(apptest.ROLES, 1)])


def _order(cid: int, days: int) -> dict:
    day = D - dt.timedelta(days=days)
    return {"code": f"DH{cid}", "customer_id": cid, "order_date": day,
            "ordered_at": dt.datetime.combine(day, dt.time(9)), "status": "completed",
            "subtotal": 100_000, "amount": 100_000, "paid_amount": 100_000}


def world(engine, signal: bool, n: int = 400, seed: int = 3) -> set[int]:
    """`n` customers created one a day; a quarter came by referral. With `signal`, referral
    leads mostly buy and the referral buyers are the VIPs; without it buyers and VIPs are
    drawn at random, whatever the lead looked like. Returns the VIPs."""
    rng = np.random.default_rng(seed)
    referral = rng.random(n) < 0.25
    buys = ((referral & (rng.random(n) < 0.8)) if signal else False) | (rng.random(n) < (0.3 if signal else 0.5))
    vip_draw = rng.random(n) < 0.5
    rows, orders, vips = [], [], set()
    for i in range(n):
        cid, age = i + 1, n + 30 - i
        source = "referral" if referral[i] else SOURCES[int(rng.integers(len(SOURCES)))]
        rows.append({"id": cid, "code": f"KH{cid}", "full_name": f"Khách {cid}", "source": source,
                     "created_at": _at(age), "region": ("north", "south")[int(rng.integers(2))]})
        if buys[i]:
            orders.append(_order(cid, age - 20))
            if (referral[i] if signal else vip_draw[i]):
                vips.add(cid)
    with unit_of_work(engine) as s:
        _users(s)
        s.execute(insert(Customer), rows)
        s.execute(insert(Order), orders)
    rebuild_all(engine, D)
    with unit_of_work(engine) as s:
        s.execute(update(CustomerStats).values(tier="regular"))
        s.execute(update(CustomerStats).where(CustomerStats.customer_id.in_(vips)).values(tier="vip"))
    settings.set_value(engine, SYSTEM, "lookalike.min_positives", 10)
    return vips


def test_features_are_what_the_lead_had_before_the_first_order(engine):
    with unit_of_work(engine) as s:
        _users(s)
        s.execute(insert(Customer), [
            {"id": 1, "code": "KH1", "full_name": "A", "source": "event", "created_at": _at(60),
             "birth_date": dt.date(1990, 1, 1)},
            {"id": 2, "code": "KH2", "full_name": "B", "created_at": _at(40)}])
        s.execute(insert(Order), [_order(1, 10)])
        s.execute(insert(Interaction), [
            {"customer_id": 1, "kind": "call", "outcome": "consulted", "occurred_at": _at(20)},
            {"customer_id": 1, "kind": "meeting", "outcome": "consulted", "occurred_at": _at(5)},
            {"customer_id": 2, "kind": "zalo", "outcome": "consulted", "occurred_at": _at(2)}])
        s.execute(insert(LeadAnswer), [
            {"customer_id": 1, "question_key": "budget", "answer_key": "high", "points": 5,
             "answered_at": _at(30)},
            {"customer_id": 1, "question_key": "timing", "answer_key": "now", "points": 5,
             "answered_at": _at(3)}])
    rebuild_all(engine, D)
    leads = features.build(engine, D)
    by_id = {cid: set(leads.tokens.loc[leads.tokens["row"] == row, "token"])
             for row, cid in enumerate(leads.frame["id"])}
    a, b = by_id[1], by_id[2]
    assert {"source=event", "age=35_44", "contact_kind=call", "contacts=1_2",
            "answer:budget=high"} <= a
    # after the first order: not a lead-time feature
    assert "contact_kind=meeting" not in a and "answer:timing=now" not in a
    assert {"source=?", "age=?", "contact_kind=zalo", "contacts=1_2"} <= b
    assert leads.frame.set_index("id")["bought"].to_dict() == {1: True, 2: False}
    with pytest.raises(best.NoFit):  # "best by value" without a P(alive) fit says so
        best.best_ids(engine, "value", D)
    # a saved segment: only its buyers are "best"
    manager = Scope(user_id=2, username="manager", role="manager")
    seg = saved_segments.save_segment(engine, manager, "Sự kiện",
                                      CustomerFilter(sources=("event",)))
    with unit_of_work(engine) as s:
        s.execute(update(Customer).where(Customer.id == 2).values(source="event"))
    assert best.best_ids(engine, f"segment:{seg}", D) == {1}
    with pytest.raises(best.BadBest):
        best.best_ids(engine, f"segment:{seg + 1}", D)


def test_time_split_trains_only_on_earlier_leads():
    created = np.array([dt.date(2026, 1, 1) + dt.timedelta(days=i // 3) for i in range(300)])
    split = model.split_day(created, 30)
    train = created < split
    assert train.sum() and (~train).sum()
    assert max(created[train]) < split <= min(created[~train])
    assert abs((~train).mean() - 0.30) < 0.02


def test_planted_signal_ranks_its_leads_first_and_scores_are_stored_as_computed(engine):
    world(engine, signal=True)
    result = fit.run(engine, "vip", D)
    ev = result.evaluation
    frame = result.leads.frame
    train_created = frame["created_on"][frame["created_on"] < ev.split_on]
    assert len(train_created) == ev.n_train and max(train_created) < ev.split_on
    assert ev.supported and ev.auc > 0.85 and ev.auc_low > 0.5
    assert ev.lift_top_decile > 1.5
    fit_id = fit.store(engine, SYSTEM, result, 0.1)

    with engine.connect() as conn:
        stored = dict(conn.execute(select(LeadLookalike.customer_id, LeadLookalike.score)
                                   .where(LeadLookalike.fit_id == fit_id)).all())
        sources = dict(conn.execute(select(Customer.id, Customer.source)).all())
    # the stored scores are the model's output on the leads' lead-time features
    x, _ = features.matrix(result.leads, result.vocabulary)
    open_rows = ~frame["bought"].to_numpy()
    expected = result.scorer.predict_proba(x[open_rows])[:, 1]
    ids = frame["id"].to_numpy()[open_rows]
    assert sorted(stored) == sorted(ids.tolist())
    assert np.allclose([stored[i] for i in ids], expected)

    top = reads.ranked(engine, SYSTEM, "en", limit=10)
    assert set(top["id"].map(sources)) == {"referral"}
    assert top["reasons"].str.contains("Came through Referral").all()
    assert fit.latest(engine)["supported"] is True


def test_no_signal_means_no_score_and_the_report_says_so(engine, db_url, capsys):
    world(engine, signal=False)
    assert crm(["model", "lookalike", "--best", "vip", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert "The data cannot support a score" in out and "not reliably better than guessing" in out
    last = fit.latest(engine)
    assert last["positives_test"] >= 20 and last["auc_low"] <= 0.5
    assert last["verdict"] == "not_better_than_chance"
    assert last["supported"] is False and last["n_scored"] == 0
    with engine.connect() as conn:
        assert conn.scalar(select(LeadLookalike.customer_id).limit(1)) is None
        audit = conn.execute(select(AuditLog.after).where(AuditLog.entity == "lookalike")).scalar()
    assert json.loads(audit)["verdict"] == last["verdict"]
    at = apptest.run_page(db_url, "pages/lookalike.py", "manager")  # the page says so too
    assert not apptest.errors(at) and not at.dataframe
    assert "Dữ liệu chưa đủ để chấm điểm" in at.warning[0].value


def test_staff_may_not_fit_or_read(engine):
    with unit_of_work(engine) as s:
        _users(s)
    staff = Scope(user_id=3, username="staff", role="staff")
    with pytest.raises(PermissionError):
        fit.fit_and_store(engine, staff, "vip", D)
    with pytest.raises(PermissionError):
        reads.ranked(engine, staff)
