"""Customers: when they came, who they are, where they live, how to reach them, who owns them."""

from __future__ import annotations

import numpy as np
from vietnam_provinces import Ward

from crm_data.domain import geo
from crm_data.domain.text import fold
from crm_data.sample.common import _DAY, _Ctx, _obj, _p, _pick, _values
from crm_data.sample.enums import _ENUMS_USED
from crm_data.sample.people_words import (
    _BRANDS,
    _CARRIERS,
    _FAMILY,
    _FAMILY_NORTH_SHARE,
    _GIVEN,
    _INDUSTRIES,
    _MIDDLE,
    _PHONE_FIRST_DIGITS,
    _STREETS,
)


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    """Unique E.164 mobile numbers from real carrier prefixes."""
    prefixes: list[str] = []
    weights: list[float] = []
    for share, pres in _CARRIERS:
        for pre in pres:
            prefixes.append(pre)
            weights.append(share / len(pres))
    pre_idx = rng.choice(len(prefixes), size=n, p=_p(weights))
    pre_num = np.array([int(p) for p in prefixes], dtype=np.int64)

    def draw(idx: np.ndarray) -> np.ndarray:
        first = rng.integers(0, 10, len(idx))
        for pre, allowed in _PHONE_FIRST_DIGITS.items():
            sel = np.flatnonzero(np.array(prefixes, dtype=object)[idx] == pre)
            if len(sel):
                first[sel] = np.array(allowed)[rng.integers(0, len(allowed), len(sel))]
        return pre_num[idx] * 10_000_000 + first * 1_000_000 + rng.integers(0, 1_000_000, len(idx))

    numbers = draw(pre_idx)
    while True:
        _, first_pos = np.unique(numbers, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first_pos] = False
        if not dup.any():
            break
        numbers[dup] = draw(pre_idx[dup])
    return [f"+84{x}" for x in numbers.tolist()]


def _customers(ctx: _Ctx) -> None:
    """Customers: when they came (growing, a little seasonal), who they are, where they live
    and how to reach them, and who owns them."""
    D, n, n_days, owner_ids = ctx.D, ctx.n, ctx.n_days, ctx.owner_ids
    owner_shares = ctx.owner_shares
    r_cust, r_names, start, weights = ctx.r_cust, ctx.r_names, ctx.start, ctx.weights
    growth = np.exp(np.log(1.5) * np.arange(n_days) / 365.25)  # +50 % a year
    acq = growth * np.sqrt(weights)
    c_day = np.sort(r_cust.choice(n_days, size=n, p=acq / acq.sum()))
    c_tod = ((8 + r_cust.integers(0, 12, n)) * 3600 + r_cust.integers(0, 3600, n)).astype(np.int64)
    created = c_day.astype(np.int64) * _DAY + c_tod
    order_c = np.lexsort((c_tod, c_day))
    created = created[order_c]
    c_day = created // _DAY
    ids = np.arange(1, n + 1, dtype=np.int64)
    codes = [f"KH{i:06d}" for i in ids.tolist()]

    business = r_cust.random(n) < 0.10
    u = r_cust.random(n)
    gender = _obj(("female", "male", "other"), (u >= 0.52).astype(int) + (u >= 0.995))
    gender[business & (u < 0.45)] = "female"
    gender[business & (u >= 0.45)] = "male"
    name_gender = np.where(gender == "other", np.where(r_cust.random(n) < 0.5, "female", "male"),
                           gender)
    provinces = geo.provinces()
    prov_i = r_cust.choice(len(provinces), size=n, p=_p([p.population_m for p in provinces]))
    prov_code = np.array([p.code for p in provinces], dtype=np.int64)[prov_i]
    region = np.array([p.region for p in provinces], dtype=object)[prov_i]

    # names
    fam_i = _pick(r_names, _FAMILY, n)
    fam_u = r_names.random(n)
    families = _values(_FAMILY)
    family = np.empty(n, dtype=object)
    for i, f in enumerate(families):
        sel = fam_i == i
        if "|" in f:
            a, b = f.split("|")
            share = np.vectorize(_FAMILY_NORTH_SHARE[f].get, otypes=[float])(region[sel])
            family[sel] = np.where(fam_u[sel] < share, a, b)
        else:
            family[sel] = f
    middle = np.empty(n, dtype=object)
    given = np.empty(n, dtype=object)
    for g in ("male", "female"):
        sel = np.flatnonzero(name_gender == g)
        middle[sel] = _values(_MIDDLE[g])[_pick(r_names, _MIDDLE[g], len(sel))]
        given[sel] = _values(_GIVEN[g])[_pick(r_names, _GIVEN[g], len(sel))]
    full_names = [" ".join(x for x in (f, m, g) if x) if m != g else f"{f} {g}"
                  for f, m, g in zip(family.tolist(), middle.tolist(), given.tolist(), strict=True)]

    # age and demographics
    age = np.clip(18 + r_cust.gamma(3.0, 6.5, n), 18, 80).astype(int)
    has_birth = r_cust.random(n) < np.where(business, 0.5, 0.85)
    birth_day = (D - age * 365.25 - r_cust.integers(0, 365, n)).astype(np.int64)
    occ_vals = np.array(_ENUMS_USED["occupation"], dtype=object)
    occ = occ_vals[r_cust.choice(len(occ_vals), n, p=_p([22, 12, 14, 8, 6, 5, 7, 6, 9, 5, 6]))]
    occ[(age < 23) & (r_cust.random(n) < 0.7)] = "student"
    occ[(age >= 60) & (r_cust.random(n) < 0.6)] = "retired"
    occ[business] = "business_owner"
    occ_null = r_cust.random(n) < 0.15
    income = np.array(_ENUMS_USED["income_band"], dtype=object)[
        r_cust.choice(4, n, p=[0.32, 0.36, 0.22, 0.10])]
    income[(occ == "student") & (r_cust.random(n) < 0.8)] = "under_10m"
    income_null = r_cust.random(n) < 0.2
    edu = np.array(_ENUMS_USED["education"], dtype=object)[
        r_cust.choice(4, n, p=[0.35, 0.2, 0.38, 0.07])]
    edu_null = r_cust.random(n) < 0.3
    married = r_cust.random(n) < np.clip((age - 22) / 12, 0.05, 0.85)
    marital = _obj(("single", "married"), married)
    marital[r_cust.random(n) < 0.03] = "other"
    marital_null = r_cust.random(n) < 0.25
    kind = _obj(("individual", "business"), business)

    chan_vals = np.array(["zalo", "phone", "facebook", "sms", "email"], dtype=object)
    pref = chan_vals[np.where(business,
                             r_cust.choice(5, n, p=[0.35, 0.30, 0.03, 0.02, 0.30]),
                             r_cust.choice(5, n, p=[0.42, 0.28, 0.18, 0.05, 0.07]))]
    pref_null = r_cust.random(n) < 0.05
    devices_vals = np.array(["mobile", "mobile,desktop", "mobile,tablet", "desktop",
                             "mobile,desktop,tablet"], dtype=object)
    devices = devices_vals[r_cust.choice(5, n, p=[0.56, 0.26, 0.08, 0.04, 0.06])]
    devices_null = r_cust.random(n) < 0.04
    src_vals = np.array(["social", "walk_in", "referral", "website", "ads", "event", "survey"],
                        dtype=object)
    source = src_vals[r_cust.choice(7, n, p=_p([26, 14, 16, 12, 18, 8, 6]))]
    owner_pos = r_cust.choice(len(owner_ids), size=n, p=_p(owner_shares))
    owner_arr = np.array([-1 if o is None else o for o in owner_ids], dtype=np.int64)[owner_pos]
    owner_null = owner_arr < 0
    consent = r_cust.random(n) < 0.72

    # industry and company
    industries = list(_INDUSTRIES)
    industry = np.array(industries, dtype=object)[
        r_cust.choice(len(industries), n, p=_p([v[0] for v in _INDUSTRIES.values()]))]
    comp_kind = r_cust.choice(3, n, p=[0.5, 0.2, 0.3])
    brand = r_cust.integers(0, len(_BRANDS), n)
    word_u = r_cust.integers(0, 2, n)
    companies: list[str | None] = [None] * n
    company_domain: list[str | None] = [None] * n
    for i in np.flatnonzero(business).tolist():
        ind = industry[i]
        _w, words, shop = _INDUSTRIES[ind]
        b = _BRANDS[brand[i]]
        if comp_kind[i] == 2 and shop:
            companies[i] = f"Hộ kinh doanh {shop} {b}"
        elif comp_kind[i] == 2:
            companies[i] = f"Hộ kinh doanh {full_names[i]}"
        else:
            typ = "Công ty TNHH" if comp_kind[i] == 0 else "Công ty CP"
            companies[i] = f"{typ} {words[word_u[i]]} {b}"
            company_domain[i] = fold(b).replace(" ", "") + (".com.vn" if word_u[i] else ".vn")
    industry_null = ~business

    # address
    wards_by_prov: dict[int, list[str]] = {}
    for w in Ward.iter_all():  # the 2025 wards (phường / xã / đặc khu) of every province
        wards_by_prov.setdefault(int(w.province_code), []).append(w.name)
    house = np.minimum(1 + r_cust.geometric(1 / 90, n), 999)
    sub = 1 + r_cust.integers(0, 40, n)
    street = r_cust.integers(0, len(_STREETS), n)
    addr_style = r_cust.random(n)
    ward_u = r_cust.random(n)
    addresses: list[str] = []
    for i in range(n):
        wards = wards_by_prov.get(int(prov_code[i])) or ["Phường Trung tâm"]
        ward = wards[int(ward_u[i] * len(wards))]
        if ward.startswith("Xã"):
            hamlet = "Ấp" if region[i] == "south" else ("Thôn" if addr_style[i] < 0.7 else "Xóm")
            addresses.append(f"{hamlet} {sub[i] % 12 + 1}, {ward}")
        elif addr_style[i] < 0.2:
            if region[i] == "south":
                addresses.append(f"{house[i]}/{sub[i]} {_STREETS[street[i]]}, {ward}")
            else:
                addresses.append(f"Số {sub[i]}, ngõ {house[i]} {_STREETS[street[i]]}, {ward}")
        else:
            road = "Đường " if addr_style[i] < 0.55 else ""
            addresses.append(f"{house[i]} {road}{_STREETS[street[i]]}, {ward}")
    address_null = r_cust.random(n) < 0.08

    phones = _phones(r_cust, n)

    # emails: folded name + digits, unique
    has_email = r_cust.random(n) < np.where(business, 0.9, 0.58)
    mail_u = r_cust.random(n)
    mail_pattern = r_cust.integers(0, 4, n)
    mail_digits = r_cust.integers(1, 1000, n)
    birth_year = (start.year + (birth_day // 365)).astype(int)
    emails: list[str | None] = [None] * n
    name_fold = {x: fold(x).replace(" ", "") for x in sorted(set(family) | set(middle) | set(given))}
    taken: set[str] = set()
    for i in np.flatnonzero(has_email).tolist():
        fam, giv, mid = name_fold[family[i]], name_fold[given[i]], name_fold[middle[i]]
        if company_domain[i] and mail_u[i] < 0.75:
            local = (giv, f"{giv}.{fam}", "ketoan", "kinhdoanh")[mail_pattern[i]]
            domain = company_domain[i]
        else:
            local = (f"{fam}{mid}{giv}", f"{giv}{fam}", f"{giv}.{fam}", f"{fam}{giv}")[
                mail_pattern[i]]
            if mail_u[i] < 0.45:
                local += str(birth_year[i] % 100 if has_birth[i] else mail_digits[i])
            elif mail_u[i] < 0.8:
                local += str(mail_digits[i])
            domain = ("gmail.com" if mail_u[i] < 0.82 or mail_u[i] >= 0.95 else
                      "yahoo.com" if mail_u[i] < 0.89 else "outlook.com")
        email = f"{local}@{domain}"
        k = 1
        while email in taken:
            k += 1
            email = f"{local}{k}@{domain}"
        taken.add(email)
        emails[i] = email
    ctx.address_null, ctx.addresses, ctx.birth_day = address_null, addresses, birth_day
    ctx.business = business
    ctx.c_day, ctx.codes, ctx.companies, ctx.consent = c_day, codes, companies, consent
    ctx.created = created
    ctx.devices, ctx.devices_null, ctx.edu, ctx.edu_null = devices, devices_null, edu, edu_null
    ctx.emails, ctx.family, ctx.full_names, ctx.gender = emails, family, full_names, gender
    ctx.given, ctx.has_birth, ctx.ids, ctx.income = given, has_birth, ids, income
    ctx.income_null = income_null
    ctx.industry, ctx.industry_null, ctx.kind, ctx.marital = industry, industry_null, kind, marital
    ctx.marital_null, ctx.middle, ctx.occ, ctx.occ_null = marital_null, middle, occ, occ_null
    ctx.owner_arr, ctx.owner_null, ctx.phones, ctx.pref = owner_arr, owner_null, phones, pref
    ctx.pref_null, ctx.prov_code, ctx.region, ctx.source = pref_null, prov_code, region, source
