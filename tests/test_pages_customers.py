"""The customer pages run without exception as admin, manager and staff, on the seeded
database and on an empty one."""

from __future__ import annotations

import pytest

from crm_data.accounts import auth
from tests.apptest import errors, run_page

PAGES = {
    "pages/customers.py": [{}, {"search": "nguyen van"}, {"search": "0912 345 678"},
                           {"search": "' OR 1=1 --"}],
    "pages/customer.py": [{}, {"id": "1"}, {"code": "KH000002"}, {"id": "999999"}],
    "pages/customer_form.py": [{}, {"id": "1"}],
    "pages/segments_saved.py": [{}, {"segment": "12345"}],
}
CASES = [(page, q) for page, qs in PAGES.items() for q in qs]


@pytest.fixture
def empty_url(engine, db_url):
    for role in ("admin", "manager", "staff", "viewer"):
        auth.add_user(engine, role, "password123", role)
    return db_url


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
@pytest.mark.parametrize("page, query", CASES)
def test_pages_run_on_seeded(seeded_url, role, page, query):
    at = run_page(seeded_url, page, role, query=query)
    assert not errors(at), errors(at)
    assert at.title or at.warning


@pytest.mark.parametrize("role", ["admin", "staff"])
@pytest.mark.parametrize("page, query", CASES)
def test_pages_run_on_empty(empty_url, role, page, query):
    at = run_page(empty_url, page, role, query=query)
    assert not errors(at), errors(at)
