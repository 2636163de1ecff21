"""The page registry: which page files exist, who may open them, and their sections.

Pages planned by later work are listed here already; a page shows up in the navigation
as soon as its file exists and the role may open it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from crm_data.accounts import access
from crm_data.accounts.scope import Scope
from crm_ui import state
from crm_ui.i18n import t

ROOT = Path(__file__).resolve().parent.parent
ALL = ("admin", "manager", "staff", "viewer")
EDITORS = ("admin", "manager", "staff")


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the project root
    title_key: str
    icon: str
    section: str  # i18n key of the navigation section
    roles: tuple[str, ...]
    default: bool = False
    hidden: bool = False  # reachable by link / switch_page, not listed


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "page.overview", ":material/dashboard:", "nav.reports", ALL, default=True),
    PageSpec("pages/segments.py", "page.segments", ":material/donut_small:", "nav.reports", ALL),
    PageSpec("pages/funnel.py", "page.funnel", ":material/filter_alt:", "nav.reports", ALL),
    PageSpec("pages/journey.py", "page.journey", ":material/route:", "nav.reports", ALL),
    PageSpec("pages/retention.py", "page.retention", ":material/autorenew:", "nav.reports", ALL),
    PageSpec("pages/revenue.py", "page.revenue", ":material/payments:", "nav.reports", ALL),
    PageSpec("pages/today.py", "page.today", ":material/checklist:", "nav.work", EDITORS),
    PageSpec("pages/receivables.py", "page.receivables", ":material/request_quote:", "nav.work", EDITORS),
    # Viewers too: resolution time only (the data layer refuses them the list).
    PageSpec("pages/complaints.py", "page.complaints", ":material/support_agent:", "nav.work", ALL),
    PageSpec("pages/loyalty.py", "page.loyalty", ":material/loyalty:", "nav.work", EDITORS),
    PageSpec("pages/cashbook.py", "page.cashbook", ":material/account_balance_wallet:", "nav.work",
             ("admin", "manager")),
    PageSpec("pages/customers.py", "page.customers", ":material/group:", "nav.customers", EDITORS),
    PageSpec("pages/customer.py", "page.customer", ":material/person:", "nav.customers", EDITORS, hidden=True),
    PageSpec("pages/customer_form.py", "page.customer_form", ":material/person_add:", "nav.customers", EDITORS),
    PageSpec("pages/segments_saved.py", "page.saved_segments", ":material/bookmarks:", "nav.customers", EDITORS),
    PageSpec("pages/lookalike.py", "page.lookalike", ":material/person_search:", "nav.customers",
             ("admin", "manager")),
    PageSpec("pages/import.py", "page.import", ":material/upload_file:", "nav.data", ("admin", "manager")),
    PageSpec("pages/duplicates.py", "page.duplicates", ":material/merge:", "nav.data", ("admin", "manager")),
    PageSpec("pages/rules.py", "page.rules", ":material/rule:", "nav.admin", ("admin",)),
    PageSpec("pages/lead_scoring.py", "page.lead_scoring", ":material/quiz:", "nav.admin", ("admin",)),
    PageSpec("pages/users.py", "page.users", ":material/manage_accounts:", "nav.admin", ("admin",)),
    PageSpec("pages/audit.py", "page.audit", ":material/history:", "nav.admin", ("admin",)),
)


@functools.cache
def _exists(path: str) -> bool:
    """Looked up once per process: every run asks (the navigation, each chart's drill check),
    and ~90 stat calls were ~10 ms of a Retention run."""
    return (ROOT / path).exists()


def specs_for(scope: Scope) -> list[PageSpec]:
    return [p for p in PAGES if scope.role in p.roles and _exists(p.path)]


def may_open(scope: Scope, path: str) -> bool:
    return any(p.path == path for p in specs_for(scope))


def navigation_pages(scope: Scope) -> dict[str, list]:
    """{section title: [st.Page]} for st.navigation. A page the role may not open answers at
    its address with a refusal (hidden), not with Streamlit's English "Page not found"."""
    sections: dict[str, list] = {}
    allowed = specs_for(scope)
    for spec in allowed:
        page = st.Page(
            str(ROOT / spec.path), title=t(spec.title_key), icon=spec.icon, default=spec.default,
            url_path=Path(spec.path).stem, visibility="hidden" if spec.hidden else "visible",
        )
        sections.setdefault(t(spec.section), []).append(page)
    for spec in PAGES:
        if spec not in allowed and (ROOT / spec.path).exists():
            stem = Path(spec.path).stem
            sections.setdefault(t(spec.section), []).append(st.Page(
                _refusal(stem), title=t(spec.title_key), icon=":material/block:",
                url_path=stem, visibility="hidden"))
    return sections


def _refusal(stem: str):
    """The page standing in for `stem` for a role that may not open it: says so and records
    the refusal (someone followed a link or typed an address beyond their role)."""
    def refused() -> None:
        scope = state.require_scope()
        access.refuse(state.engine(), scope, "page", page=stem)
        st.warning(t("nav.refused"), icon=":material/block:")
    refused.__name__ = f"refused_{stem}"
    return refused


def login_pages(render, page_for, title: str) -> list:
    """The login form at the root and at every page's address (hidden from navigation)."""
    pages = [st.Page(render, title=title, icon=":material/login:", url_path="login", default=True)]
    for spec in PAGES:
        if (ROOT / spec.path).exists():
            stem = Path(spec.path).stem
            pages.append(st.Page(page_for(stem), title=title, icon=":material/login:", url_path=stem))
    return pages
