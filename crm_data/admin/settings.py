"""Settings an admin may change without a release (payment terms, loyalty rule, overdue days…),
kept in app_meta as "setting.<key>" with their defaults here, so every page, the CLI and the
tests read one value."""

from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.domain.clock import now
from crm_data.records.validation import Invalid
from crm_data.records.writing import ValidationFailed
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import AppMeta

# key: (default, lowest allowed, highest allowed); whole numbers only.
DEFAULTS: dict[str, tuple[int, int, int]] = {
    "receivables.terms_days": (30, 0, 365),  # due date = order date + this many days
    "loyalty.vnd_per_point": (10_000, 1, 100_000_000),  # 1 point per this much paid
    "loyalty.expiry_months": (0, 0, 120),  # 0 = points never expire
    "loyalty.discount_vnd_per_point": (100, 1, 1_000_000),  # a redeemed point's discount: 1 % back
    "complaints.overdue_days": (3, 1, 365),  # a complaint open longer is overdue
    "today.winback_days": (7, 1, 90),  # Today's win-back: turned at risk within this many days
    "today.lookback_days": (30, 1, 365),  # Today: follow-ups / re-orders overdue this many days at most
    "clv.horizon_days": (365, 30, 1825),  # expected value = expected purchases × spend over this
    "clv.holdout_days": (90, 0, 730),  # the fit's check: refit without these last days (0 = off)
    "clv.compare_days": (30, 1, 365),  # "falling": P(alive) now against this many days ago
    "clv.falling_points": (10, 1, 100),  # … lower by at least this many percentage points
    "cashbook.opening_balance": (0, 0, 1_000_000_000_000),  # cash held before the first entry
    "dupes.min_score": (50, 1, 100),  # the duplicate finder lists pairs scoring this or more
    "dupes.undo_days": (30, 0, 365),  # a merge can be undone this many days after it
    "lookalike.value_top_pct": (10, 1, 50),  # "best" by value: this top % by P(alive) × value
    "lookalike.test_pct": (30, 10, 50),  # the latest leads (by creation) held out for the test
    "lookalike.min_positives": (20, 5, 10_000),  # fewer "best" in train or test: no score
    "leadscore.hot_min": (70, 1, 1000),  # lead score >= this: hot (crm_data.leadscore)
    "leadscore.warm_min": (40, 0, 1000),  # >= this (and below hot): warm; below: cold
}
_PREFIX = "setting."


def _known(key: str) -> tuple[int, int, int]:
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}")
    return DEFAULTS[key]


def get(bind, key: str) -> int:
    """The current value (an Engine, Connection or Session)."""
    default = _known(key)[0]
    stmt = select(AppMeta.value).where(AppMeta.key == _PREFIX + key)
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            value = conn.execute(stmt).scalar()
    else:
        value = bind.execute(stmt).scalar()
    return default if value is None else int(value)


def set_value(engine: Engine, scope: Scope, key: str, value) -> int:
    """Change a setting (admin only), audited with its old value, in one transaction."""
    default, low, high = _known(key)
    if scope.role != "admin":
        raise PermissionError("settings are changed by an admin")
    try:
        number = int(str(value).strip())  # "2.5" and 2.5 are refused, not truncated
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ValidationFailed({key: Invalid("setting.invalid.range", {"low": low, "high": high})})
    with unit_of_work(engine) as s:
        before = get(s, key)
        _store(s, key, number)
        audit.record(s, scope, "update", "setting", key, before={"value": before},
                     after={"value": number})
    return number


def _store(session: Session, key: str, number: int) -> None:
    changed = session.execute(update(AppMeta).where(AppMeta.key == _PREFIX + key)
                              .values(value=str(number), updated_at=now())).rowcount
    if not changed:
        session.add(AppMeta(key=_PREFIX + key, value=str(number), updated_at=now()))
