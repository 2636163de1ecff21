"""Fit BG/NBD + Gamma-Gamma on the order history, score every buyer and store the scores
(customer_clv) with the fit (model_fits) in one transaction: `crm model fit`, the nightly
refit (crm_data.clv.nightly) and the benchmark task call `fit_and_store`."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from crm_data import audit
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.admin import settings
from crm_data.clv import model, rfm
from crm_data.domain.clock import now, today
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import CustomerClv, ModelFit

MIN_BUYERS = 30  # fewer buyers cannot pin four parameters down: no fit
MIN_REPEAT = 10  # fewer customers with a repeat purchase: no Gamma-Gamma (spend) fit
HORIZONS = (30, 90, 365)  # days of the stored expected purchases


class NotEnoughData(ValueError):
    pass


@dataclass(frozen=True)
class Fit:
    bgnbd: model.BgNbd
    spend: model.GammaGamma | None
    loglik: float
    loglik_spend: float | None
    n_customers: int
    n_repeat: int


@dataclass(frozen=True)
class Holdout:
    calibration_end: dt.date
    predicted: float
    actual: float

    @property
    def error(self) -> float | None:
        return (self.predicted - self.actual) / self.actual if self.actual else None


def fit_frame(data: pd.DataFrame) -> Fit:
    """Both models fitted on an rfm.summary frame."""
    if len(data) < MIN_BUYERS:
        raise NotEnoughData(f"{len(data)} buyers; a fit needs at least {MIN_BUYERS}")
    bg, ll = model.fit_bgnbd(data["x"], data["t_x"], data["T"])
    repeat = data[data["x"] > 0]
    spend, ll_spend = None, None
    if len(repeat) >= MIN_REPEAT:
        spend, ll_spend = model.fit_gamma_gamma(repeat["x"], repeat["mean_spend"])
    return Fit(bg, spend, ll, ll_spend, len(data), len(repeat))


def holdout_check(days_rows: rfm.PurchaseDays, ref: dt.date, days: int) -> Holdout | None:
    """Refit on the purchase days up to `days` before `ref`, predict the repeat purchase days
    of those buyers in the days after, count what they bought."""
    end = ref - dt.timedelta(days=days)
    data = rfm.summarise(days_rows, end)
    try:
        fit = fit_frame(data)
    except NotEnoughData:
        return None
    predicted = model.expected_purchases(fit.bgnbd, days / rfm.DAYS_PER_UNIT,
                                         data["x"], data["t_x"], data["T"])
    actual = rfm.days_after(days_rows, end, ref).reindex(data["customer_id"], fill_value=0)
    return Holdout(end, float(np.sum(predicted)), float(actual.sum()))


def scores(fit: Fit, data: pd.DataFrame, horizon_days: int,
           before: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per buyer: P(alive), expected purchases over HORIZONS, expected spend and value."""
    bg, x, t_x, T = fit.bgnbd, data["x"], data["t_x"], data["T"]
    out = pd.DataFrame({"customer_id": data["customer_id"], "frequency": x,
                        "recency_weeks": t_x, "age_weeks": T})
    out["mean_spend"] = data["mean_spend"].round()
    out["p_alive"] = model.p_alive(bg, x, t_x, T)
    for days in HORIZONS:
        out[f"expected_{days}"] = model.expected_purchases(bg, days / rfm.DAYS_PER_UNIT, x, t_x, T)
    out["expected_spend"] = _expected_spend(fit, data)
    horizon = model.expected_purchases(bg, horizon_days / rfm.DAYS_PER_UNIT, x, t_x, T)
    out["expected_value"] = np.nan_to_num(horizon * out["expected_spend"]).round()
    out["p_alive_before"] = np.nan
    if before is not None and len(before):
        then = model.p_alive(bg, before["x"], before["t_x"], before["T"])
        out["p_alive_before"] = out["customer_id"].map(dict(zip(before["customer_id"], then, strict=True)))
    return out


def _expected_spend(fit: Fit, data: pd.DataFrame) -> np.ndarray:
    """Gamma-Gamma's conditional mean; without a usable spend fit (too few repeaters, or
    q ≤ 1: no finite population mean) the customer's own mean, else the buyers' mean."""
    own = data["mean_spend"].to_numpy(dtype=float)
    fallback = np.where(np.isnan(own), np.nanmean(own) if np.any(~np.isnan(own)) else np.nan, own)
    if fit.spend is None:
        return fallback.round()
    got = model.expected_spend(fit.spend, data["x"], own)
    if fit.spend.q <= 1:
        got = np.where(data["x"] > 0, got, fallback)
    return np.asarray(got, dtype=float).round()


def fit_and_store(engine: Engine, scope: Scope = SYSTEM, ref: dt.date | None = None) -> int:
    """Fit on the orders up to `ref`, check on the holdout, score and store: the fit's id."""
    started = time.perf_counter()
    ref = ref or today()
    horizon = settings.get(engine, "clv.horizon_days")
    holdout_days = settings.get(engine, "clv.holdout_days")
    compare_days = settings.get(engine, "clv.compare_days")
    days_rows = rfm.purchase_days(engine, ref)
    data = rfm.summarise(days_rows, ref)
    fit = fit_frame(data)
    check = holdout_check(days_rows, ref, holdout_days) if holdout_days else None
    before = rfm.summarise(days_rows, ref - dt.timedelta(days=compare_days))
    table = scores(fit, data, horizon, before)
    return store(engine, scope, ref, fit, table, horizon, check, time.perf_counter() - started)


def store(engine: Engine, scope: Scope, ref: dt.date, fit: Fit, table: pd.DataFrame,
          horizon_days: int, check: Holdout | None, seconds: float) -> int:
    """The fit and its scores replace the previous scores, audited, in one transaction."""
    sp = fit.spend
    row = dict(
        fitted_at=now(), fitted_on=ref, n_customers=fit.n_customers, n_repeat=fit.n_repeat,
        r=fit.bgnbd.r, alpha=fit.bgnbd.alpha, a=fit.bgnbd.a, b=fit.bgnbd.b,
        p=sp.p if sp else None, q=sp.q if sp else None, gamma=sp.gamma if sp else None,
        loglik=fit.loglik, loglik_spend=fit.loglik_spend, horizon_days=horizon_days,
        calibration_end=check.calibration_end if check else None,
        holdout_predicted=check.predicted if check else None,
        holdout_actual=check.actual if check else None,
        holdout_error=check.error if check else None, seconds=round(seconds, 3))
    records = _records(table)
    with unit_of_work(engine) as s:
        fit_id = s.execute(insert(ModelFit).values(**row).returning(ModelFit.id)).scalar_one()
        s.execute(delete(CustomerClv))
        for start in range(0, len(records), 5000):
            chunk = records[start:start + 5000]
            for r in chunk:
                r["fit_id"] = fit_id
            s.execute(insert(CustomerClv), chunk)
        audit.record(s, scope, "fit", "model", fit_id, after={
            k: row[k] for k in ("fitted_on", "n_customers", "r", "alpha", "a", "b", "p", "q", "gamma",
                                "loglik", "holdout_error")})
    with engine.connect() as conn:  # planner statistics of the rewritten table
        conn.exec_driver_sql("ANALYZE customer_clv")
        conn.commit()
    return int(fit_id)


_INTS = ("customer_id", "frequency", "mean_spend", "expected_spend", "expected_value")


def _records(table: pd.DataFrame) -> list[dict]:
    out = []
    cols = list(table.columns)
    for values in table.itertuples(index=False, name=None):
        rec = {}
        for col, v in zip(cols, values, strict=True):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                rec[col] = None
            elif col in _INTS:
                rec[col] = int(v)
            else:
                rec[col] = float(v)
        out.append(rec)
    return out


def latest(engine: Engine) -> dict | None:
    """The latest fit (model_fits row as a dict), None before the first."""
    with engine.connect() as conn:
        row = conn.execute(select(*ModelFit.__table__.columns)
                           .order_by(ModelFit.fitted_at.desc(), ModelFit.id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None
