"""P(alive) bands: the filter, the Segments dimension and the Retention page share them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, exists, literal, or_
from sqlalchemy.orm import aliased

from crm_data.storage.models import CustomerClv

# key: [low, high) as fractions; the last band includes 1.
BANDS: dict[str, tuple[float, float]] = {
    "p0_25": (0.0, 0.25),
    "p25_50": (0.25, 0.50),
    "p50_75": (0.50, 0.75),
    "p75_100": (0.75, 1.0),
}
NOT_SCORED = "none"  # no purchase yet, or no fit yet


def band_clause(col, key: str) -> ColumnElement[bool]:
    low, high = BANDS[key]
    return and_(col >= low, col <= high) if high >= 1.0 else and_(col >= low, col < high)


def band_expr(col):
    """The band key of a P(alive) column (NULL → NOT_SCORED)."""
    whens = [(band_clause(col, key), literal(key)) for key in BANDS]
    return case(*whens, else_=literal(NOT_SCORED))


def filter_clause(c, bands: tuple[str, ...], value_min: int | None) -> ColumnElement[bool]:
    """The customer has a score in one of these bands and / or an expected value of at least
    value_min (EXISTS on customer_clv: the list's join stays customers ⋈ customer_stats)."""
    k = aliased(CustomerClv)  # the list joins customer_clv itself: no auto-correlation
    when = [k.customer_id == c.id]
    known = [b for b in bands if b in BANDS]
    if bands:
        if not known and NOT_SCORED not in bands:
            return literal(False) == literal(True)
        scored = or_(*[band_clause(k.p_alive, b) for b in known]) if known else None
        if NOT_SCORED in bands:
            has = exists().where(*when, scored) if scored is not None else None
            none = ~exists().where(k.customer_id == c.id)
            cond = or_(has, none) if has is not None else none
            return and_(cond, exists().where(*when, k.expected_value >= value_min)) \
                if value_min is not None else cond
        when.append(scored)
    if value_min is not None:
        when.append(k.expected_value >= value_min)
    return exists().where(*when)
