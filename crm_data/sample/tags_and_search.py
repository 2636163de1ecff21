"""Customers' tags, notes, search column and updated_at, from what the parts drew before."""

from __future__ import annotations

import numpy as np

from crm_data.domain.text import fold
from crm_data.sample.common import _Ctx
from crm_data.sample.people_words import _NOTES_BUSINESS, _NOTES_PERSON
from crm_data.sample.seasons import TET_PEAK_DAYS, _tet


def _tags_and_search(ctx: _Ctx) -> None:
    """Tags, notes, the search column and updated_at."""
    D, business, c_day_o, cc, codes = ctx.D, ctx.business, ctx.c_day_o, ctx.cc, ctx.codes
    companies, created, emails, family = ctx.companies, ctx.created, ctx.emails, ctx.family
    given, industry, last_pipe_t, middle = ctx.given, ctx.industry, ctx.last_pipe_t, ctx.middle
    n, n_comp, nb, phones, r_misc, ref = ctx.n, ctx.n_comp, ctx.nb, ctx.phones, ctx.r_misc, ctx.ref
    spend, start = ctx.spend, ctx.start
    tags = [""] * n
    tag_lists: list[list[str]] = [[] for _ in range(n)]
    if nb:
        vip_cut = np.quantile(spend[n_comp > 0], 0.98) if (n_comp > 0).any() else np.inf
        for c in np.flatnonzero((spend >= vip_cut) & (n_comp > 0)).tolist():
            tag_lists[c].append("vip")
    tet_years = [y for y in range(start.year, ref.year + 1)
                 if 0 <= (_tet(y) - start).days <= D]
    if tet_years and len(cc):
        y = tet_years[-1]
        t_hi = (_tet(y) - start).days
        t_lo = t_hi - TET_PEAK_DAYS
        bought = np.unique(cc[(c_day_o >= t_lo) & (c_day_o < t_hi)])
        for c in bought[r_misc.random(len(bought)) < 0.3].tolist():
            tag_lists[c].append(f"tet{y}")
    for c in np.flatnonzero(business & (industry == "retail") & (n_comp >= 5)).tolist():
        tag_lists[c].append("dai_ly")
    for c in np.flatnonzero(r_misc.random(n) < 0.02).tolist():
        tag_lists[c].append("khach_si" if business[c] else "can_cham_soc")
    for c, lst in enumerate(tag_lists):
        if lst:
            tags[c] = "," + ",".join(lst) + ","
    note_u = r_misc.random(n)
    note_i = r_misc.integers(0, 1000, n)
    notes = [None] * n
    for c in np.flatnonzero(note_u < 0.08).tolist():
        pool = _NOTES_BUSINESS if business[c] else _NOTES_PERSON
        notes[c] = pool[note_i[c] % len(pool)]

    # crm_data.domain.text.search_text(name, code, phone, email, company), with the folding of the
    # few distinct name parts and companies done once (the tests check it is the same text).
    folded: dict[str, str] = {}

    def fold_once(text: str) -> str:
        if text not in folded:
            folded[text] = fold(text)
        return folded[text]

    search = []
    for i, (f, m, g) in enumerate(zip(family.tolist(), middle.tolist(), given.tolist(),
                                      strict=True)):
        name = " ".join(fold_once(x) for x in (f, m, g) if x) if m != g \
            else f"{fold_once(f)} {fold_once(g)}"
        parts = [name, codes[i].lower(), "0" + phones[i][3:]]
        if emails[i]:
            parts.append(emails[i])
        if companies[i]:
            parts.append(fold_once(companies[i]))
        search.append(" | ".join(parts))
    updated = np.maximum(created, last_pipe_t)
    ctx.notes, ctx.search, ctx.tags, ctx.updated = notes, search, tags, updated
