"""Planted duplicates: about 1 % of the customers are made a second record of another one."""

# The way duplicates arise in a shop: the same phone typed another way (stored E.164, so the
# same number), the name without diacritics, the name in Western order, a typo in the name,
# a second phone number with the same email.
#
# Which customers are paired depends only on (customers, seed) — `planted` recomputes them
# without reading the database — so `make bench` can print the finder's precision and recall.

from __future__ import annotations

import numpy as np

from crm_data.domain.text import fold, search_text

KINDS = ("phone", "no_diacritics", "swapped", "typo", "email")
SHARE = 0.01
_STREAM = 153  # this module's own random stream: the rest of the seed does not move


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), _STREAM])


def planted(customers: int, seed: int) -> list[tuple[int, int, str]]:
    """(original id, copy id, kind) of every planted pair."""
    k = int(customers * SHARE) if customers >= 2 * len(KINDS) else 0
    if k == 0:
        return []
    pick = _rng(seed).permutation(customers)[:2 * k]
    return [(int(pick[i]) + 1, int(pick[k + i]) + 1, KINDS[i % len(KINDS)]) for i in range(k)]


def _typo(name: str) -> str:
    """Two neighbouring letters of the last word swapped ("Đức" → "Địc" is not a name
    anyone types, "Nam" → "Nma" is)."""
    head, _, last = name.rpartition(" ")
    if len(last) < 3:
        return name + "h"
    last = last[0] + last[2] + last[1] + last[3:]
    return f"{head} {last}".strip()


def plant(ctx, seed: int) -> None:
    """Overwrite the identity fields of each copy with its original's, changed as its kind
    says (generator stage after the search column, whose copies' text it recomputes)."""
    for orig, copy, kind in planted(ctx.n, seed):
        i, j = orig - 1, copy - 1
        name = ctx.full_names[i]
        ctx.gender[j] = ctx.gender[i]
        ctx.prov_code[j], ctx.region[j] = ctx.prov_code[i], ctx.region[i]
        ctx.has_birth[i] = ctx.has_birth[j] = True
        ctx.birth_day[j] = ctx.birth_day[i]
        ctx.emails[j] = None
        if kind == "phone":
            ctx.full_names[j] = name
            ctx.phones[j] = ctx.phones[i]
        elif kind == "no_diacritics":
            ctx.full_names[j] = fold(name).title()
            ctx.addresses[j], ctx.address_null[j] = ctx.addresses[i], False
            ctx.address_null[i] = False
        elif kind == "swapped":
            parts = name.split()
            ctx.full_names[j] = " ".join(parts[-1:] + parts[:-1])
        elif kind == "typo":
            ctx.full_names[j] = _typo(name)
            ctx.addresses[j], ctx.address_null[j] = ctx.addresses[i], False
            ctx.address_null[i] = False
        else:  # a second phone number, the same email
            ctx.full_names[j] = name
            if ctx.emails[i] is None:
                ctx.emails[i] = f"{fold(name).replace(' ', '.')}.{orig}@gmail.com"
            ctx.emails[j] = ctx.emails[i]
        for c in (i, j):
            ctx.search[c] = search_text(ctx.full_names[c], ctx.codes[c], "0" + ctx.phones[c][3:],
                                        ctx.emails[c], ctx.companies[c])
