"""Products, orders and their lines, later payments, and every customer's completed purchases."""

from __future__ import annotations

import numpy as np

from crm_data.sample.common import (
    _DAY,
    _Ctx,
    _group_ends,
    _group_starts,
    _obj,
    _p,
    _rank_in_group,
    _round_k,
    _shop_seconds,
)

# (category, name, unit price in đồng, popularity)
_PRODUCTS: list[tuple[str, str, int, float]] = [
    ("Mỹ phẩm", "Sữa rửa mặt dịu nhẹ 150ml", 185_000, 1.4),
    ("Mỹ phẩm", "Kem chống nắng SPF50+ 50ml", 320_000, 1.4),
    ("Mỹ phẩm", "Serum vitamin C 30ml", 450_000, 1.0),
    ("Mỹ phẩm", "Son môi lì", 249_000, 1.2),
    ("Mỹ phẩm", "Nước tẩy trang micellar 400ml", 210_000, 1.2),
    ("Mỹ phẩm", "Mặt nạ dưỡng ẩm (hộp 10 miếng)", 150_000, 1.2),
    ("Mỹ phẩm", "Kem dưỡng ẩm ban đêm 50g", 520_000, 0.8),
    ("Mỹ phẩm", "Dầu gội thảo dược 500ml", 135_000, 1.3),
    ("Mỹ phẩm", "Nước hoa nữ 50ml", 1_850_000, 0.4),
    ("Thực phẩm chức năng", "Viên uống vitamin tổng hợp (60 viên)", 390_000, 1.0),
    ("Thực phẩm chức năng", "Collagen dạng nước (hộp 10 chai)", 650_000, 0.8),
    ("Thực phẩm chức năng", "Dầu cá Omega-3 (100 viên)", 420_000, 0.9),
    ("Thực phẩm chức năng", "Sữa bột dinh dưỡng người lớn 900g", 780_000, 0.8),
    ("Thực phẩm chức năng", "Tinh dầu thông đỏ (60 viên)", 1_250_000, 0.4),
    ("Thực phẩm chức năng", "Nước yến sào (hộp 6 hũ)", 360_000, 0.9),
    ("Thực phẩm chức năng", "Hồng sâm Hàn Quốc (hộp quà)", 2_450_000, 0.3),
    ("Thực phẩm chức năng", "Viên bổ não ginkgo (60 viên)", 310_000, 0.7),
    ("Đồ gia dụng", "Nồi chiên không dầu 5L", 1_690_000, 0.5),
    ("Đồ gia dụng", "Máy xay sinh tố", 890_000, 0.5),
    ("Đồ gia dụng", "Nồi cơm điện 1,8L", 1_150_000, 0.5),
    ("Đồ gia dụng", "Bình giữ nhiệt 500ml", 245_000, 1.0),
    ("Đồ gia dụng", "Bộ nồi inox 5 món", 1_350_000, 0.4),
    ("Đồ gia dụng", "Máy lọc không khí", 3_990_000, 0.2),
    ("Đồ gia dụng", "Quạt điện đứng", 750_000, 0.5),
    ("Đồ gia dụng", "Ấm siêu tốc 1,7L", 390_000, 0.8),
    ("Đồ gia dụng", "Máy hút bụi cầm tay", 2_290_000, 0.3),
    ("Đồ gia dụng", "Bộ dao kéo nhà bếp", 460_000, 0.6),
    ("Thời trang", "Áo thun cotton", 159_000, 1.4),
    ("Thời trang", "Áo sơ mi nam công sở", 385_000, 0.9),
    ("Thời trang", "Đầm suông nữ", 520_000, 0.8),
    ("Thời trang", "Quần jean", 450_000, 0.9),
    ("Thời trang", "Giày thể thao", 890_000, 0.6),
    ("Thời trang", "Túi xách nữ", 1_150_000, 0.4),
    ("Thời trang", "Áo dài may sẵn", 1_450_000, 0.3),
    ("Thời trang", "Khăn lụa tơ tằm", 280_000, 0.6),
    ("Thực phẩm", "Cà phê rang xay 500g", 145_000, 2.2),
    ("Thực phẩm", "Gạo ST25 túi 5kg", 185_000, 2.2),
    ("Thực phẩm", "Nước mắm Phú Quốc 500ml", 89_000, 2.0),
    ("Thực phẩm", "Trà Thái Nguyên 200g", 120_000, 1.6),
    ("Thực phẩm", "Hạt điều rang muối 500g", 210_000, 1.4),
    ("Thực phẩm", "Mật ong rừng 500ml", 250_000, 1.2),
    ("Thực phẩm", "Bánh pía sầu riêng (hộp 4 cái)", 68_000, 1.6),
    ("Thực phẩm", "Mứt Tết thập cẩm 500g", 165_000, 0.2),
    ("Thực phẩm", "Giỏ quà Tết cao cấp", 1_590_000, 0.1),
]
_TET_PRODUCTS = ("Mứt Tết thập cẩm 500g", "Giỏ quà Tết cao cấp", "Hồng sâm Hàn Quốc (hộp quà)",
                 "Nước yến sào (hộp 6 hũ)", "Trà Thái Nguyên 200g", "Hạt điều rang muối 500g")
_SKU_PREFIX = {"Mỹ phẩm": "MP", "Thực phẩm chức năng": "CN", "Đồ gia dụng": "GD",
               "Thời trang": "TT", "Thực phẩm": "TP"}

# Orders: personal mean interval between purchases (days of normal trading), log-normal.
_INTERVAL_MEDIAN = {"individual": 5.3, "business": 4.0}
_INTERVAL_SIGMA = {"individual": 1.0, "business": 0.8}
_CHURN = 0.35
# Purchase rate by tenure: floor + (1 - floor) · exp(-days since first purchase / days).
_TENURE_FLOOR = 0.25
_TENURE_DAYS = 150.0
_MAX_ORDERS = 400
_CANCELLED = 0.03
_PRICE_ELASTICITY = -0.8  # product popularity ∝ price ** this


def _orders(ctx: _Ctx) -> None:
    """Orders of the won customers: the first minutes after the win, the next ones a seasonal
    Poisson process at a personal rate, thinned by tenure, until ref or until they churn;
    status, channel and payment method."""
    D, business, cum_w, r_orders = ctx.D, ctx.business, ctx.cum_w, ctx.r_orders
    walk_in = ctx.walk_in
    won, won_t = ctx.won, ctx.won_t
    buyers = np.flatnonzero(won)
    nb = len(buyers)
    b_bus = business[buyers]
    first_t = won_t[buyers] + np.where(walk_in[buyers], r_orders.integers(300, 1500, nb),
                                       r_orders.integers(300, 2400, nb))
    first_day = first_t // _DAY
    churner = r_orders.random(nb) < _CHURN
    window = D - first_day
    frac = np.where(churner, r_orders.beta(0.25, 2.0, nb), 1.0)
    end_day = first_day + np.floor(window * frac).astype(np.int64)
    op_len = cum_w[end_day] - cum_w[first_day]
    median = np.where(b_bus, _INTERVAL_MEDIAN["business"], _INTERVAL_MEDIAN["individual"])
    sigma = np.where(b_bus, _INTERVAL_SIGMA["business"], _INTERVAL_SIGMA["individual"])
    interval = median * np.exp(sigma * r_orders.standard_normal(nb))
    # Repeat purchases: a seasonal Poisson process at the personal rate, thinned by tenure
    # (new buyers come back more often than they will a year later).
    candidates = np.where(op_len > 0, r_orders.poisson(op_len / interval), 0)
    rep = np.repeat(np.arange(nb), candidates)
    u_op = cum_w[first_day][rep] + r_orders.random(len(rep)) * op_len[rep]
    x_day = np.clip(np.searchsorted(cum_w, u_op, side="left"), first_day[rep] + 1, end_day[rep])
    tenure = x_day - first_day[rep]
    keep = r_orders.random(len(rep)) < (_TENURE_FLOOR + (1 - _TENURE_FLOOR)
                                        * np.exp(-tenure / _TENURE_DAYS))
    keep &= _rank_in_group(rep) < _MAX_ORDERS - 1  # rep is grouped by buyer
    rep, x_day = rep[keep], x_day[keep]
    x_t = x_day * _DAY + _shop_seconds(r_orders, len(rep))
    o_cust_pos = np.concatenate([buyers, buyers[rep]])  # customer position (0-based)
    o_t = np.concatenate([first_t, x_t])
    o_first = np.concatenate([np.ones(nb, bool), np.zeros(len(rep), bool)])
    sort = np.lexsort((o_cust_pos, o_t))
    o_cust_pos, o_t, o_first = o_cust_pos[sort], o_t[sort], o_first[sort]
    n_orders = len(o_t)
    o_day = o_t // _DAY
    o_ids = np.arange(1, n_orders + 1, dtype=np.int64)
    o_bus = business[o_cust_pos]
    cancelled = r_orders.random(n_orders) < _CANCELLED
    completed = ~cancelled

    ch_vals = np.array(["store", "online", "zalo", "phone"], dtype=object)
    ch_i = np.where(o_bus, r_orders.choice(4, n_orders, p=[0.2, 0.15, 0.35, 0.3]),
                    r_orders.choice(4, n_orders, p=[0.5, 0.2, 0.2, 0.1]))
    ch_i[o_first & walk_in[o_cust_pos]] = 0
    channel = ch_vals[ch_i]
    pm_vals = np.array(["cash", "transfer", "card", "cod", "ewallet"], dtype=object)
    pm_by_channel = np.array([[0.50, 0.30, 0.12, 0.00, 0.08],   # store
                              [0.00, 0.30, 0.05, 0.45, 0.20],   # online
                              [0.10, 0.55, 0.00, 0.35, 0.00],   # zalo
                              [0.15, 0.50, 0.00, 0.35, 0.00]])  # phone
    cdf = np.cumsum(pm_by_channel, axis=1)[ch_i]
    pm_i = (r_orders.random(n_orders)[:, None] > cdf).sum(axis=1)
    pm_i = np.minimum(pm_i, 4)
    pm_i[o_bus & (r_orders.random(n_orders) < 0.7)] = 1
    method = pm_vals[pm_i]
    ctx.buyers, ctx.cancelled, ctx.channel, ctx.completed = buyers, cancelled, channel, completed
    ctx.interval, ctx.method, ctx.n_orders, ctx.nb = interval, method, n_orders, nb
    ctx.o_bus = o_bus
    ctx.o_cust_pos, ctx.o_day, ctx.o_ids, ctx.o_t = o_cust_pos, o_day, o_ids, o_t


def _order_lines(ctx: _Ctx) -> None:
    """Order lines (1–4 neighbouring products, quantities, prices, costs), then every
    order's totals: cost, discount, amount, and what was paid at checkout."""
    buyers, cancelled, completed, interval = ctx.buyers, ctx.cancelled, ctx.completed, ctx.interval
    n, n_orders, o_bus, o_cust_pos = ctx.n, ctx.n_orders, ctx.o_bus, ctx.o_cust_pos
    o_day = ctx.o_day
    owner_arr, r_lines, r_orders, tet_mask = ctx.owner_arr, ctx.r_lines, ctx.r_orders, ctx.tet_mask
    weights = ctx.weights
    P = len(_PRODUCTS)
    prices = np.array([p[2] for p in _PRODUCTS], dtype=np.int64)
    cost_rate = r_lines.uniform(0.55, 0.75, P)
    costs = _round_k(prices * cost_rate)
    cost_unknown = np.zeros(P, dtype=bool)
    cost_unknown[r_lines.choice(P, size=max(1, round(P * 0.1)), replace=False)] = True
    k_lines = np.where(o_bus, 1 + r_lines.choice(4, n_orders, p=[0.3, 0.3, 0.25, 0.15]),
                       1 + r_lines.choice(4, n_orders, p=[0.62, 0.24, 0.10, 0.04]))
    n_lines = int(k_lines.sum())
    l_order = np.repeat(np.arange(n_orders), k_lines)
    l_rank = _rank_in_group(l_order)
    popularity = np.array([p[3] for p in _PRODUCTS]) * (prices / 200_000.0) ** _PRICE_ELASTICITY
    p0 = r_lines.choice(P, size=n_orders, p=_p(popularity))
    # Frequent buyers mostly come back for everyday goods (the "Thực phẩm" shelf).
    grocery_idx = np.array([i for i, p in enumerate(_PRODUCTS) if p[0] == "Thực phẩm"
                            and p[1] not in _TET_PRODUCTS])
    grocery_share = np.zeros(n)
    grocery_share[buyers] = np.clip(0.85 - 0.5 * np.log10(interval / 5.0), 0.15, 0.85)
    grocery = r_lines.random(n_orders) < grocery_share[o_cust_pos]
    p0[grocery] = grocery_idx[r_lines.choice(len(grocery_idx), int(grocery.sum()),
                                             p=_p(popularity[grocery_idx]))]
    tet_idx = np.array([i for i, p in enumerate(_PRODUCTS) if p[1] in _TET_PRODUCTS])
    in_tet = tet_mask[o_day] & (r_lines.random(n_orders) < 0.35)
    p0[in_tet] = tet_idx[r_lines.integers(0, len(tet_idx), int(in_tet.sum()))]
    step = r_lines.integers(1, 4, n_lines)  # neighbours on the shelf: same category mostly
    step[l_rank == 0] = 0
    cs = np.cumsum(step)
    starts = _group_starts(l_order)
    offset = cs - np.repeat(cs[starts], k_lines)
    l_prod = (p0[l_order] + offset) % P  # distinct products within an order
    l_bus = o_bus[l_order]
    qty = np.where(l_bus, 1 + r_lines.poisson(2.0, n_lines),
                   1 + r_lines.choice(5, n_lines, p=[0.76, 0.16, 0.05, 0.02, 0.01]))
    l_price = prices[l_prod]
    qty = np.where(l_price >= 1_000_000, np.minimum(qty, 1 + r_lines.integers(0, 2, n_lines)), qty)
    l_amount = qty * l_price
    l_cost_null = cost_unknown[l_prod]
    l_unit_cost = costs[l_prod]
    subtotal = np.round(np.bincount(l_order, weights=l_amount, minlength=n_orders)).astype(np.int64)
    o_cost = np.round(np.bincount(l_order, weights=np.where(l_cost_null, 0, qty * l_unit_cost),
                                  minlength=n_orders)).astype(np.int64)
    o_cost_null = np.bincount(l_order, weights=l_cost_null, minlength=n_orders) > 0

    sale_day = weights[o_day] >= 1.3
    has_disc = r_orders.random(n_orders) < np.where(sale_day, 0.35, 0.12)
    pct = np.array([5, 10, 15])[r_orders.choice(3, n_orders, p=[0.4, 0.4, 0.2])]
    discount = np.where(has_disc, _round_k(subtotal * pct / 100.0), 0).astype(np.int64)
    amount = subtotal - discount

    debt_p = np.where(o_bus, 0.22, 0.05)
    owes = completed & (r_orders.random(n_orders) < debt_p)
    partial = owes & (r_orders.random(n_orders) < 0.6)
    paid = np.where(cancelled, 0, amount)
    part_paid = (np.floor(amount * r_orders.uniform(0.3, 0.8, n_orders) / 1000) * 1000
                 ).astype(np.int64)
    paid = np.where(partial, part_paid, np.where(owes, 0, paid)).astype(np.int64)
    o_owner = owner_arr[o_cust_pos]
    ctx.P, ctx.amount, ctx.cost_unknown, ctx.costs = P, amount, cost_unknown, costs
    ctx.discount = discount
    ctx.k_lines, ctx.l_amount, ctx.l_cost_null = k_lines, l_amount, l_cost_null
    ctx.l_order = l_order
    ctx.l_price, ctx.l_prod, ctx.l_unit_cost, ctx.n_lines = l_price, l_prod, l_unit_cost, n_lines
    ctx.o_cost, ctx.o_cost_null, ctx.o_owner, ctx.owes = o_cost, o_cost_null, o_owner, owes
    ctx.paid, ctx.prices, ctx.qty, ctx.subtotal = paid, prices, qty, subtotal


def _payments(ctx: _Ctx) -> None:
    """Later payments against receivables (never more than owed)."""
    D, amount, o_day, owes, paid = ctx.D, ctx.amount, ctx.o_day, ctx.owes, ctx.paid
    r_pay = ctx.r_pay
    debt_orders = np.flatnonzero(owes)
    remaining = (amount - paid)[debt_orders]
    pay_rows = []  # (order position, day, amount)
    day1 = o_day[debt_orders] + 1 + r_pay.geometric(1 / 12, len(debt_orders))
    settle = r_pay.random(len(debt_orders)) < 0.85
    full1 = r_pay.random(len(debt_orders)) < 0.65
    amt1 = np.where(full1, remaining,
                    np.floor(remaining * r_pay.uniform(0.3, 0.7, len(debt_orders)) / 1000) * 1000)
    amt1 = np.where(amt1 <= 0, remaining, amt1).astype(np.int64)
    ok1 = settle & (day1 <= D)
    pay_rows.append((debt_orders[ok1], day1[ok1], amt1[ok1]))
    rem2 = remaining - np.where(ok1, amt1, 0)
    day2 = day1 + 1 + r_pay.geometric(1 / 15, len(debt_orders))
    ok2 = ok1 & (rem2 > 0) & (r_pay.random(len(debt_orders)) < 0.6) & (day2 <= D)
    full2 = r_pay.random(len(debt_orders)) < 0.7
    amt2 = np.where(full2, rem2,
                    np.floor(rem2 * r_pay.uniform(0.3, 0.7, len(debt_orders)) / 1000) * 1000)
    amt2 = np.where(amt2 <= 0, rem2, amt2).astype(np.int64)
    pay_rows.append((debt_orders[ok2], day2[ok2], amt2[ok2]))
    pay_order = np.concatenate([r[0] for r in pay_rows])
    pay_day = np.concatenate([r[1] for r in pay_rows]).astype(np.int64)
    pay_amt = np.concatenate([r[2] for r in pay_rows]).astype(np.int64)
    ps = np.lexsort((pay_order, pay_day))
    pay_order, pay_day, pay_amt = pay_order[ps], pay_day[ps], pay_amt[ps]
    n_pay = len(pay_order)
    pay_t = pay_day * _DAY + _shop_seconds(r_pay, n_pay)
    pay_method = _obj(("transfer", "cash"), r_pay.random(n_pay) >= 0.75)
    ctx.n_pay, ctx.pay_amt, ctx.pay_day, ctx.pay_method = n_pay, pay_amt, pay_day, pay_method
    ctx.pay_order, ctx.pay_t = pay_order, pay_t


def _purchases(ctx: _Ctx) -> None:
    """Completed orders grouped by customer in time order, which the journey, the loyalty
    points and the tags read."""
    amount, completed, n, o_cust_pos = ctx.amount, ctx.completed, ctx.n, ctx.o_cust_pos
    o_day = ctx.o_day
    o_t = ctx.o_t
    comp = np.flatnonzero(completed)
    cs_order = comp[np.argsort(o_cust_pos[comp], kind="stable")]  # by customer, then time
    cc = o_cust_pos[cs_order]
    c_day_o = o_day[cs_order]
    c_t_o = o_t[cs_order]
    rank = _rank_in_group(cc) + 1  # 1-based count of completed orders so far
    n_comp = np.bincount(cc, minlength=n)
    spend = np.bincount(cc, weights=amount[cs_order], minlength=n)
    last_idx = _group_ends(cc) - 1
    last_day = np.full(n, -1, dtype=np.int64)
    last_day[cc[last_idx]] = c_day_o[last_idx]
    ctx.c_day_o, ctx.c_t_o, ctx.cc, ctx.cs_order = c_day_o, c_t_o, cc, cs_order
    ctx.last_day = last_day
    ctx.n_comp, ctx.rank, ctx.spend = n_comp, rank, spend
