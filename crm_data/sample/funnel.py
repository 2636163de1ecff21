"""Leads and the journey: funnel steps and lost reasons, lifecycle stages, stage_changes rows."""

from __future__ import annotations

import numpy as np

from crm_data.domain.labels import CHURN_DAYS_DEFAULT, LOYAL_MIN_ORDERS
from crm_data.sample.common import _DAY, _Ctx, _group_ends, _obj, _pick, _values

# Pipeline: per-step conversion (contacted, qualified, quoted, won) for individuals / businesses.
_PIPE = ("new", "contacted", "qualified", "quoted", "won", "lost")
_STEP_P = {"individual": (0.75, 0.62, 0.65, 0.60), "business": (0.85, 0.72, 0.75, 0.70)}
_STEP_GAP_MEAN = (1.0, 3.0, 3.0, 4.0)  # extra days between steps (each step ≥ 1 day later)
_WALK_IN = 0.06
# Lost reason by the last stage reached before dropping out.
_LOST_REASONS = {
    0: [("no_response", 0.70), ("no_need", 0.15), ("bad_timing", 0.10), ("moved", 0.05)],
    1: [("no_need", 0.35), ("bad_timing", 0.25), ("no_response", 0.20), ("price", 0.15),
        ("moved", 0.05)],
    2: [("price", 0.35), ("competitor", 0.25), ("bad_timing", 0.20), ("no_need", 0.15),
        ("no_response", 0.05)],
    3: [("price", 0.40), ("competitor", 0.30), ("service", 0.10), ("bad_timing", 0.10),
        ("no_response", 0.10)],
}
_LIFE = ("awareness", "consideration", "first_purchase", "repeat", "loyal", "advocate", "lapsed")
_L = {s: i for i, s in enumerate(_LIFE)}


def _funnel(ctx: _Ctx) -> None:
    """The lead funnel: how far every lead got and when (each step a few days after the
    last), where it dropped out and why, and its lead score."""
    business, c_day, created, n = ctx.business, ctx.c_day, ctx.created, ctx.n
    r_funnel = ctx.r_funnel
    ref_end, source = ctx.ref_end, ctx.source
    walk_in = r_funnel.random(n) < _WALK_IN
    source[walk_in] = "walk_in"
    step_p = np.where(business[:, None], np.array(_STEP_P["business"]),
                      np.array(_STEP_P["individual"]))
    success = r_funnel.random((n, 4)) < step_p
    reached = np.cumprod(success, axis=1).sum(axis=1)  # 0 … 4 stages after "new"
    gaps = 1 + r_funnel.poisson(np.array(_STEP_GAP_MEAN), size=(n, 4))
    step_day = c_day[:, None] + np.cumsum(gaps, axis=1)
    step_tod = (8 + r_funnel.integers(0, 12, (n, 4))) * 3600 + r_funnel.integers(0, 3600, (n, 4))
    step_t = step_day * _DAY + step_tod  # times of contacted, qualified, quoted, won (or the drop)
    # walk-ins: new → won a few minutes after they were created
    step_t[walk_in, 3] = created[walk_in] + r_funnel.integers(60, 300, int(walk_in.sum()))
    reached[walk_in] = 4
    in_time = step_t <= ref_end
    eff = np.where(walk_in, np.where(in_time[:, 3], 4, 0),
                   np.minimum(reached, in_time.cumprod(axis=1).sum(axis=1)))
    drop_t = step_t[np.arange(n), np.minimum(reached, 3)]
    lost = (~walk_in) & (reached < 4) & (drop_t <= ref_end)
    reason_by_stage = np.empty(n, dtype=object)
    for stage, pairs in _LOST_REASONS.items():
        sel = np.flatnonzero(lost & (reached == stage))
        reason_by_stage[sel] = _values(pairs)[_pick(r_funnel, pairs, len(sel))]
    pipeline_stage = np.array(_PIPE, dtype=object)[eff]
    pipeline_stage[lost] = "lost"
    won = eff == 4
    won_t = step_t[:, 3]

    # lead score: higher the further the lead went
    base_score = np.array([18, 35, 52, 64, 76], dtype=float)[np.where(lost, reached, eff)]
    score = np.clip(np.round(base_score + r_funnel.normal(0, 12, n) - np.where(lost, 8, 0)),
                    0, 100).astype(np.int64)
    grade = _obj(("D", "C", "B", "A"), (score >= 25).astype(int) + (score >= 50) + (score >= 75))
    score_null = walk_in.copy()
    ctx.drop_t, ctx.eff, ctx.grade, ctx.lost = drop_t, eff, grade, lost
    ctx.pipeline_stage = pipeline_stage
    ctx.reached, ctx.reason_by_stage, ctx.score = reached, reason_by_stage, score
    ctx.score_null = score_null
    ctx.step_t, ctx.walk_in, ctx.won, ctx.won_t = step_t, walk_in, won, won_t


def _journey(ctx: _Ctx) -> None:
    """The journey: awareness at creation, consideration when contacted, then the stages the
    completed orders imply (rules.lifecycle_from_stats), lapsed on the CHURN_DAYS_DEFAULT-th day
    without one and back on the next, advocate for some loyal customers."""
    D, c_day_o, c_t_o, cc, created = ctx.D, ctx.c_day_o, ctx.c_t_o, ctx.cc, ctx.created
    eff = ctx.eff
    last_day, n, n_comp, r_misc, rank = ctx.last_day, ctx.n, ctx.n_comp, ctx.r_misc, ctx.rank
    ref_end, step_t, walk_in = ctx.ref_end, ctx.step_t, ctx.walk_in
    contacted_t = step_t[:, 0]
    considered = (~walk_in) & (eff >= 1)
    pre_stage = np.where(considered, _L["consideration"], _L["awareness"])

    def stage_of(k):
        return np.where(k >= LOYAL_MIN_ORDERS, _L["loyal"],
                        np.where(k >= 2, _L["repeat"], _L["first_purchase"]))

    prev_day = np.r_[-1, c_day_o[:-1]] if len(cc) else c_day_o
    gap = c_day_o - prev_day
    # rules.is_churned: lapsed on the churn day, last order + N (07:00, before shop hours)
    lapse_before = (rank > 1) & (gap >= CHURN_DAYS_DEFAULT)
    on_order = (rank == 1) | (rank == 2) | (rank == LOYAL_MIN_ORDERS) | lapse_before
    ev_from = np.where(lapse_before, _L["lapsed"],
                       np.where(rank == 1, pre_stage[cc], stage_of(rank - 1)))
    life_parts = [
        (np.arange(n), created, np.full(n, -1), np.full(n, _L["awareness"])),
        (np.flatnonzero(considered), contacted_t[considered],
         np.full(int(considered.sum()), _L["awareness"]),
         np.full(int(considered.sum()), _L["consideration"])),
        (cc[on_order], c_t_o[on_order], ev_from[on_order], stage_of(rank[on_order])),
        (cc[lapse_before], (prev_day[lapse_before] + CHURN_DAYS_DEFAULT) * _DAY + 7 * 3600,
         stage_of(rank[lapse_before] - 1), np.full(int(lapse_before.sum()), _L["lapsed"])),
    ]
    final_lapse = (n_comp > 0) & (D - last_day >= CHURN_DAYS_DEFAULT)
    fl = np.flatnonzero(final_lapse)
    life_parts.append((fl, (last_day[fl] + CHURN_DAYS_DEFAULT) * _DAY + 7 * 3600,
                       stage_of(n_comp[fl]), np.full(len(fl), _L["lapsed"])))
    lc = np.concatenate([p[0] for p in life_parts])
    lt = np.concatenate([p[1] for p in life_parts]).astype(np.int64)
    lf = np.concatenate([p[2] for p in life_parts])
    lto = np.concatenate([p[3] for p in life_parts])
    # advocates: some loyal customers recommend the shop after becoming loyal
    order_l = np.lexsort((lt, lc))
    lc, lt, lf, lto = lc[order_l], lt[order_l], lf[order_l], lto[order_l]
    last_ev = _group_ends(lc) - 1
    final_stage = np.full(n, _L["awareness"])
    final_stage[lc[last_ev]] = lto[last_ev]
    last_ev_t = np.zeros(n, dtype=np.int64)
    last_ev_t[lc[last_ev]] = lt[last_ev]
    adv_t = last_ev_t + (1 + r_misc.integers(0, 60, n)) * _DAY
    adv = (final_stage == _L["loyal"]) & (r_misc.random(n) < 0.15) & (adv_t <= ref_end)
    av = np.flatnonzero(adv)
    lc = np.concatenate([lc, av])
    lt = np.concatenate([lt, adv_t[av]])
    lf = np.concatenate([lf, np.full(len(av), _L["loyal"])])
    lto = np.concatenate([lto, np.full(len(av), _L["advocate"])])
    final_stage[av] = _L["advocate"]
    lifecycle_stage = np.array(_LIFE, dtype=object)[final_stage]
    ctx.lc, ctx.lf, ctx.lifecycle_stage, ctx.lt, ctx.lto = lc, lf, lifecycle_stage, lt, lto


def _pipeline_history(ctx: _Ctx) -> None:
    """stage_changes rows: the pipeline changes from the funnel beside the journey changes,
    in time order."""
    created, drop_t, eff, lc, lf, lost = ctx.created, ctx.drop_t, ctx.eff, ctx.lc, ctx.lf, ctx.lost
    lt, lto, n, owner_arr, reached = ctx.lt, ctx.lto, ctx.n, ctx.owner_arr, ctx.reached
    reason_by_stage = ctx.reason_by_stage
    step_t, walk_in = ctx.step_t, ctx.walk_in
    pipe_parts = [(np.arange(n), created, np.full(n, -1), np.zeros(n, int), np.full(n, -1))]
    for s in range(1, 5):
        sel = np.flatnonzero((eff >= s) & ~(walk_in & (s < 4)))
        frm = np.where(walk_in[sel], 0, s - 1)
        pipe_parts.append((sel, step_t[sel, s - 1], frm, np.full(len(sel), s),
                           np.full(len(sel), -1)))
    ls = np.flatnonzero(lost)
    pipe_parts.append((ls, drop_t[ls], reached[ls], np.full(len(ls), 5), ls))
    reason_vals = reason_by_stage  # by customer position
    sc_c = np.concatenate([p[0] for p in pipe_parts] + [lc])
    sc_t = np.concatenate([p[1] for p in pipe_parts] + [lt]).astype(np.int64)
    sc_kind = np.concatenate([np.zeros(sum(len(p[0]) for p in pipe_parts), np.int8),
                              np.ones(len(lc), np.int8)])
    pipe_names = np.array(_PIPE, dtype=object)
    life_names = np.array(_LIFE, dtype=object)
    sc_from = np.concatenate([
        np.where(np.concatenate([p[2] for p in pipe_parts]) < 0, None,
                 pipe_names[np.maximum(np.concatenate([p[2] for p in pipe_parts]), 0)]),
        np.where(lf < 0, None, life_names[np.maximum(lf, 0)]),
    ])
    sc_to = np.concatenate([pipe_names[np.concatenate([p[3] for p in pipe_parts])],
                            life_names[lto]])
    reason_pos = np.concatenate([np.concatenate([p[4] for p in pipe_parts]),
                                 np.full(len(lc), -1)])
    sc_reason = np.where(reason_pos < 0, None, reason_vals[np.maximum(reason_pos, 0)])
    sc_by = np.where(sc_kind == 0, owner_arr[sc_c], -1)
    sso = np.lexsort((sc_kind, sc_c, sc_t))
    sc_c, sc_t, sc_kind, sc_from, sc_to, sc_reason, sc_by = (
        a[sso] for a in (sc_c, sc_t, sc_kind, sc_from, sc_to, sc_reason, sc_by))
    n_sc = len(sc_c)
    last_pipe_t = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_pipe_t, sc_c[sc_kind == 0], sc_t[sc_kind == 0])
    ctx.last_pipe_t, ctx.n_sc, ctx.sc_by, ctx.sc_c = last_pipe_t, n_sc, sc_by, sc_c
    ctx.sc_from = sc_from
    ctx.sc_kind, ctx.sc_reason, ctx.sc_t, ctx.sc_to = sc_kind, sc_reason, sc_t, sc_to
