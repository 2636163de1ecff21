"""Run the dashboard's pages in Streamlit's AppTest as a given role."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from crm_data.storage.db import make_engine
from crm_data.storage.models import User

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")
ROLES = ("admin", "manager", "staff", "viewer")


@contextmanager
def database(url: str):
    """Point the app (which reads CRM_DATABASE_URL) at this database."""
    old = os.environ.get("CRM_DATABASE_URL")
    os.environ["CRM_DATABASE_URL"] = url
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CRM_DATABASE_URL", None)
        else:
            os.environ["CRM_DATABASE_URL"] = old


def auth_for(url: str, role: str) -> dict:
    """The session-state login of the demo user of `role` (username == role)."""
    eng = make_engine(url)
    with eng.connect() as conn:
        user = conn.execute(select(User.id, User.username, User.role, User.display_name)
                            .where(User.username == role)).one()
    eng.dispose()
    return {"user_id": user.id, "username": user.username, "role": user.role,
            "display_name": user.display_name}


def app(url: str, role: str | None = None, lang: str = "vi", query: dict | None = None,
        timeout: float = 60) -> AppTest:
    """An AppTest of the dashboard, signed in as the demo user of `role` (None: anonymous)."""
    at = AppTest.from_file(DASHBOARD, default_timeout=timeout)
    if role is not None:
        at.session_state["auth"] = auth_for(url, role)
    at.session_state["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def run_page(url: str, page: str, role: str | None, lang: str = "vi",
             query: dict | None = None) -> AppTest:
    """Run `page` (e.g. "pages/overview.py") as `role` against the database at `url`."""
    with database(url):
        at = app(url, role, lang, query)  # the URL as the browser opens it
        at.run()
        if role is not None and page:
            at.switch_page(page)  # a page switch starts from a clean URL, as in the browser
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
    return at


def errors(at: AppTest) -> list[str]:
    """Exceptions raised while the script ran (st.exception elements)."""
    return [str(e.value) for e in at.exception]


def visible(markdown: str) -> str:
    """The text a Markdown element shows for its source: AppTest gives the source, where
    user text arrives escaped by crm_ui.safe.md (backslashes, word joiners)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


# The customer page's lazy tabs (pages/customer.py: TAB_KEY, ACTION_TAB_KEY): the label text
# key of each tab.
CUSTOMER_TABS = {"timeline": "customer.timeline", "stages": "customer.stages",
                 "actions": "customer.actions", "privacy": "privacy.tab"}


def open_customer_tab(at: AppTest, url: str, tab: str, action: str | None = None,
                      lang: str = "vi") -> AppTest:
    """Open a tab of the customer page (and, under "actions", one of its form tabs) as a
    click on it does: the tab's label becomes the tabs' value and the page runs again."""
    from crm_data import i18n

    at.session_state["customer_tab"] = i18n.t(CUSTOMER_TABS[tab], lang)
    if action is not None:
        at.session_state["customer_action_tab"] = i18n.t(f"customer.tab_{action}", lang)
    with database(url):
        at.run()
    return at


# The report pages' lazy tabs (crm_ui.sections): page → (widget key, label prefix, tab names).
REPORT_TABS = {"pages/retention.py": ("retention_tab", "retention.tab", ("churn", "cohorts", "at_risk")),
               "pages/revenue.py": ("revenue_tab", "revenue.tab", ("trend", "customers", "pareto", "segments"))}


def report_tabs(page: str) -> tuple:
    """The tab names of a report page (one unnamed "tab" for a page without tabs)."""
    return REPORT_TABS[page][2] if page in REPORT_TABS else (None,)


def open_tab(at: AppTest, url: str, page: str, tab: str | None, lang: str = "vi") -> AppTest:
    """Open a tab of a report page as a click on it does (None: stay, for a page without tabs)."""
    from crm_data import i18n

    if tab is None:
        return at
    key, prefix, _names = REPORT_TABS[page]
    at.session_state[key] = i18n.t(f"{prefix}.{tab}", lang)
    with database(url):
        at.run()
    return at
