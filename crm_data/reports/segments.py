"""Phân khúc / Segments: customer counts, revenue and share by one or two dimensions.

Reads customers `c` + customer_stats `s` only (never the transactions). A segment counts the
visible customers created on or before the period's last day; revenue is their lifetime
total_spend from the summary table.

Every dimension is allow-listed in DIMENSIONS: its SQL expression, the i18n enumeration that
labels its values, and how a clicked value becomes CustomerFilter fields (`drill_filter`), so
that the list behind a bar holds exactly the customers the bar counts.

Two dimensions are "multi-valued": a customer can have several tags or be both loyal and a
new buyer. They are counted with one LIKE per value, and their shares need not add to 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, case, func, select

from crm_data.accounts.access import require_personal_data
from crm_data.accounts.scope import Scope
from crm_data.domain import geo
from crm_data.domain.clock import today
from crm_data.domain.periods import Period
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.filters.where import customer_where, customers_from
from crm_data.i18n import label as i18n_label
from crm_data.records import clv_bands
from crm_data.reports.base import top_by_spend
from crm_data.storage.models import Customer as C
from crm_data.storage.models import CustomerClv, User
from crm_data.storage.models import CustomerStats as S

# Age bands: (value, age_min, age_max); ages in whole years on the reference day.
AGE_BANDS = (("under_25", None, 24), ("25_34", 25, 34), ("35_44", 35, 44),
             ("45_54", 45, 54), ("55_plus", 55, None))
LOYAL_NEW = ("loyal", "new_buyer")  # customer_stats.groups members


def years_ago(years: int, ref: dt.date) -> dt.date:
    """The same cut-off CustomerFilter.age_min/age_max use."""
    try:
        return ref.replace(year=ref.year - years)
    except ValueError:  # 29 February
        return ref.replace(year=ref.year - years, day=28)


def _age_band(ref: dt.date):
    # Cut-offs computed here in Python: no SQL date functions, same on both engines.
    whens = []
    for value, _lo, hi in AGE_BANDS:
        if hi is not None:
            whens.append((C.birth_date > years_ago(hi + 1, ref), value))
    return case((C.birth_date.is_(None), None), *whens, else_=AGE_BANDS[-1][0])


def _age_filter(value: str) -> dict:
    for v, lo, hi in AGE_BANDS:
        if v == value:
            return {"age_min": lo, "age_max": hi}
    raise ValueError(value)


def _in(field: str, cast=str) -> Callable[[object], dict]:
    return lambda value: {field: (cast(value),)}


@dataclass(frozen=True)
class Dimension:
    name: str
    expr: Callable[[dt.date], object] | None  # ref → SQL expression; None for multi-valued
    enum: str | None  # i18n enumeration field of the values
    to_filter: Callable[[object], dict]  # clicked value → CustomerFilter fields
    like_column: object = None  # multi-valued: ",a,b," column matched with LIKE
    order: tuple[str, ...] = ()  # fixed display order of the values, when meaningful
    outer: object = None  # a 1:1 table keyed by customer_id the expression reads (LEFT JOIN)


def _col(column) -> Callable[[dt.date], object]:
    return lambda ref: column


DIMENSIONS: dict[str, Dimension] = {d.name: d for d in (
    Dimension("region", _col(C.region), "region", _in("regions"), order=("north", "central", "south")),
    Dimension("province", _col(C.province_code), None, _in("provinces", int)),
    Dimension("gender", _col(C.gender), "gender", _in("genders")),
    Dimension("age_band", _age_band, "report_age_band", _age_filter, order=tuple(b[0] for b in AGE_BANDS)),
    Dimension("income_band", _col(C.income_band), "income_band", _in("income_bands")),
    Dimension("occupation", _col(C.occupation), "occupation", _in("occupations")),
    Dimension("education", _col(C.education), "education", _in("educations")),
    Dimension("marital_status", _col(C.marital_status), "marital_status", _in("marital_statuses")),
    Dimension("kind", _col(C.kind), "kind", _in("kinds")),
    Dimension("industry", _col(C.industry), "industry", _in("industries")),
    Dimension("source", _col(C.source), "source", _in("sources")),
    Dimension("channel", _col(C.preferred_channel), "channel", _in("channels")),
    Dimension("tier", _col(S.tier), "tier", _in("tiers"), order=("vip", "regular", "none")),
    Dimension("loyal_new", None, "report_group", lambda v: {"groups": (str(v),)}, like_column=S.groups,
              order=LOYAL_NEW),
    Dimension("purchased", lambda ref: case((S.orders_count > 0, "yes"), else_="no"), "report_purchased",
              lambda v: {"has_purchased": v == "yes"}, order=("yes", "no")),
    Dimension("rfm_segment", _col(S.rfm_segment), "rfm_segment", _in("rfm_segments")),
    Dimension("lifecycle_stage", _col(C.lifecycle_stage), "lifecycle_stage", _in("lifecycle_stages")),
    Dimension("pipeline_stage", _col(C.pipeline_stage), "pipeline_stage", _in("pipeline_stages")),
    Dimension("owner", _col(C.owner_id), None, _in("owners", int)),
    Dimension("tag", None, None, lambda v: {"tags": (str(v),)}, like_column=C.tags),
    # One hash join with customer_clv, not a lookup per customer (L: 4 s → see performance.md).
    Dimension("p_alive_band", lambda ref: clv_bands.band_expr(CustomerClv.p_alive), "clv_band",
              _in("p_alive_bands"), order=(*clv_bands.BANDS, clv_bands.NOT_SCORED), outer=CustomerClv),
)}


def dimension(name: str) -> Dimension:
    if name not in DIMENSIONS:
        raise ValueError(f"unknown dimension {name!r}; one of: {', '.join(DIMENSIONS)}")
    return DIMENSIONS[name]


def _where(scope: Scope, period: Period, flt: CustomerFilter | None, ref: dt.date):
    created_x = dt.datetime.combine(period.end_exclusive, dt.time())
    return [*customer_where(scope, flt, ref), C.created_at < created_x]


def _like(column, value: str):
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%,{escaped},%", escape="\\")


def tag_values(engine: Engine, scope: Scope, period: Period,
               flt: CustomerFilter | None = None) -> list[str]:
    """The tags in use among the visible customers: distinct tag strings, split here (few)."""
    q = (customers_from().add_columns(C.tags).distinct()
         .where(*_where(scope, period, flt, today()), C.tags.is_not(None), C.tags != ""))
    with engine.connect() as conn:
        found = {t for (tags,) in conn.execute(q) for t in (tags or "").split(",") if t}
    return sorted(found)


def _multi_values(engine, scope, period, flt, dim: Dimension) -> list[str]:
    return list(LOYAL_NEW) if dim.name == "loyal_new" else tag_values(engine, scope, period, flt)


def _from(*dims: Dimension | None):
    """customers ⋈ customer_stats, left-joined to the 1:1 tables the dimensions read."""
    q = customers_from()
    for table in dict.fromkeys(d.outer for d in dims if d is not None and d.outer is not None):
        q = q.outerjoin(table, table.customer_id == C.id)
    return q


def _counts_1d(engine, scope, period, flt, dim: Dimension, other: Dimension | None,
               ref: dt.date) -> pd.DataFrame:
    """Rows (v1[, v2], customers, revenue). dim may be multi-valued; other may not.

    The dimension expressions are computed in a subquery and grouped outside it: a CASE with
    bound cut-off dates would not match itself in PostgreSQL's GROUP BY."""
    where = _where(scope, period, flt, ref)
    columns = ["v1", *(["v2"] if other else []), "customers", "revenue"]
    inner_cols = [S.total_spend.label("spend")]
    if other is not None:
        inner_cols.append(other.expr(ref).label("v2"))
    if dim.expr is not None:
        inner = _from(dim, other).add_columns(dim.expr(ref).label("v1"), *inner_cols) \
            .where(*where).subquery("seg")
        keys = [inner.c.v1, *([inner.c.v2] if other else [])]
        q = select(*keys, func.count().label("customers"),
                   func.coalesce(func.sum(inner.c.spend), 0).label("revenue")).group_by(*keys)
        with engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=columns)
    values = _multi_values(engine, scope, period, flt, dim)
    if not values:
        return pd.DataFrame(columns=columns)
    flags = [case((_like(dim.like_column, v), 1), else_=0).label(f"f{i}") for i, v in enumerate(values)]
    inner = _from(other).add_columns(*inner_cols, *flags).where(*where).subquery("seg")
    sums = []
    for i in range(len(values)):
        flag = inner.c[f"f{i}"]
        sums += [func.coalesce(func.sum(flag), 0).label(f"n{i}"),
                 func.coalesce(func.sum(flag * inner.c.spend), 0).label(f"r{i}")]
    keys = [inner.c.v2] if other is not None else []
    q = select(*keys, *sums).group_by(*keys)
    rows = []
    with engine.connect() as conn:
        for r in conn.execute(q).mappings():
            for i, v in enumerate(values):
                row = {"v1": v, "customers": r[f"n{i}"], "revenue": r[f"r{i}"]}
                if other is not None:
                    row["v2"] = r["v2"]
                rows.append(row)
    df = pd.DataFrame(rows, columns=columns)
    return df[df["customers"] > 0].reset_index(drop=True)


def total_customers(engine: Engine, scope: Scope, period: Period,
                    flt: CustomerFilter | None = None) -> tuple[int, int]:
    """(customers, revenue) of the visible customers under the filter: the 100 %."""
    q = customers_from().add_columns(func.count(), func.coalesce(func.sum(S.total_spend), 0)) \
        .where(*_where(scope, period, flt, today()))
    with engine.connect() as conn:
        n, rev = conn.execute(q).one()
    return int(n), int(rev)


def _sort(df: pd.DataFrame, dim: Dimension, col: str) -> pd.DataFrame:
    if dim.order:
        rank = {v: i for i, v in enumerate(dim.order)}
        key = df[col].map(lambda v: rank.get(v, len(rank)))
        return df.assign(_k=key).sort_values(["_k", "customers"], ascending=[True, False]) \
            .drop(columns="_k")
    return df.sort_values("customers", ascending=False, kind="stable")


def segment_counts(engine: Engine, scope: Scope, period: Period, by: str, by2: str | None = None,
                   flt: CustomerFilter | None = None) -> pd.DataFrame:
    """One dimension: value, customers, revenue, share, revenue_share.
    Two: value, value2, customers, revenue, share (of all), row_share (of the value's row)."""
    ref = today()
    d1 = dimension(by)
    d2 = dimension(by2) if by2 else None
    if d2 is not None and d2.name == d1.name:
        raise ValueError("choose two different dimensions")
    if d2 is None:
        df = _counts_1d(engine, scope, period, flt, d1, None, ref)
        df = df.rename(columns={"v1": "value"})
        df["customers"] = df["customers"].astype(int)
        df["revenue"] = df["revenue"].astype("int64")
        # A single-valued dimension partitions the customers (unknown is a value): its rows
        # add up to the 100 %, no second pass needed. Tags overlap and do not.
        if d1.expr is not None:
            total, total_rev = int(df["customers"].sum()), int(df["revenue"].sum())
        else:
            total, total_rev = total_customers(engine, scope, period, flt)
        df["share"] = df["customers"] / total if total else 0.0
        df["revenue_share"] = df["revenue"] / total_rev if total_rev else 0.0
        return _sort(df, d1, "value").reset_index(drop=True)
    if d1.expr is None and d2.expr is None:
        raise ValueError("at most one of the two dimensions may be tag / loyal_new")
    total, total_rev = total_customers(engine, scope, period, flt)
    swap = d1.expr is None  # the multi-valued one must be the LIKE side
    multi, other = (d1, d2) if swap else (d2, d1)
    df = _counts_1d(engine, scope, period, flt, multi, other, ref)
    if swap:
        df = df.rename(columns={"v1": "value", "v2": "value2"})
    else:
        df = df.rename(columns={"v2": "value", "v1": "value2"})
    # Row totals come from the first dimension alone (a tag row is not the sum of a partition).
    rows = _counts_1d(engine, scope, period, flt, d1, None, ref).rename(
        columns={"v1": "value", "customers": "row_total"})[["value", "row_total"]]
    df = df[["value", "value2", "customers", "revenue"]].merge(rows, on="value", how="left")
    df["customers"] = df["customers"].astype(int)
    df["revenue"] = df["revenue"].astype("int64")
    df["share"] = df["customers"] / total if total else 0.0
    df["row_share"] = df["customers"] / df["row_total"].where(df["row_total"] > 0)
    df = df.drop(columns="row_total")
    return df.assign(_a=_rank(df["value"], d1), _b=_rank(df["value2"], d2)) \
        .sort_values(["_a", "_b"]).drop(columns=["_a", "_b"]).reset_index(drop=True)


def _rank(values: pd.Series, dim: Dimension) -> pd.Series:
    """Sort key: the dimension's fixed order, else the value's text; unknown last."""
    order = {v: i for i, v in enumerate(dim.order)}
    return values.map(lambda v: (1, "") if v is None or v != v
                      else (0, f"{order[v]:04d}" if v in order else str(v).zfill(8)))


# --- labels -----------------------------------------------------------------------------

def value_labels(engine: Engine, by: str, values, lang: str = "vi") -> list[str]:
    """Display labels of a dimension's values in `lang` (provinces and owners by name)."""
    dim = dimension(by)
    if by == "province":
        names = {p.code: p.short_name for p in geo.provinces()}
        return [names.get(int(v), str(v)) if v is not None and v == v else i18n_label("", None, lang)
                for v in values]
    if by == "owner":
        with engine.connect() as conn:
            names = dict(conn.execute(select(User.id, User.display_name)).all())
        return [names.get(int(v), str(v)) if v is not None and v == v else i18n_label("", None, lang)
                for v in values]
    if dim.enum is None:  # tags are shown as typed
        return [str(v) for v in values]
    return [i18n_label(dim.enum, None if v is None or v != v else v, lang) for v in values]


# --- drill-down -------------------------------------------------------------------------

def drill_filter(base: CustomerFilter | None, period: Period, by: str, value,
                 by2: str | None = None, value2=None) -> CustomerFilter | None:
    """The CustomerFilter selecting exactly the customers of a bar / cell, merged with the
    page's filter. None when a value cannot be expressed as a filter (unknown / empty)."""
    base = base or CustomerFilter()
    changes: dict = {}
    for name, v in ((by, value), (by2, value2)):
        if name is None:
            continue
        if v is None or (isinstance(v, float) and v != v) or v == "":
            return None
        dim = dimension(name)
        for field, new in dim.to_filter(v).items():
            old = getattr(base, field)
            if isinstance(new, tuple) and dim.like_column is not None and old not in ((), None) \
                    and new[0] not in old:
                return None  # LIKE filters are OR-ed: cannot say "a AND b" in one field
            changes[field] = new
    if period.end < today():
        changes["created_to"] = period.end if base.created_to is None else min(period.end, base.created_to)
    return base.with_(**changes)


@dataclass(frozen=True)
class Members:
    rows: pd.DataFrame
    total: int


def segment_members(engine: Engine, scope: Scope, flt: CustomerFilter | None,
                    limit: int = 50) -> Members:
    """The customers a filter selects (largest spend first), and how many there are.
    Refused (and audited) for a role without personal data."""
    require_personal_data(engine, scope, "customer_rows")
    ref = today()
    where = customer_where(scope, flt, ref)
    cols = [C.id, C.code, C.full_name, C.phone, C.region, C.province_code, S.tier, S.orders_count, S.total_spend, S.last_order_date,
             C.lifecycle_stage]
    rows, total = top_by_spend(engine, cols, where, limit)
    return Members(rows, total)


def members(engine: Engine, scope: Scope, flt: CustomerFilter | None, limit: int = 50) -> Members:
    """crm_data.customers.listing.list_customers when that module exists, else segment_members;
    both refuse (and audit) a role without personal data."""
    require_personal_data(engine, scope, "customer_rows")
    try:
        from crm_data.customers.listing import list_customers  # written by the customer-list work
    except ImportError:
        return segment_members(engine, scope, flt, limit)
    result = list_customers(engine, scope, flt, sort="total_spend", descending=True, limit=limit)
    return Members(result.rows, int(result.total))

