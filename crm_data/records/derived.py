"""Derived columns of a customer row, computed the same way by every writer
(forms, importer, sample data)."""

from __future__ import annotations

from crm_data.domain.geo import region_of
from crm_data.domain.text import search_text
from crm_data.records import tags as tag_rules
from crm_data.storage.models import Customer

# Folding may lengthen text (unidecode spells some letters with several): the search
# column keeps what fits, name first.
SEARCH_TEXT_MAX = Customer.__table__.c.search_text.type.length


def phone_search_forms(e164: str | None) -> str | None:
    """'+84912345678' → '0912345678 912345678' so search finds either spelling."""
    if not e164:
        return None
    national = e164[3:] if e164.startswith("+84") else e164
    return f"0{national} {national}"


def customer_search_text(full_name, code, phone, email, company) -> str:
    return search_text(full_name, code, phone_search_forms(phone), email, company)[:SEARCH_TEXT_MAX]


def tags_column(tags) -> str:
    """Tags as the ',a,b,' column format, one spelling per folded key (crm_data.records.tags);
    input: list or 'a, b'."""
    return tag_rules.column(tags)


def tags_list(column: str | None) -> list[str]:
    return [t for t in (column or "").split(",") if t]


def derive(values: dict) -> dict:
    """Fill region and search_text from the other columns of a customer row."""
    out = dict(values)
    if "province_code" in out:
        out["region"] = region_of(out.get("province_code"))
    out["search_text"] = customer_search_text(
        out.get("full_name"), out.get("code"), out.get("phone"), out.get("email"), out.get("company"))
    if "tags" in out and not (isinstance(out["tags"], str) and out["tags"].startswith(",")):
        out["tags"] = tags_column(out["tags"])
    if "tags" in out:
        out["tag_keys"] = tag_rules.keys_column(out["tags"])
    return out
