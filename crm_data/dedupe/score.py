"""How alike two customer records are: a score 0..100 and the reasons behind it.

Names are compared folded (case, diacritics and đ ignored) and token-sorted, so "Nguyễn Văn
Nam", "nguyen van nam" and "Nam Nguyễn Văn" are the same name; a typo still scores high by
edit distance (rapidfuzz). Evidence adds up; the weights are chosen so that a shared phone
or email alone, or a name with a birth date or an address, reaches the default threshold
(settings "dupes.min_score" = 50), while the same common name in the same province alone
does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from crm_data.domain.text import fold

PHONE = 50
EMAIL = 50
NAME = 40  # identical after folding / reordering; less for a similar name
NAME_FLOOR = 75  # token-sort similarity below this says nothing
BIRTH_DATE = 25
ADDRESS = 15
ADDRESS_FLOOR = 90
PROVINCE = 5
MIN_ADDRESS_LEN = 8  # shorter folded addresses ("hcm") are no evidence


@dataclass(frozen=True, slots=True)
class Person:
    """The identity fields of one customer, already normalised for comparison."""

    id: int
    name: str  # folded
    name_key: str  # folded tokens, sorted
    phone: str | None
    email: str | None
    birth_date: dt.date | None
    province_code: int | None
    address: str  # folded, "" when blank


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return fold(word)


def fold_words(text: str | None) -> str:
    """crm_data.domain.text.fold word by word: names and addresses repeat a few thousand words, so
    100,000 records fold in a fraction of the time."""
    if not text:
        return ""
    return " ".join(w for w in map(_fold_word, text.split()) if w)


def person(id, full_name, phone=None, email=None, birth_date=None, province_code=None,
           address=None) -> Person:
    name = fold_words(full_name)
    addr = fold_words(address)
    return Person(int(id), name, " ".join(sorted(name.split())), phone or None,
                  (email or "").strip().lower() or None, _as_date(birth_date), province_code,
                  addr if len(addr) >= MIN_ADDRESS_LEN else "")


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def compare(a: Person, b: Person) -> tuple[int, list[str]]:
    """(score, reasons); a reason is a key of crm_data.dedupe.reasons, "name_similar" with
    its similarity in per cent after a colon."""
    score = 0.0
    reasons: list[str] = []
    if a.phone and a.phone == b.phone:
        score += PHONE
        reasons.append("phone")
    if a.email and a.email == b.email:
        score += EMAIL
        reasons.append("email")
    if a.name_key and a.name_key == b.name_key:
        score += NAME
        reasons.append("name_same")
    elif a.name and b.name:
        # token-sorted for reordered names, plain for a typo that changes the sort order
        similar = max(fuzz.token_sort_ratio(a.name, b.name), fuzz.ratio(a.name, b.name))
        if similar >= NAME_FLOOR:
            score += NAME * min(1.0, (similar - NAME_FLOOR) / (100 - NAME_FLOOR - 5))
            reasons.append(f"name_similar:{int(similar)}")
    if a.birth_date and a.birth_date == b.birth_date:
        score += BIRTH_DATE
        reasons.append("birth_date")
    if a.address and b.address and fuzz.token_set_ratio(a.address, b.address) >= ADDRESS_FLOOR:
        score += ADDRESS
        reasons.append("address")
    if a.province_code is not None and a.province_code == b.province_code:
        score += PROVINCE
        reasons.append("province")
    return min(100, round(score)), reasons
