"""One filter value object → one SQL WHERE clause (bound parameters, allow-listed columns).

The customer list, the charts, the export, the counts and the share URL all use
CustomerFilter; it round-trips through URL query parameters (`to_query` / `from_query`).
Conditions refer to the customers table `c` and the customer_stats table `s`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace

from sqlalchemy import ColumnElement, DateTime, and_, exists, func, or_, true
from sqlalchemy.orm import aliased

from crm_data.domain.clock import today
from crm_data.domain.labels import configured_churn_days
from crm_data.records import clv_bands
from crm_data.records.churn_reason import NOT_RECORDED, churn_reason
from crm_data.records.search import search_clause
from crm_data.records.tags import key as tag_key
from crm_data.records.validation import MAX_AMOUNT, clean_text
from crm_data.storage.models import Customer, CustomerStats, Order, StageChange


def _years_ago(years: int, ref: dt.date) -> dt.date:
    if not 0 <= ref.year - years <= dt.MAXYEAR:
        return dt.date.min if years > 0 else dt.date.max  # an age no one has
    try:
        return ref.replace(year=ref.year - years)
    except ValueError:  # 29 February
        return ref.replace(year=ref.year - years, day=28)


def _days_ago(days: int, ref: dt.date) -> dt.date:
    try:
        return ref - dt.timedelta(days=days)
    except OverflowError:  # a URL's absurd number of days: before any date
        return dt.date.min if days > 0 else dt.date.max


@dataclass(frozen=True)
class _Spec:
    kind: str  # "in" | "in_int" | "tag" | "min" | "max" | "date_from" | "date_to" | "bool"
    column: Callable  # (c, s) -> column


def _col(name: str, table: str = "c") -> Callable:
    return lambda c, s: getattr(c if table == "c" else s, name)


# field name → how it filters. Only these columns can ever reach the SQL.
SPECS: dict[str, _Spec] = {
    "regions": _Spec("in", _col("region")),
    "provinces": _Spec("in_int", _col("province_code")),
    "genders": _Spec("in", _col("gender")),
    "kinds": _Spec("in", _col("kind")),
    "sources": _Spec("in", _col("source")),
    "channels": _Spec("in", _col("preferred_channel")),
    "income_bands": _Spec("in", _col("income_band")),
    "occupations": _Spec("in", _col("occupation")),
    "educations": _Spec("in", _col("education")),
    "marital_statuses": _Spec("in", _col("marital_status")),
    "industries": _Spec("in", _col("industry")),
    "lifecycle_stages": _Spec("in", _col("lifecycle_stage")),
    "pipeline_stages": _Spec("in", _col("pipeline_stage")),
    "lead_grades": _Spec("in", _col("lead_grade")),
    "owners": _Spec("in_int", _col("owner_id")),
    "tiers": _Spec("in", _col("tier", "s")),
    "rfm_segments": _Spec("in", _col("rfm_segment", "s")),
    "tags": _Spec("folded_tag", _col("tag_keys")),  # "khach si" finds "Khách Sỉ"
    "groups": _Spec("tag", _col("groups", "s")),
    "created_from": _Spec("date_from", _col("created_at")),
    "created_to": _Spec("date_to", _col("created_at")),
    "first_order_from": _Spec("date_from", _col("first_order_date", "s")),
    "first_order_to": _Spec("date_to", _col("first_order_date", "s")),
    "last_order_from": _Spec("date_from", _col("last_order_date", "s")),
    "last_order_to": _Spec("date_to", _col("last_order_date", "s")),
    "spend_min": _Spec("min", _col("total_spend", "s")),
    "spend_max": _Spec("max", _col("total_spend", "s")),
    "orders_min": _Spec("min", _col("orders_count", "s")),
    "orders_max": _Spec("max", _col("orders_count", "s")),
    "consent": _Spec("bool", _col("consent")),
}


@dataclass(frozen=True)
class CustomerFilter:
    regions: tuple[str, ...] = ()
    provinces: tuple[int, ...] = ()
    genders: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    income_bands: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()
    educations: tuple[str, ...] = ()
    marital_statuses: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    lifecycle_stages: tuple[str, ...] = ()
    pipeline_stages: tuple[str, ...] = ()
    lead_grades: tuple[str, ...] = ()
    owners: tuple[int, ...] = ()
    tiers: tuple[str, ...] = ()
    rfm_segments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    first_order_from: dt.date | None = None
    first_order_to: dt.date | None = None
    last_order_from: dt.date | None = None
    last_order_to: dt.date | None = None
    spend_min: int | None = None
    spend_max: int | None = None
    orders_min: int | None = None
    orders_max: int | None = None
    consent: bool | None = None
    age_min: int | None = None
    age_max: int | None = None
    days_since_min: int | None = None  # days since last purchase
    days_since_max: int | None = None
    has_debt: bool | None = None
    has_purchased: bool | None = None
    search: str = ""
    ids: tuple[int, ...] = field(default=())  # an explicit selection
    # Drill-down from a chart mark (crm_data.customers.drill): facts dated in a range, as EXISTS.
    bought_from: dt.date | None = None  # a completed order dated in [bought_from, bought_to]
    bought_to: dt.date | None = None
    stage_kind: str = ""  # a stage change of this kind ("pipeline" | "lifecycle") …
    stage_prev: str = ""  # … from this stage ("start": the first recorded stage) …
    stage_next: str = ""  # … to this stage …
    stage_from: dt.date | None = None  # … dated in [stage_from, stage_to]
    stage_to: dt.date | None = None
    # Reached one of these pipeline stages, now or by any change (a funnel cohort step:
    # the stage and every later one).
    pipeline_reached: tuple[str, ...] = ()
    # In this lifecycle stage at the end of that day (default today): their latest
    # lifecycle change up to then went to it (a bar of the journey over time).
    lifecycle_on: dt.date | None = None
    lifecycle_on_stage: str = ""
    # The biggest lifetime spenders down to (total_spend, id), in the order
    # total_spend desc, id: the top n of a Pareto point, ties included exactly.
    spend_rank_until: tuple[int, ...] = ()
    # The stage change of the stage_* condition above has this lost reason (NOT_RECORDED:
    # none): a bar of the funnel's lost reasons, flow view.
    stage_reason: str = ""
    # Lost now, and the reason of their open change to 'lost' is this one (NOT_RECORDED:
    # no open change to 'lost' with a reason): a bar of the funnel cohort's lost reasons.
    lost_reason_now: str = ""
    # Why they churned (crm_data.records.churn_reason), the churn day being the last purchase +
    # churn_reason_days (default: the configured window; alone it selects nothing): a bar
    # of the churn reasons, with the churn window in last_order_from / _to.
    churn_reason: str = ""
    churn_reason_days: int | None = None
    # The latest CLV fit (crm_data.clv): P(alive) bands (crm_data.records.clv_bands.BANDS, "none":
    # not scored) and the expected value over the fit's horizon, at least this many đồng.
    p_alive_bands: tuple[str, ...] = ()
    value_min: int | None = None

    def is_empty(self) -> bool:
        return self == CustomerFilter()

    def with_(self, **changes) -> CustomerFilter:
        return replace(self, **changes)

    def clause(self, c=Customer, s=CustomerStats, ref: dt.date | None = None) -> ColumnElement[bool]:
        ref = ref or today()
        conds: list[ColumnElement[bool]] = []
        for name, spec in SPECS.items():
            value = getattr(self, name)
            if value in (None, (), ""):
                continue
            col = spec.column(c, s)
            if spec.kind == "in":
                conds.append(col.in_([clean_text(v) for v in value]))
            elif spec.kind == "in_int":
                conds.append(col.in_(list(value)))
            elif spec.kind == "tag":
                conds.append(or_(*[col.like(f"%,{_escape_like(clean_text(v))},%", escape="\\")
                                   for v in value]))
            elif spec.kind == "folded_tag":
                conds.append(or_(*[col.like(f"%,{_escape_like(tag_key(clean_text(v)))},%",
                                            escape="\\") for v in value]))
            elif spec.kind == "min":
                conds.append(col >= value)
            elif spec.kind == "max":
                conds.append(col <= value)
            elif spec.kind == "date_from":
                conds.append(col >= _as_bound(col, value))
            elif spec.kind == "date_to" and value < dt.date.max:
                conds.append(col < _as_bound(col, value + dt.timedelta(days=1)))
            elif spec.kind == "bool":
                conds.append(col.is_(True) if value else or_(col.is_(False), col.is_(None)))
        if self.age_min is not None:
            conds.append(c.birth_date <= _years_ago(self.age_min, ref))
        if self.age_max is not None:
            conds.append(c.birth_date > _years_ago(self.age_max + 1, ref))
        if self.days_since_min is not None:
            conds.append(s.last_order_date <= _days_ago(self.days_since_min, ref))
        if self.days_since_max is not None:
            conds.append(s.last_order_date >= _days_ago(self.days_since_max, ref))
        if self.has_debt is not None:
            conds.append(s.debt > 0 if self.has_debt else func.coalesce(s.debt, 0) <= 0)
        if self.has_purchased is not None:
            conds.append(s.orders_count > 0 if self.has_purchased else func.coalesce(s.orders_count, 0) == 0)
        if self.search.strip():
            conds.append(search_clause(clean_text(self.search), c))
        if self.ids:
            conds.append(c.id.in_(list(self.ids)))
        conds += self._drill_conditions(c, s)
        return and_(true(), *conds)

    def _drill_conditions(self, c, s) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if self.bought_from is not None or self.bought_to is not None:
            when = [Order.customer_id == c.id, Order.status == "completed"]
            if self.bought_from is not None:
                when.append(Order.order_date >= self.bought_from)
            if self.bought_to is not None:
                when.append(Order.order_date < self.bought_to + dt.timedelta(days=1))
            conds.append(exists().where(*when))
        if any((self.stage_kind, self.stage_prev, self.stage_next, self.stage_from, self.stage_to,
                self.stage_reason)):
            sc = StageChange
            when = [sc.customer_id == c.id]
            if self.stage_kind:
                when.append(sc.kind == self.stage_kind)
            if self.stage_prev:
                when.append(sc.from_stage.is_(None) if self.stage_prev == START_STAGE
                            else sc.from_stage == self.stage_prev)
            if self.stage_next:
                when.append(sc.to_stage == self.stage_next)
            if self.stage_from is not None:
                when.append(sc.changed_at >= dt.datetime.combine(self.stage_from, dt.time()))
            if self.stage_to is not None:
                when.append(sc.changed_at < dt.datetime.combine(self.stage_to + dt.timedelta(days=1),
                                                                dt.time()))
            if self.stage_reason:
                when.append(_reason_is(sc.lost_reason, self.stage_reason))
            conds.append(exists().where(*when))
        if self.lost_reason_now:
            sc = StageChange
            open_lost = [sc.customer_id == c.id, sc.kind == "pipeline", sc.to_stage == LOST,
                         sc.left_at.is_(None)]
            if self.lost_reason_now == NOT_RECORDED:
                conds += [c.pipeline_stage == LOST,
                          ~exists().where(*open_lost, sc.lost_reason.is_not(None))]
            else:
                conds += [c.pipeline_stage == LOST,
                          exists().where(*open_lost, sc.lost_reason == self.lost_reason_now)]
        if self.churn_reason:
            days = configured_churn_days() if self.churn_reason_days is None else self.churn_reason_days
            conds.append(churn_reason(days, c, s) == self.churn_reason)
        if self.pipeline_reached:
            stages = list(self.pipeline_reached)
            sc = StageChange
            conds.append(or_(c.pipeline_stage.in_(stages), exists().where(
                sc.customer_id == c.id, sc.kind == "pipeline", sc.to_stage.in_(stages))))
        if self.lifecycle_on is not None or self.lifecycle_on_stage:
            conds.append(_stage_on(c, self.lifecycle_on or today(), self.lifecycle_on_stage))
        if self.p_alive_bands or self.value_min is not None:
            conds.append(clv_bands.filter_clause(c, self.p_alive_bands, self.value_min))
        if len(self.spend_rank_until) == 2:
            spend, last_id = self.spend_rank_until
            conds.append(or_(s.total_spend > spend, and_(s.total_spend == spend, c.id <= last_id)))
        return conds

    # --- URL query string -------------------------------------------------------------
    def to_query(self) -> dict[str, str | list[str]]:
        """Query parameters; lists become repeated parameters (?regions=north&regions=south),
        the form the sidebar widgets bound to the URL read and write."""
        out: dict[str, str | list[str]] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, (), ""):
                continue
            if isinstance(value, tuple):
                out[f.name] = [str(v) for v in value]
            elif isinstance(value, bool):
                out[f.name] = "1" if value else "0"
            elif isinstance(value, dt.date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = str(value)
        return out

    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode(self.to_query(), doseq=True)

    @classmethod
    def from_query(cls, params: Mapping[str, str | list[str]]) -> CustomerFilter:
        """Parse query parameters (repeated or comma-joined lists); unknown keys and
        malformed values are ignored."""
        kwargs = {}
        for f in fields(cls):
            raw = params.get(f.name)
            if isinstance(raw, list):
                raw = ",".join(raw)
            if raw is None or raw == "":
                continue
            try:
                kwargs[f.name] = _parse(f.type, str(raw))
            except (ValueError, TypeError):
                continue
        return cls(**kwargs)


START_STAGE = "start"  # stage_prev of a customer's first recorded stage (from_stage NULL)
LOST = "lost"  # the pipeline's lost stage (crm_data.reports.funnel.LOST)


def _reason_is(col, reason: str) -> ColumnElement[bool]:
    return col.is_(None) if reason == NOT_RECORDED else col == reason


def _stage_on(c, day: dt.date, stage: str) -> ColumnElement[bool]:
    """The customer's latest lifecycle change before the end of `day` (by time, then id)
    went to `stage` (no stage: they had one by then)."""
    cut = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    sc, later = aliased(StageChange), aliased(StageChange)
    newer = exists().where(
        later.customer_id == sc.customer_id, later.kind == "lifecycle", later.changed_at < cut,
        or_(later.changed_at > sc.changed_at, and_(later.changed_at == sc.changed_at, later.id > sc.id)))
    if not stage:
        return exists().where(sc.customer_id == c.id, sc.kind == "lifecycle", sc.changed_at < cut)
    return exists().where(sc.customer_id == c.id, sc.kind == "lifecycle", sc.changed_at < cut,
                          sc.to_stage == stage, ~newer)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _as_bound(col, value: dt.date):
    """DateTime columns compare against midnight, Date columns against the date."""
    if isinstance(col.type, DateTime):
        return dt.datetime.combine(value, dt.time())
    return value


def _parse(type_name: str, raw: str):
    t = str(type_name)
    if t.startswith("tuple[int"):
        return tuple(_bounded(v) for v in raw.split(",") if v.strip())
    if t.startswith("tuple[str"):
        return tuple(v.strip() for v in raw.split(",") if v.strip())
    if t.startswith("dt.date"):
        return dt.date.fromisoformat(raw)
    if t.startswith("int"):
        return _bounded(raw)
    if t.startswith("bool"):
        if raw not in ("0", "1"):
            raise ValueError(raw)
        return raw == "1"
    return raw[:200]


def _bounded(raw: str) -> int:
    """A whole number a URL may carry: beyond any id, amount or count → ValueError."""
    number = int(raw)
    if not 0 <= number <= MAX_AMOUNT:
        raise ValueError(raw)
    return number
