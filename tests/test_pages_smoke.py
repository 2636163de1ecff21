"""A visitor who has not signed in only ever sees the login form; the navigation offers
only permitted pages. (Every page as every role that may open it, without an exception or
an error box, is run once, by tests/test_words_all_pages.py, which also reads its words.)"""

from pathlib import Path

import pytest

from crm_ui.nav import PAGES
from tests.apptest import app, database, errors, run_page

ROOT = Path(__file__).resolve().parent.parent
EXISTING = [p for p in PAGES if (ROOT / p.path).exists()]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_in_both_languages(seeded_url, lang, backend):
    at = run_page(seeded_url, "pages/overview.py", "manager", lang=lang)
    assert errors(at) == []
    assert at.title[0].value == ("Tổng quan" if lang == "vi" else "Overview")


def test_navigation_offers_only_permitted_pages(seeded_url, backend):
    from crm_data.accounts.scope import Scope
    from crm_ui.nav import specs_for

    viewer = {p.path for p in specs_for(Scope(1, "viewer", "viewer"))}
    assert "pages/overview.py" in viewer
    assert not any(p in viewer for p in ("pages/customers.py", "pages/import.py", "pages/users.py"))
    admin = {p.path for p in specs_for(Scope(1, "admin", "admin"))}
    assert admin == {p.path for p in EXISTING}


@pytest.mark.parametrize("page", [p.path for p in EXISTING])
def test_without_login_only_the_login_form(seeded_url, page, backend):
    with database(seeded_url):
        at = app(seeded_url, role=None)
        at.run()
        assert [t.value for t in at.title] == ["Đăng nhập"]
        assert not at.metric and not at.dataframe
        try:
            at.switch_page(page).run()
        except Exception:  # noqa: BLE001 - refusing the page outright is fine too
            return
        assert [t.value for t in at.title] == ["Đăng nhập"]
        assert not at.metric and not at.dataframe and errors(at) == []


def test_login_form_signs_in_and_rejects(seeded_url, backend):
    with database(seeded_url):
        at = app(seeded_url, role=None)
        at.run()
        at.text_input(key="u").input("manager")
        at.text_input(key="p").input("wrong password")
        at.button[0].click().run()
        assert at.error and "Sai" in at.error[0].value
        at.text_input(key="p").input("manager123!")
        at.button[0].click().run()
        assert errors(at) == []
        assert at.title[0].value == "Tổng quan"
        assert at.session_state["auth"]["role"] == "manager"
