"""The kinds of the Today list: one set-based SELECT per kind, derived from the data.

Every kind's SELECT gives the same columns: customer_id, source_id (the record the item
comes from, its key for done / snooze marks), due (the item's date), since (a second date
the reason quotes), figure (a number the reason quotes) and detail (the user's own words:
a note, an appointment title, a complaint subject). Definitions, for a day X:

- follow_up: an interaction with next_step_date <= X that is the customer's latest (no
  interaction of the customer occurred after it). Logging any later interaction settles it.
  A daily list, not an archive: only next steps due within today.lookback_days days (L) back.
- appointment_today / appointment_week: open appointments due on X / on another day of X's
  Monday-to-Sunday week (an open one earlier in the week is still to do).
- birthday: birth day and month within X's Monday-to-Sunday week (a week across the year end
  takes December from one year and January from the next); in a year without 29 February a
  29 February birthday is kept on 28 February. Keyed by the year of the birthday.
- reorder: at least 2 completed orders, the usual interval (customer_stats.avg_interval_days:
  the mean gap between first and last order) has passed since the last order, and not churned
  by crm_data.domain.labels, the due day (last order + interval) at most L days back. Keyed by the
  last order's day, so a new order starts a new item.
- winback: turned at risk by crm_data.domain.labels within the last today.winback_days days (the
  at-risk boundary crossed on X - days + 1 … X) and not churned. Keyed like reorder.
- overdue_debt: a customer with an open order past its due date (order date + the payment
  terms, crm_data.daily.receivables); the amount overdue and the oldest due date.
- complaint: the complaints desk's overdue test (crm_data.daily.complaints) at the end of X:
  not resolved and open longer than complaints.overdue_days × 24 h by then, so it is listed
  on the day it turns overdue.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    case,
    exists,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from crm_data.admin import settings
from crm_data.daily import complaints, receivables
from crm_data.domain import labels
from crm_data.domain.clock import today
from crm_data.domain.periods import days_between
from crm_data.domain.sqlfunc import dialect_function
from crm_data.records import validation
from crm_data.storage.models import Appointment, Customer, CustomerStats, Feedback, Interaction

# Reorder / win-back items are keyed by their last order's day number since this day.
EPOCH = dt.date(2000, 1, 1)

month_day = dialect_function(
    "month_day", Integer(), "month × 100 + day of a DATE (birthdays in a week, any year).",
    postgresql="CAST(EXTRACT(MONTH FROM {0}) * 100 + EXTRACT(DAY FROM {0}) AS INTEGER)",
    sqlite="CAST(strftime('%m%d', {0}) AS INTEGER)")


@dataclass(frozen=True)
class Ctx:
    day: dt.date
    winback_days: int
    overdue_days: int
    lookback_days: int

    @property
    def oldest(self) -> dt.date:
        """The earliest due day a follow-up or re-order may have to be listed."""
        return self.day - dt.timedelta(days=self.lookback_days)

    @property
    def week(self) -> tuple[dt.date, dt.date]:
        start = self.day - dt.timedelta(days=self.day.weekday())
        return start, start + dt.timedelta(days=6)

    @property
    def risk_days(self) -> int:
        """N // 2 of the churn rule: the at-risk boundary's distance from the last order."""
        return (self.day - labels.at_risk_last_order_until(self.day)).days


def context(bind, day: dt.date) -> Ctx:
    return Ctx(day, settings.get(bind, "today.winback_days"),
               settings.get(bind, "complaints.overdue_days"), settings.get(bind, "today.lookback_days"))


def _row(customer_id, source_id, due, since=None, figure=None, detail=None, sort=None) -> Select:
    """The common columns; `sort` orders the kind's items (default: by due, earliest first)."""
    return select(customer_id.label("customer_id"), source_id.label("source_id"), due.label("due"),
                  (sort if sort is not None else due).label("sort"),
                  (since if since is not None else null()).label("since"),
                  (figure if figure is not None else literal(None, Integer)).label("figure"),
                  (detail if detail is not None else literal(None, String)).label("detail"))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def follow_up(ctx: Ctx) -> Select:
    i, later = Interaction, aliased(Interaction, name="later")
    settled = exists().where(later.customer_id == i.customer_id, later.occurred_at >= i.occurred_at,
                             later.id != i.id, or_(later.occurred_at > i.occurred_at, later.id > i.id))
    return _row(i.customer_id, i.id, i.next_step_date, since=i.occurred_at, detail=i.note).where(
        i.next_step_date <= ctx.day, i.next_step_date >= ctx.oldest, ~settled)


def _appointments(lo: dt.datetime, hi: dt.datetime) -> Select:
    a = Appointment
    return _row(a.customer_id, a.id, a.due_at, detail=a.title).where(
        a.status == "open", a.customer_id.is_not(None), a.due_at >= lo, a.due_at < hi)


def appointment_today(ctx: Ctx) -> Select:
    return _appointments(_midnight(ctx.day), _midnight(ctx.day + dt.timedelta(days=1)))


def appointment_week(ctx: Ctx) -> Select:
    start, end = ctx.week
    a = Appointment
    return _appointments(_midnight(start), _midnight(end + dt.timedelta(days=1))).where(
        or_(a.due_at < _midnight(ctx.day), a.due_at >= _midnight(ctx.day + dt.timedelta(days=1))))


def week_days(ctx: Ctx) -> list[dt.date]:
    start, _ = ctx.week
    return [start + dt.timedelta(days=k) for k in range(7)]


def birthday_on(birth: dt.date, ctx: Ctx) -> dt.date | None:
    """The day of X's week on which this birthday is kept (29/02 → 28/02 in other years)."""
    for d in week_days(ctx):
        if (d.month, d.day) == (birth.month, birth.day):
            return d
        if (birth.month, birth.day) == (2, 29) and (d.month, d.day) == (2, 28) \
                and not calendar.isleap(d.year):
            return d
    return None


def _on(year: int, month: int, day: int) -> dt.date:
    """That day of `year`; 29 February of a year without it is 1 March (an exclusive bound)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, 3, 1)


def birthday(ctx: Ctx, owned: bool = False) -> Select:
    """Birth dates in [week start, week end + 1) of every birth year: one index range per
    year (UNION ALL) instead of a function of every customer's birth date. The day after a
    non-leap week's 28 February is 1 March, so the 29 February births of leap years fall in.
    owned: of non-deleted customers only, with their owner_id (OWNED)."""
    start, end = ctx.week
    after = end + dt.timedelta(days=1)
    c = Customer
    cols = [c.id.label("cid"), c.birth_date.label("born")] + ([c.owner_id] if owned else [])
    alive = [c.deleted_at.is_(None)] if owned else []
    born = union_all(*[
        select(*cols).where(
            c.birth_date >= _on(y, start.month, start.day),
            c.birth_date < _on(y + after.year - start.year, after.month, after.day), *alive)
        for y in range(validation.MIN_DATE.year, ctx.day.year + 1)]).subquery("born")
    md = month_day(born.c.born)
    year = literal(start.year) if start.year == end.year else \
        case((md >= start.month * 100 + start.day, start.year), else_=end.year)
    q = _row(born.c.cid, year, born.c.born, sort=year * 10000 + md).where(born.c.born <= ctx.day)
    return q.add_columns(born.c.owner_id) if owned else q


def _last_order_key():
    return days_between(literal(EPOCH, Date), CustomerStats.last_order_date)


def reorder(ctx: Ctx) -> Select:
    s = CustomerStats
    since = days_between(s.last_order_date, literal(ctx.day, Date))
    return _row(s.customer_id, _last_order_key(), s.last_order_date, since=s.last_order_date,
                figure=s.avg_interval_days, sort=s.avg_interval_days - since).where(
        s.orders_count >= 2, s.avg_interval_days > 0, since >= s.avg_interval_days,
        since - s.avg_interval_days <= ctx.lookback_days,
        s.last_order_date > labels.churned_last_order_until(ctx.day))


def winback(ctx: Ctx) -> Select:
    s = CustomerStats
    first = ctx.day - dt.timedelta(days=ctx.winback_days - 1)  # the window's first day
    return _row(s.customer_id, _last_order_key(), s.last_order_date, since=s.last_order_date).where(
        s.last_order_date > labels.at_risk_last_order_until(first - dt.timedelta(days=1)),
        s.last_order_date <= labels.at_risk_last_order_until(ctx.day),
        s.last_order_date > labels.churned_last_order_until(ctx.day))


def complaint(ctx: Ctx) -> Select:
    # The desk's own overdue test, at the end of the day: listed on the day it turns overdue.
    f = Feedback
    return _row(f.customer_id, f.id, f.opened_at, figure=literal(ctx.overdue_days, Integer),
                detail=f.subject).where(complaints.is_overdue_clause(ctx.day, ctx.overdue_days, f))


def overdue_debt(ctx: Ctx) -> Select:
    """Customers with an order past its due date (order date + payment terms), from the
    receivables' own rule; keyed by that oldest due date, so paying it starts a new item."""
    od = receivables.overdue_for_today(ctx.day).subquery("od")
    return _row(od.c.customer_id, days_between(literal(EPOCH, Date), od.c.due_on), od.c.due_on,
                figure=od.c.amount)


def overdue_debt_owned(ctx: Ctx) -> Select | None:
    """overdue_debt from open_orders alone, with owner_id: that table holds non-deleted
    customers only and their owner, so the caller scopes without joining a million
    customers (L: 0.5 s → 0.15 s). None for a past day (the orders path has no owner)."""
    if ctx.day < today():
        return None
    od = receivables.overdue_for_today(ctx.day, with_owner=True).subquery("od")
    return _row(od.c.customer_id, days_between(literal(EPOCH, Date), od.c.due_on), od.c.due_on,
                figure=od.c.amount).add_columns(od.c.owner_id)


def _stats_owned(q: Select) -> Select:
    """A customer_stats kind's rows of non-deleted customers with their owner, as the
    rollups read them (rollup_alive / rollup_owner_id, kept exact inside every write)."""
    s = CustomerStats
    return q.where(s.rollup_alive.is_(True)).add_columns(s.rollup_owner_id.label("owner_id"))


# Kinds in the order the list shows them.
QUERIES = {
    "follow_up": follow_up,
    "appointment_today": appointment_today,
    "appointment_week": appointment_week,
    "birthday": birthday,
    "reorder": reorder,
    "winback": winback,
    "overdue_debt": overdue_debt,
    "complaint": complaint,
}
# Kinds that can also give their rows already limited to non-deleted customers, with the
# owner_id (or None when not on that day): see crm_data.daily.today._owned.
OWNED = {
    "birthday": lambda ctx: birthday(ctx, owned=True),
    "reorder": lambda ctx: _stats_owned(reorder(ctx)),
    "winback": lambda ctx: _stats_owned(winback(ctx)),
    "overdue_debt": overdue_debt_owned,
}
# Kinds that a logged interaction settles by itself; an appointment is completed; the others
# keep a done mark (crm_data.daily.today_actions).
SETTLED_BY_INTERACTION = frozenset({"follow_up"})
APPOINTMENT_KINDS = frozenset({"appointment_today", "appointment_week"})
DATETIME_DUE = APPOINTMENT_KINDS | {"complaint"}
