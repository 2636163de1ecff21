"""The shared sidebar: granularity follows the period until the user picks one."""

from tests.apptest import database, run_page


def test_granularity_follows_period_until_chosen(seeded_url, backend):
    at = run_page(seeded_url, "pages/overview.py", "manager")
    assert at.selectbox(key="gran").value == "day"
    with database(seeded_url):
        at.selectbox(key="period").set_value("this_year").run()
        assert at.selectbox(key="gran").value == "month"
        at.selectbox(key="gran").set_value("week").run()
        at.selectbox(key="period").set_value("last_12m").run()
        assert at.selectbox(key="gran").value == "week"
        assert at.query_params["gran"] in ("week", ["week"])
    assert not at.exception
