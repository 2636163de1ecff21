"""Who counts as "best" (the owner's choice), as customer ids; only buyers count.

- "vip": the summary's tier is vip (crm_data.domain.labels' classification);
- "value": the top `lookalike.value_top_pct` % of buyers by P(alive) × expected value of the
  latest CLV fit (customer_clv); NoFit when there is no such fit;
- "segment:<id>": the buyers a saved segment's filter selects."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import Engine, func, select

from crm_data.admin import settings
from crm_data.customers.saved_segments import segment_filter
from crm_data.storage.models import Customer, CustomerClv, CustomerStats


class BadBest(ValueError):
    """Not a known definition of "best" (or an unknown segment)."""


class NoFit(LookupError):
    """"best" by value needs a P(alive) / value fit (`crm model fit`), and there is none."""


def parse(best: str) -> tuple[str, int | None]:
    """"vip" | "value" | "segment:<id>" → (kind, segment id)."""
    text = (best or "").strip()
    if text in ("vip", "value"):
        return text, None
    kind, _, raw = text.partition(":")
    if kind == "segment" and raw.isdigit():
        return "segment", int(raw)
    raise BadBest(f"unknown definition of best {best!r}: vip, value or segment:<id>")


def value_fit_exists(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(CustomerClv.customer_id).limit(1)) is not None


def best_ids(engine: Engine, best: str, ref: dt.date) -> set[int]:
    kind, segment_id = parse(best)
    bought = CustomerStats.first_order_date.is_not(None)
    if kind == "vip":
        q = select(CustomerStats.customer_id).where(bought, CustomerStats.tier == "vip")
    elif kind == "value":
        with engine.connect() as conn:
            n = conn.scalar(select(func.count()).select_from(CustomerClv))
        if not n:
            raise NoFit("no P(alive) / expected value fit yet: run `crm model fit`")
        top = max(1, math.ceil(n * settings.get(engine, "lookalike.value_top_pct") / 100))
        q = (select(CustomerClv.customer_id)
             .order_by((CustomerClv.p_alive * CustomerClv.expected_value).desc(),
                       CustomerClv.customer_id).limit(top))
    else:
        flt = segment_filter(engine, segment_id)
        if flt is None:
            raise BadBest(f"no saved segment {segment_id}")
        q = (select(Customer.id).join(CustomerStats, CustomerStats.customer_id == Customer.id)
             .where(bought, flt.clause(Customer, CustomerStats, ref)))
    with engine.connect() as conn:
        return set(conn.execute(q).scalars())
