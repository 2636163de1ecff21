"""Fit, evaluate, score and store the lookalike model (`crm model lookalike`, the page)."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, delete, insert, select

from crm_data import audit
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.admin import settings
from crm_data.domain.clock import now, today
from crm_data.lookalike import best as best_mod
from crm_data.lookalike import features, model
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import LeadLookalike, LookalikeFit

FITTERS = ("admin", "manager")


@dataclass
class Result:
    best: str
    ref: dt.date
    evaluation: model.Evaluation
    leads: features.Leads
    vocabulary: dict[str, int]
    scorer: object | None  # the model refitted on every lead, when supported
    lead_ids: np.ndarray  # customers without a completed order, scored
    scores: np.ndarray
    reasons: list


def run(engine: Engine, best: str, ref: dt.date | None = None) -> Result:
    """Everything but storage: features at lead time, labels, time-split evaluation and,
    when the data supports it, the scores of the leads that have not bought."""
    ref = ref or today()
    positive = best_mod.best_ids(engine, best, ref)
    leads = features.build(engine, ref)
    x, vocab = features.matrix(leads)
    frame = leads.frame
    y = frame["id"].isin(positive).to_numpy().astype(int)
    ev = model.evaluate(x, y, frame["created_on"].to_numpy(), settings.get(engine, "lookalike.test_pct"),
                        settings.get(engine, "lookalike.min_positives"))
    open_leads = ~frame["bought"].to_numpy()
    ids = frame["id"].to_numpy()[open_leads]
    scorer, scores, why = None, np.array([]), []
    if ev.supported:
        scorer = model.new_model().fit(x, y)
        x_leads = x[open_leads]
        scores = scorer.predict_proba(x_leads)[:, 1]
        names = sorted(vocab, key=vocab.get)
        why = model.reasons(scorer, x_leads, names)
    return Result(best, ref, ev, leads, vocab, scorer, ids, scores, why)


def fit_and_store(engine: Engine, scope: Scope = SYSTEM, best: str = "vip",
                  ref: dt.date | None = None) -> int:
    """Fit + store; the new fit's id. Refused to roles other than admin / manager."""
    if scope.role not in FITTERS:
        raise PermissionError(f"role {scope.role!r} may not fit the lookalike model")
    started = time.perf_counter()
    result = run(engine, best, ref)
    return store(engine, scope, result, time.perf_counter() - started)


def store(engine: Engine, scope: Scope, result: Result, seconds: float) -> int:
    """The fit row; when supported, its scores replace the previous ones (an unsupported fit
    clears them: no score is better than a score the data cannot back). One transaction."""
    ev = result.evaluation
    row = dict(fitted_at=now(), fitted_on=result.ref, best=result.best, split_on=ev.split_on,
               n_train=ev.n_train, n_test=ev.n_test, positives_train=ev.positives_train,
               positives_test=ev.positives_test, auc=ev.auc, auc_low=ev.auc_low,
               auc_high=ev.auc_high, cv_auc=ev.cv_auc, lift_top_decile=ev.lift_top_decile,
               supported=ev.supported, verdict=ev.verdict, n_scored=len(result.scores),
               seconds=round(seconds, 3))
    with unit_of_work(engine) as s:
        fit_id = s.execute(insert(LookalikeFit).values(**row).returning(LookalikeFit.id)).scalar_one()
        s.execute(delete(LeadLookalike))
        records = [{"customer_id": int(c), "fit_id": fit_id, "score": float(p),
                    "reasons": json.dumps(r, ensure_ascii=False)}
                   for c, p, r in zip(result.lead_ids if ev.supported else [], result.scores,
                                      result.reasons, strict=True)]
        for start in range(0, len(records), 5000):
            s.execute(insert(LeadLookalike), records[start:start + 5000])
        audit.record(s, scope, "fit", "lookalike", fit_id, after={
            k: row[k] for k in ("fitted_on", "best", "split_on", "n_train", "n_test", "auc",
                                "auc_low", "lift_top_decile", "verdict", "n_scored")})
    with engine.connect() as conn:  # planner statistics: the list walks the score index
        conn.exec_driver_sql("ANALYZE lead_lookalike")
        conn.commit()
    return int(fit_id)


def latest(engine: Engine) -> dict | None:
    """The latest fit (lookalike_fits row as a dict), None before the first."""
    with engine.connect() as conn:
        row = conn.execute(select(*LookalikeFit.__table__.columns)
                           .order_by(LookalikeFit.fitted_at.desc(), LookalikeFit.id.desc())
                           .limit(1)).mappings().first()
    return dict(row) if row else None
