"""Loyalty: monthly points earned, redemptions, the gift list and what each redemption bought."""

# The ledger earns one row per customer and month on the month's completed orders
# (⌊Σ amount / 10.000 ₫⌋, _loyalty); the app earns per payment on the money paid. Over a
# paid-up history both come to about the same points. Each redemption bought a gift (the
# redeem row then spends exactly the gift's cost, never more than the points it spent
# before, so no balance goes below zero) or a discount worth the points × the default
# discount value of a point.

from __future__ import annotations

import numpy as np

from crm_data.admin.settings import DEFAULTS
from crm_data.sample.common import _Ctx, _group_ends, _group_starts, _obj
from crm_data.storage.models import LoyaltyGift, LoyaltyRedemption

# name, points, stock now, still offered
GIFTS = (
    ("Voucher cà phê 50.000 ₫", 500, 180, True),
    ("Túi vải canvas in logo", 300, 64, True),
    ("Áo thun cotton", 800, 35, True),
    ("Ô gấp tự động", 1_000, 0, True),  # out of stock: on the list, not offered
    ("Bình giữ nhiệt 500 ml", 1_500, 22, True),
    ("Bộ hộp đựng thực phẩm thủy tinh", 2_500, 9, True),
    ("Sổ tay bìa da", 1_200, 0, False),  # no longer offered; past redemptions stay
    ("Nồi chiên không dầu mini", 10_000, 3, True),
)
GIFT_SHARE = 0.45  # of the redemptions: a gift; the rest a discount
_DAY = 86_400


def _loyalty(ctx: _Ctx) -> None:
    """Loyalty: one earn row per customer and month, some redemptions."""
    D, amount, c_day_o, cc, cs_order = ctx.D, ctx.amount, ctx.c_day_o, ctx.cc, ctx.cs_order
    r_loyal, start = ctx.r_loyal, ctx.start
    months = (np.datetime64(start, "D") + c_day_o.astype("timedelta64[D]")).astype("datetime64[M]")
    mon = months.astype(np.int64)
    key = cc.astype(np.int64) * 100_000 + (mon - mon.min() if len(mon) else mon)
    g_start = _group_starts(key)
    g_end = _group_ends(key)
    g_cust = cc[g_start]
    g_pts = (np.add.reduceat(amount[cs_order], g_start) // 10_000 if len(g_start)
             else np.zeros(0, np.int64)).astype(np.int64)
    g_day = c_day_o[g_end - 1]
    g_mon = months[g_start]
    g_cum = np.cumsum(g_pts) - np.repeat(np.cumsum(g_pts)[_group_starts(g_cust)] -
                                         g_pts[_group_starts(g_cust)],
                                         _group_ends(g_cust) - _group_starts(g_cust))
    cust_start = _group_starts(g_cust)
    cust_len = _group_ends(g_cust) - cust_start
    pick = cust_start + (r_loyal.random(len(cust_start)) * cust_len).astype(np.int64)
    red_ok = (r_loyal.random(len(cust_start)) < 0.4) & (g_cum[pick] >= 200)
    red_g = pick[red_ok]
    red_pts = (np.floor(g_cum[red_g] * r_loyal.uniform(0.3, 0.9, len(red_g)) / 50) * 50
               ).astype(np.int64)
    red_day = np.minimum(g_day[red_g] + r_loyal.integers(0, 31, len(red_g)), D)
    keep = red_pts >= 50
    red_g, red_pts, red_day = red_g[keep], red_pts[keep], red_day[keep]
    ly_c = np.concatenate([g_cust, g_cust[red_g]])
    ly_day = np.concatenate([g_day, red_day])
    ly_kind = _obj(("earn", "redeem"), np.r_[np.zeros(len(g_cust)), np.ones(len(red_g))])
    ly_pts = np.concatenate([g_pts, -red_pts])
    # one note string per month, shared by the rows of that month
    mon_i = g_mon.astype(np.int64)
    first_mon = int(mon_i.min()) if len(mon_i) else 0
    month_notes = [f"Tích điểm tháng {m % 12 + 1:02d}/{1970 + m // 12}"
                   for m in range(first_mon, int(mon_i.max()) + 1 if len(mon_i) else 0)]
    ly_note = np.concatenate([np.array(month_notes + [""], dtype=object)[mon_i - first_mon],
                              _obj(("Đổi điểm lấy voucher",), np.zeros(len(red_g)))])
    lyo = np.lexsort((ly_kind == "redeem", ly_c, ly_day))
    ly_c, ly_day, ly_kind, ly_pts, ly_note = (a[lyo]
                                              for a in (ly_c, ly_day, ly_kind, ly_pts, ly_note))
    ctx.ly_c, ctx.ly_day, ctx.ly_kind, ctx.ly_note = ly_c, ly_day, ly_kind, ly_note
    ctx.ly_pts = ly_pts


def redemptions(ctx) -> None:
    """A stage of seed._build, after _loyalty: picks what each redeem row bought
    and lowers the points of gift rows to the gift's cost (ctx.ly_pts, ctx.ly_note)."""
    rng = ctx.r_loyal  # loyalty's own stream, after the ledger was drawn
    costs = np.array([g[1] for g in GIFTS], dtype=np.int64)
    by_cost = np.argsort(costs, kind="stable")
    rows = np.flatnonzero(ctx.ly_kind == "redeem")
    spent = -ctx.ly_pts[rows]
    affordable = np.searchsorted(costs[by_cost], spent, side="right")  # gifts costing ≤ spent
    gift_row = (rng.random(len(rows)) < GIFT_SHARE) & (affordable > 0)
    pick = by_cost[np.minimum((rng.random(len(rows)) * affordable).astype(np.int64),
                              np.maximum(affordable - 1, 0))]
    gift = np.where(gift_row, pick, -1)
    points = np.where(gift_row, costs[np.maximum(gift, 0)], spent)
    ctx.ly_pts[rows] = -points
    names = np.array([g[0] for g in GIFTS], dtype=object)
    ctx.ly_note[rows[gift_row]] = names[gift[gift_row]]
    ctx.red_rows, ctx.red_gift, ctx.red_points = rows, gift, points
    ctx.red_t = ctx.ly_day[rows] * _DAY + rng.integers(9 * 3600, 20 * 3600, len(rows))


def tables(ctx, table_data, kinds) -> list:
    """The loyalty_gifts and loyalty_redemptions rows (columns._TableData)."""
    _int, _str, _date, _dt, _bool = kinds
    tg = table_data(LoyaltyGift.__table__, len(GIFTS))
    tg.add("id", _int, np.arange(1, len(GIFTS) + 1))
    tg.add("name", _str, [g[0] for g in GIFTS])
    tg.add("points_cost", _int, np.array([g[1] for g in GIFTS], dtype=np.int64))
    tg.add("stock", _int, np.array([g[2] for g in GIFTS], dtype=np.int64))
    tg.add("active", _bool, np.array([g[3] for g in GIFTS]))
    opened = np.full(len(GIFTS), 9 * 3600, dtype=np.int64)
    tg.add("created_at", _dt, opened)
    tg.add("updated_at", _dt, opened)

    rows, gift, points = ctx.red_rows, ctx.red_gift, ctx.red_points
    n = len(rows)
    per_point = DEFAULTS["loyalty.discount_vnd_per_point"][0]
    is_gift = gift >= 0
    tr = table_data(LoyaltyRedemption.__table__, n)
    tr.add("id", _int, np.arange(1, n + 1))
    tr.add("ledger_id", _int, rows + 1)  # ledger ids are positions + 1 (tables._tables)
    tr.add("customer_id", _int, ctx.ly_c[rows] + 1)
    tr.add("kind", _str, np.where(is_gift, "gift", "discount").astype(object))
    tr.add("gift_id", _int, gift + 1, ~is_gift)
    tr.add("points", _int, points)
    tr.add("discount_vnd", _int, points * per_point, is_gift)
    tr.add("redeemed_on", _date, ctx.ly_day[rows])
    tr.add("created_by", _int, None)
    tr.add("created_at", _dt, ctx.red_t)
    return [tg, tr]
