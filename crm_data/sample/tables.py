"""The generated columns, table by table: the plan the writer loads."""

from __future__ import annotations

import numpy as np

from crm_data.sample import cash_book, loyalty
from crm_data.sample.columns import (
    _BOOL,
    _DATE,
    _DT,
    _INT,
    _STR,
    _LazyCodes,
    _Lookup,
    _Plan,
    _TableData,
)
from crm_data.sample.common import _Ctx, _obj
from crm_data.sample.orders import _PRODUCTS, _SKU_PREFIX
from crm_data.storage.models import (
    Appointment,
    CashEntry,
    Customer,
    Feedback,
    Interaction,
    LoyaltyEntry,
    Order,
    OrderLine,
    Payment,
    Product,
    StageChange,
)


def _tables(ctx: _Ctx) -> _Plan:
    """The generated columns, table by table."""
    t_prod = _TableData(Product.__table__, ctx.P)
    cat_count: dict[str, int] = {}
    skus = []
    for cat, _name, _price, _pop in _PRODUCTS:
        cat_count[cat] = cat_count.get(cat, 0) + 1
        skus.append(f"{_SKU_PREFIX[cat]}{cat_count[cat]:03d}")
    t_prod.add("id", _INT, np.arange(1, ctx.P + 1))
    t_prod.add("sku", _STR, skus)
    t_prod.add("name", _STR, [p[1] for p in _PRODUCTS])
    t_prod.add("category", _STR, [p[0] for p in _PRODUCTS])
    t_prod.add("unit_price", _INT, ctx.prices)
    t_prod.add("unit_cost", _INT, ctx.costs, ctx.cost_unknown)
    t_prod.add("active", _BOOL, True)

    tc = _TableData(Customer.__table__, ctx.n)
    tc.add("id", _INT, ctx.ids)
    tc.add("code", _STR, ctx.codes)
    tc.add("full_name", _STR, ctx.full_names)
    tc.add("search_text", _STR, ctx.search)
    tc.add("phone", _STR, ctx.phones)
    tc.add("email", _STR, ctx.emails)
    tc.add("gender", _STR, ctx.gender)
    tc.add("birth_date", _DATE, ctx.birth_day, ~ctx.has_birth)
    tc.add("address", _STR, ctx.addresses, ctx.address_null)
    tc.add("province_code", _INT, ctx.prov_code)
    tc.add("region", _STR, ctx.region)
    tc.add("occupation", _STR, ctx.occ, ctx.occ_null)
    tc.add("income_band", _STR, ctx.income, ctx.income_null)
    tc.add("education", _STR, ctx.edu, ctx.edu_null)
    tc.add("marital_status", _STR, ctx.marital, ctx.marital_null)
    tc.add("kind", _STR, ctx.kind)
    tc.add("company", _STR, ctx.companies)
    tc.add("industry", _STR, ctx.industry, ctx.industry_null)
    tc.add("preferred_channel", _STR, ctx.pref, ctx.pref_null)
    tc.add("devices", _STR, ctx.devices, ctx.devices_null)
    tc.add("source", _STR, ctx.source)
    tc.add("owner_id", _INT, np.maximum(ctx.owner_arr, 0), ctx.owner_null)
    tc.add("lifecycle_stage", _STR, ctx.lifecycle_stage)
    tc.add("pipeline_stage", _STR, ctx.pipeline_stage)
    tc.add("lost_reason", _STR, ctx.reason_by_stage, ~ctx.lost)
    tc.add("lead_score", _INT, ctx.score, ctx.score_null)
    tc.add("lead_grade", _STR, ctx.grade, ctx.score_null)
    tc.add("tags", _STR, ctx.tags)
    tc.add("consent", _BOOL, ctx.consent)
    tc.add("consent_at", _DT, ctx.created, ~ctx.consent)
    tc.add("notes", _STR, ctx.notes)
    tc.add("created_at", _DT, ctx.created)
    tc.add("updated_at", _DT, ctx.updated)
    tc.add("version", _INT, 1)
    tc.add("deleted_at", _DT, None)

    to = _TableData(Order.__table__, ctx.n_orders)
    to.add("id", _INT, ctx.o_ids)
    to.add("code", _STR, _LazyCodes("DH", 7, ctx.n_orders))
    to.add("customer_id", _INT, ctx.o_cust_pos + 1)
    to.add("order_date", _DATE, ctx.o_day)
    to.add("ordered_at", _DT, ctx.o_t)
    to.add("status", _STR, _obj(("completed", "cancelled"), ctx.cancelled))
    to.add("channel", _STR, ctx.channel)
    to.add("payment_method", _STR, ctx.method)
    to.add("subtotal", _INT, ctx.subtotal)
    to.add("discount", _INT, ctx.discount)
    to.add("amount", _INT, ctx.amount)
    to.add("cost", _INT, ctx.o_cost, ctx.o_cost_null)
    to.add("paid_amount", _INT, ctx.paid)
    to.add("items_count", _INT, ctx.k_lines)
    to.add("created_by", _INT, np.maximum(ctx.o_owner, 0), ctx.o_owner < 0)
    to.add("created_at", _DT, ctx.o_t)

    names_arr = np.array([p[1] for p in _PRODUCTS], dtype=object)
    tl = _TableData(OrderLine.__table__, ctx.n_lines)
    tl.add("id", _INT, np.arange(1, ctx.n_lines + 1))
    tl.add("order_id", _INT, ctx.l_order + 1)
    tl.add("product_id", _INT, ctx.l_prod + 1)
    tl.add("description", _STR, _Lookup(names_arr, ctx.l_prod))
    tl.add("quantity", _INT, ctx.qty)
    tl.add("unit_price", _INT, ctx.l_price)
    tl.add("unit_cost", _INT, ctx.l_unit_cost, ctx.l_cost_null)
    tl.add("amount", _INT, ctx.l_amount)

    tp = _TableData(Payment.__table__, ctx.n_pay)
    tp.add("id", _INT, np.arange(1, ctx.n_pay + 1))
    tp.add("customer_id", _INT, ctx.o_cust_pos[ctx.pay_order] + 1)
    tp.add("order_id", _INT, ctx.pay_order + 1)
    tp.add("paid_on", _DATE, ctx.pay_day)
    tp.add("amount", _INT, ctx.pay_amt)
    tp.add("method", _STR, ctx.pay_method)
    tp.add("note", _STR, [f"Thanh toán công nợ đơn DH{o + 1:07d}" for o in ctx.pay_order.tolist()])
    pay_by = ctx.o_owner[ctx.pay_order]
    tp.add("created_by", _INT, np.maximum(pay_by, 0), pay_by < 0)
    tp.add("created_at", _DT, ctx.pay_t)

    ti = _TableData(Interaction.__table__, ctx.n_it)
    ti.add("id", _INT, np.arange(1, ctx.n_it + 1))
    ti.add("customer_id", _INT, ctx.it_c + 1)
    ti.add("user_id", _INT, np.maximum(ctx.it_user, 0), ctx.it_user < 0)
    ti.add("kind", _STR, ctx.kinds[ctx.it_k])
    ti.add("outcome", _STR, ctx.outcomes[ctx.it_o])
    ti.add("occurred_at", _DT, ctx.it_t)
    ti.add("note", _STR, ctx.it_note)
    ti.add("next_step_date", _DATE, ctx.it_next, ctx.it_next_null)

    tf = _TableData(Feedback.__table__, len(ctx.fb_rows))
    if ctx.fb_rows:
        fcols = list(zip(*ctx.fb_rows, strict=True))
    else:
        fcols = [[] for _ in range(9)]
    f_c = np.array(fcols[0], dtype=np.int64)
    tf.add("id", _INT, np.arange(1, len(ctx.fb_rows) + 1))
    tf.add("customer_id", _INT, f_c + 1)
    tf.add("kind", _STR, list(fcols[1]))
    tf.add("status", _STR, list(fcols[2]))
    tf.add("subject", _STR, list(fcols[3]))
    tf.add("body", _STR, list(fcols[4]))
    rating = np.array([-1 if x is None else x for x in fcols[5]], dtype=np.int64)
    tf.add("rating", _INT, np.maximum(rating, 0), rating < 0)
    tf.add("opened_at", _DT, np.array(fcols[6], dtype=np.int64))
    resolved = np.array([-1 if x is None else x for x in fcols[7]], dtype=np.int64)
    tf.add("resolved_at", _DT, np.maximum(resolved, 0), resolved < 0)
    tf.add("resolution", _STR, list(fcols[8]))
    f_owner = ctx.owner_arr[f_c] if len(f_c) else np.zeros(0, np.int64)
    tf.add("assigned_to", _INT, np.maximum(f_owner, 0), f_owner < 0)

    ta = _TableData(Appointment.__table__, len(ctx.ap_rows))
    acols = list(zip(*ctx.ap_rows, strict=True)) if ctx.ap_rows else [[] for _ in range(6)]
    a_c = np.array(acols[0], dtype=np.int64)
    a_owner = ctx.owner_arr[a_c] if len(a_c) else np.zeros(0, np.int64)
    ta.add("id", _INT, np.arange(1, len(ctx.ap_rows) + 1))
    ta.add("customer_id", _INT, a_c + 1)
    ta.add("user_id", _INT, np.maximum(a_owner, 0), a_owner < 0)
    ta.add("kind", _STR, list(acols[1]))
    ta.add("title", _STR, list(acols[2]))
    ta.add("due_at", _DT, np.array(acols[3], dtype=np.int64))
    ta.add("status", _STR, list(acols[4]))
    done = np.array([-1 if x is None else x for x in acols[5]], dtype=np.int64)
    ta.add("done_at", _DT, np.maximum(done, 0), done < 0)
    ta.add("note", _STR, None)

    tly = _TableData(LoyaltyEntry.__table__, len(ctx.ly_c))
    tly.add("id", _INT, np.arange(1, len(ctx.ly_c) + 1))
    tly.add("customer_id", _INT, ctx.ly_c + 1)
    tly.add("entry_date", _DATE, ctx.ly_day)
    tly.add("kind", _STR, ctx.ly_kind)
    tly.add("points", _INT, ctx.ly_pts)
    tly.add("order_id", _INT, None)
    tly.add("note", _STR, ctx.ly_note)

    tcash = _TableData(CashEntry.__table__, len(ctx.cash))
    kcols = list(zip(*ctx.cash, strict=True)) if ctx.cash else [[] for _ in range(8)]
    k_c = np.array(kcols[4], dtype=np.int64)
    k_o = np.array(kcols[5], dtype=np.int64)
    k_by = np.array(kcols[7], dtype=np.int64)
    tcash.add("id", _INT, np.arange(1, len(ctx.cash) + 1))
    tcash.add("entry_date", _DATE, np.array(kcols[0], dtype=np.int64))
    tcash.add("kind", _STR, list(kcols[1]))
    tcash.add("category", _STR, list(kcols[2]))
    tcash.add("amount", _INT, np.array(kcols[3], dtype=np.int64))
    tcash.add("customer_id", _INT, k_c + 1, k_c < 0)
    tcash.add("order_id", _INT, k_o + 1, k_o < 0)
    tcash.add("note", _STR, list(kcols[6]))
    tcash.add("created_by", _INT, np.maximum(k_by, 0), k_by < 0)

    tsc = _TableData(StageChange.__table__, ctx.n_sc)
    tsc.add("id", _INT, np.arange(1, ctx.n_sc + 1))
    tsc.add("customer_id", _INT, ctx.sc_c + 1)
    tsc.add("kind", _STR, _obj(("pipeline", "lifecycle"), ctx.sc_kind))
    tsc.add("from_stage", _STR, ctx.sc_from)
    tsc.add("to_stage", _STR, ctx.sc_to)
    tsc.add("changed_at", _DT, ctx.sc_t)
    tsc.add("changed_by", _INT, np.maximum(ctx.sc_by, 0), ctx.sc_by < 0)
    tsc.add("lost_reason", _STR, ctx.sc_reason)

    tables = cash_book.finish(ctx, [
        t_prod, tc, to, tl, tp, ti, tf, ta, tly,
        *loyalty.tables(ctx, _TableData, (_INT, _STR, _DATE, _DT, _BOOL)), tcash, tsc])
    counts = {t.table.name: t.n for t in tables}
    return _Plan(tables, counts, ctx.start)
