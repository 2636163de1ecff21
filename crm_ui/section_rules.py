"""The customer page's reasons: why this tier and these groups, one sentence per assignment,
rendered from the rule version that made it (crm_data.customers.listing.reasons)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from crm_data.customers import listing as customers
from crm_ui import safe
from crm_ui.i18n import t


def reasons(engine: Engine, stats: dict, lang: str) -> None:
    why = customers.reasons(stats, lang, bind=engine)
    for sentence in why or [t("customer.no_reason")]:
        st.write("- " + safe.md(sentence))  # rule ids and tag values are typed by an admin


def list_reasons(engine: Engine, scope, ids: list[int], lang: str) -> list[str]:
    """The customer list's "why this tier" column: the tier rule's sentence per row, each
    rule version read once."""
    from crm_data.rules import explain as rules_explain
    from crm_data.rules import store as rules_store
    from crm_ui import cache

    found = cache.query(customers.tier_rules, scope, [int(i) for i in ids]).set_index("id")
    rows = found.reindex([int(i) for i in ids])
    defs: dict[int, dict | None] = {}
    out = []
    for rule_id, version in zip(rows["tier_rule"], rows["rules_version"], strict=True):
        v = int(version) if version == version and version is not None else 1
        if v not in defs:
            defs[v] = rules_store.definition_of(engine, v)
        out.append(rules_explain.tier_reason(rule_id, defs[v], lang) if defs[v] and rule_id == rule_id else "")
    return out
