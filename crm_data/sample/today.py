"""The Today list's data: follow-ups due today, appointments later today, late complaints."""

# Relative to the sample's reference day D: follow-ups due today (the customer's latest call
# of the last week asked to call back today), appointments later today, and a few complaints
# open a few days too long. Birthdays this week, re-orders and win-backs come out of the
# customers and orders already. Called by seed._build after the interactions, feedback and
# appointments stages; its own random stream, so the other stages' data do not move.

from __future__ import annotations

import numpy as np

from crm_data.sample.activity import _APPOINTMENT_TITLES, _COMPLAINTS, _INTERACTION_NOTES
from crm_data.sample.common import _DAY

FOLLOW_UP_SHARE = 0.1  # of the customers whose latest interaction is from the last 7 days
APPOINTMENTS_PER = 250  # one appointment today per this many customers
COMPLAINTS_PER = 400  # one complaint open 4-12 days per this many buyers


def add(ctx, seed: int) -> None:
    rng = np.random.default_rng([seed, 13])
    day, D = _DAY, ctx.D
    _follow_ups(ctx, rng, day, D, _INTERACTION_NOTES["follow_up"])
    buyers = np.flatnonzero(ctx.n_comp > 0)
    if not len(buyers):
        return
    titles = _APPOINTMENT_TITLES["appointment"] + _APPOINTMENT_TITLES["call_back"]
    who = rng.choice(buyers, size=min(len(buyers), max(2, ctx.n // APPOINTMENTS_PER)), replace=False)
    hours = rng.integers(8, 20, len(who))
    for c, h, k in zip(who.tolist(), hours.tolist(), rng.integers(0, len(titles), len(who)).tolist(),
                       strict=True):
        kind = "appointment" if k < len(_APPOINTMENT_TITLES["appointment"]) else "call_back"
        ctx.ap_rows.append((c, kind, titles[k], D * day + h * 3600, "open", None))
    ctx.ap_rows.sort(key=lambda r: (r[3], r[0]))
    late = rng.choice(buyers, size=min(len(buyers), max(1, len(buyers) // COMPLAINTS_PER)), replace=False)
    back = rng.integers(4, 13, len(late))
    for c, b, k in zip(late.tolist(), back.tolist(), rng.integers(0, len(_COMPLAINTS), len(late)).tolist(),
                       strict=True):
        opened = max((D - b) * day + 9 * 3600 + int(rng.integers(0, 8 * 3600)), int(ctx.first_buy[c]) + 60)
        if opened < D * day:
            status = "open" if rng.random() < 0.5 else "in_progress"
            ctx.fb_rows.append((c, "complaint", status, _COMPLAINTS[k][0], None, None, opened, None, None))
    ctx.fb_rows.sort(key=lambda r: (r[6], r[0], r[1]))


def _follow_ups(ctx, rng, day: int, D: int, notes: list[str]) -> None:
    """The latest interaction of some customers (within the last week) asks for a call today."""
    if not ctx.n_it:
        return
    latest = np.full(ctx.n, -1, dtype=np.int64)
    latest[ctx.it_c] = np.arange(ctx.n_it)  # sorted by time: the last write is the latest
    pick = latest[latest >= 0]
    pick = pick[(ctx.it_t[pick] >= (D - 7) * day) & (ctx.it_t[pick] < D * day)]
    pick = pick[rng.random(len(pick)) < FOLLOW_UP_SHARE]
    ctx.it_o[pick] = int(np.flatnonzero(ctx.outcomes == "follow_up")[0])
    ctx.it_next[pick] = D
    ctx.it_next_null[pick] = False
    ctx.it_note[pick] = np.array(notes, dtype=object)[rng.integers(0, len(notes), len(pick))]
