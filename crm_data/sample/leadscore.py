"""Lead-scoring answers, churn reasons and the tag registry, added to the generator's plan."""

# - questionnaire answers for every scored lead, chosen around the score the funnel gave it
#   (further-going leads answer better), so that score = Σ answer points and the grade comes
#   from the thresholds in force — the grades predict wins the way a real questionnaire would,
#   imperfectly;
# - churn reasons recorded for about a third of the churned buyers and a few at risk,
#   some weeks after they stopped, by their owner;
# - tags in the spelling shown to users ("Đại lý", "Tết 2026"), their folded keys, and the
#   tag registry.

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine, insert

from crm_data.domain.labels import CHURN_DAYS_DEFAULT
from crm_data.leadscore import questionnaire, scoring
from crm_data.records import tags as tag_rules
from crm_data.sample.columns import _DT, _INT, _STR, _TableData
from crm_data.storage.models import ChurnReason, LeadAnswer, Tag

_DAY = 86_400
_LABELS = {"vip": "VIP", "dai_ly": "Đại lý", "khach_si": "Khách sỉ", "can_cham_soc": "Cần chăm sóc"}
REASONS = ("price", "service", "competitor", "moved", "no_need", "unknown", "other")
_REASON_P = (0.26, 0.16, 0.2, 0.09, 0.17, 0.08, 0.04)
_OTHER_NOTES = ("Công ty giải thể", "Đổi nhà cung cấp theo chỉ định của tập đoàn",
                "Khách chuyển sang mua online nơi khác")
RECORDED_CHURNED, RECORDED_AT_RISK = 0.35, 0.08


def _label(tag: str) -> str:
    if tag.startswith("tet") and tag[3:].isdigit():
        return f"Tết {tag[3:]}"
    return _LABELS.get(tag, tag)


def extend(ctx, plan, engine: Engine, seed: int) -> list[dict]:
    """Replace the plan's lead scores / grades / tags and add its answers and churn reasons;
    returns the tag registry rows (written by write_tags: that table has no id column)."""
    rng = np.random.default_rng([seed, 15])
    cust = next(t for t in plan.tables if t.table.name == "customers")

    # answers → score → grade
    questions = questionnaire.load(engine)
    hot, warm = scoring.thresholds(engine)
    scored = np.flatnonzero(~ctx.score_null)
    target = ctx.score[scored] / 100.0
    score = np.zeros(ctx.n, dtype=np.int64)
    a_cust, a_q, a_a, a_pts = [], [], [], []
    for q in questions:
        keys = np.array([o.key for o in q.options], dtype=object)
        pts = np.array([o.points for o in q.options], dtype=np.int64)
        top = max(int(pts.max()), 1)
        want = target * top + rng.normal(0, 0.22 * top, len(scored))
        pick = np.abs(pts[None, :] - want[:, None]).argmin(axis=1)
        score[scored] += pts[pick]
        a_cust.append(scored)
        a_q.append(np.full(len(scored), q.key, dtype=object))
        a_a.append(keys[pick])
        a_pts.append(pts[pick])
    grade = np.where(score >= hot, "hot", np.where(score >= warm, "warm", "cold")).astype(object)
    cust.add("lead_score", _INT, score, ctx.score_null)
    cust.add("lead_grade", _STR, grade, ctx.score_null)
    if a_cust:
        c = np.concatenate(a_cust)
        ta = _TableData(LeadAnswer.__table__, len(c))
        ta.add("id", _INT, np.arange(1, len(c) + 1))
        ta.add("customer_id", _INT, c + 1)
        ta.add("question_key", _STR, np.concatenate(a_q))
        ta.add("answer_key", _STR, np.concatenate(a_a))
        ta.add("points", _INT, np.concatenate(a_pts))
        hours = rng.integers(1, 72, len(c)) * 3600
        ta.add("answered_at", _DT, np.minimum(ctx.created[c] + hours, ctx.ref_end))
        plan.tables.append(ta)
        plan.counts[ta.table.name] = ta.n

    # churn reasons of buyers who stopped
    days_since = np.where(ctx.last_day >= 0, ctx.D - ctx.last_day, -1)
    churned = days_since >= CHURN_DAYS_DEFAULT
    at_risk = (days_since >= CHURN_DAYS_DEFAULT // 2) & ~churned
    u = rng.random(ctx.n)
    who = np.flatnonzero((churned & (u < RECORDED_CHURNED)) | (at_risk & (u < RECORDED_AT_RISK)))
    reason = np.array(REASONS, dtype=object)[rng.choice(len(REASONS), len(who), p=_REASON_P)]
    after = np.where(churned[who], CHURN_DAYS_DEFAULT, CHURN_DAYS_DEFAULT // 2) + rng.integers(0, 45, len(who))
    day = np.minimum(ctx.last_day[who] + after, ctx.D)
    at = day * _DAY + (9 + rng.integers(0, 8, len(who))) * 3600 + rng.integers(0, 3600, len(who))
    note = np.array([_OTHER_NOTES[i % len(_OTHER_NOTES)] if r == "other" else None
                     for i, r in enumerate(reason.tolist())], dtype=object)
    tr = _TableData(ChurnReason.__table__, len(who))
    tr.add("id", _INT, np.arange(1, len(who) + 1))
    tr.add("customer_id", _INT, who + 1)
    tr.add("reason", _STR, reason)
    tr.add("note", _STR, note)
    tr.add("recorded_at", _DT, np.minimum(at, ctx.ref_end))
    tr.add("recorded_by", _INT, np.maximum(ctx.owner_arr[who], 0), ctx.owner_null[who])
    plan.tables.append(tr)
    plan.counts[tr.table.name] = tr.n

    # tags as users see them, and their folded keys
    memo: dict[str, tuple[str, str]] = {}
    shown, keys = [], []
    for col in ctx.tags:
        if col not in memo:
            labels = tag_rules.column([_label(t) for t in tag_rules.split(col)])
            memo[col] = (labels, tag_rules.keys_column(labels))
        shown.append(memo[col][0])
        keys.append(memo[col][1])
    cust.add("tags", _STR, shown)
    cust.add("tag_keys", _STR, keys)
    registry = {tag_rules.key(t): t for labels, _ in memo.values() for t in tag_rules.split(labels)}
    return [{"key": k, "label": v} for k, v in sorted(registry.items())]


def write_tags(conn, rows: list[dict], start) -> None:
    if rows:
        import datetime as dt

        stamp = dt.datetime.combine(start, dt.time(8))
        conn.execute(insert(Tag.__table__), [{**r, "created_at": stamp} for r in rows])
