"""Does the questionnaire predict anything? Graded leads per grade and how many were won,
counted in SQL over the visible customers (scope and filter), optionally those created in
a period."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, case, func, select

from crm_data.accounts.scope import Scope
from crm_data.domain.clock import today
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.leadscore.scoring import GRADES
from crm_data.storage.models import Customer as C

COLUMNS = ["grade", "leads", "won", "lost", "won_share"]


def won_by_grade(engine: Engine, scope: Scope, period: Period | None = None,
                 flt: CustomerFilter | None = None) -> pd.DataFrame:
    """grade (hot, warm, cold), leads, won, lost, won_share = won / leads (0 when none)."""
    won = func.sum(case((C.pipeline_stage == "won", 1), else_=0))
    lost = func.sum(case((C.pipeline_stage == "lost", 1), else_=0))
    # without a filter, customers alone (the grade index covers it); a filter may need stats
    start = select().select_from(C) if flt is None or flt.is_empty() else customers_from()
    q = (start.add_columns(C.lead_grade, func.count().label("leads"),
                           won.label("won"), lost.label("lost"))
         .where(*customer_where(scope, flt, today()), C.lead_grade.is_not(None))
         .group_by(C.lead_grade))
    if period is not None:
        q = q.where(C.created_at >= dt.datetime.combine(period.start, dt.time()),
                    C.created_at < dt.datetime.combine(period.end_exclusive, dt.time()))
    with engine.connect() as conn:
        found = {r.lead_grade: r for r in conn.execute(q)}
    rows = []
    for g in GRADES:
        r = found.get(g)
        leads, w, lo = (int(r.leads), int(r.won or 0), int(r.lost or 0)) if r else (0, 0, 0)
        rows.append({"grade": g, "leads": leads, "won": w, "lost": lo,
                     "won_share": w / leads if leads else 0.0})
    return pd.DataFrame(rows, columns=COLUMNS)
