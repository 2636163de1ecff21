"""The customer page's CLV section: "khả năng còn mua: 83 %", expected purchases and value
from the latest fit (crm_data.clv.reads). Numbers only: no user text is shown here."""

from __future__ import annotations

import streamlit as st

from crm_data.accounts.scope import Scope
from crm_data.clv import reads
from crm_data.domain import formatting
from crm_ui import cache, safe, state, widgets
from crm_ui.i18n import t


def render(scope: Scope, customer_id: int) -> None:
    lang = state.lang()
    st.subheader(t("clv.section"))
    scores = cache.query(reads.customer_scores, scope, customer_id)
    fit = cache.query(reads.latest_fit)
    if scores is None or fit is None:
        st.caption(t("clv.not_scored"))
        return
    pct = formatting.percent(scores["p_alive"], lang, digits=0)
    line = t("clv.p_alive", pct=pct)
    if scores["p_alive_before"] is not None:
        from crm_data.admin import settings

        days = cache.query(settings.get, "clv.compare_days")
        line += " · " + t("clv.p_alive_before", days=days,
                          pct=formatting.percent(scores["p_alive_before"], lang, digits=0))
    st.markdown(f"**{safe.md(line)}**")
    # Content-wide cards that wrap (as the page's own cards): five columns cut the labels and
    # "21.497.…".
    with st.container(horizontal=True, wrap=True):
        for days in (30, 90, 365):
            st.metric(t("clv.expected") + " · " + t("clv.expected_n", days=days),
                      widgets.num(scores[f"expected_{days}"], 1), border=True, width="content")
        st.metric(t("clv.expected_spend"), widgets.money(scores["expected_spend"]), border=True,
                  width="content")
        st.metric(t("clv.expected_value", days=fit["horizon_days"]),
                  widgets.short_money(scores["expected_value"]),
                  help=widgets.money(scores["expected_value"]), border=True, width="content")
    st.caption(safe.md(t("clv.history", x=scores["frequency"], tx=widgets.num(scores["recency_weeks"], 1),
                         T=widgets.num(scores["age_weeks"], 1)) + " " + fit_caption(fit)))


def fit_caption(fit: dict) -> str:
    """The fit date and its parameters, for the customer and the Retention page."""
    def g(v):
        return "—" if v is None else f"{v:.3g}"

    return t("clv.fit_caption", day=widgets.day(fit["fitted_on"]), n=widgets.num(fit["n_customers"]),
             r=g(fit["r"]), alpha=g(fit["alpha"]), a=g(fit["a"]), b=g(fit["b"]), p=g(fit["p"]),
             q=g(fit["q"]), gamma=widgets.num(fit["gamma"]) if fit["gamma"] is not None else "—")


def retention_queries(scope: Scope, flt) -> dict:
    """The block's cached calls, for the page to run with its own (crm_ui.parallel)."""
    calls = {"clv_fit": (reads.latest_fit,), "clv_bands": (reads.band_counts, scope, flt)}
    if scope.can_see_personal_data:
        calls["clv_falling"] = (reads.falling, scope, flt)
    return calls


def retention_block(scope: Scope, flt, got=None) -> None:
    """The Retention page's part: the fit (date, parameters, holdout check), buyers per
    P(alive) band (every role), the high-value customers whose P(alive) is falling (not the
    viewer: personal data), and the model settings (admin). `got`: the page's
    crm_ui.parallel.Pending, when it started retention_queries with its own."""
    from crm_data.admin import settings
    from crm_ui import charts, reportkit
    from crm_ui.i18n import label

    def take(name: str, fn, *args):
        return got.get(name) if got is not None else cache.query(fn, *args)

    st.subheader(t("clv.bands_title"))
    fit = take("clv_fit", reads.latest_fit)
    if fit is None:
        st.info(t("clv.no_fit"), icon=":material/info:")
    else:
        st.caption(safe.md(fit_caption(fit) + " " + _holdout(fit)))
        bands = take("clv_bands", reads.band_counts, scope, flt)
        names = [label("clv_band", b) for b in bands["band"]]
        fig = charts.figure({"type": "bar", "x": names, "y": bands["customers"],
                             "customdata": [widgets.money(v) for v in bands["expected_value"]],
                             "hovertemplate": "%{x}: %{y:,d} · %{customdata}<extra></extra>"},
                            xaxis={"type": "category", "title": {"text": t("clv.col.band")}},
                            yaxis={"title": {"text": t("clv.col.customers")}})
        charts.integer_axis(fig)
        reportkit.chart(fig, bands, "kha_nang_con_mua", key="clv_bands", height=320)
        if scope.can_see_personal_data:
            _falling(scope, flt, got)
    if scope.can_admin:
        _settings_form(scope, settings)


def _holdout(fit: dict) -> str:
    if fit["calibration_end"] is None or fit["holdout_error"] is None:
        return ""
    return t("clv.holdout", end=widgets.day(fit["calibration_end"]),
             pred=widgets.num(fit["holdout_predicted"]), actual=widgets.num(fit["holdout_actual"]),
             err=widgets.pct(fit["holdout_error"]))


def _falling(scope: Scope, flt, got=None) -> None:
    from crm_data.admin import settings

    st.subheader(t("clv.falling_title"))
    st.caption(safe.md(t("clv.falling_caption", points=cache.query(settings.get, "clv.falling_points"),
                         days=cache.query(settings.get, "clv.compare_days"))))
    rows = got.get("clv_falling") if got is not None else cache.query(reads.falling, scope, flt)
    if rows.empty:
        st.caption(t("clv.falling_none"))
        return
    shown = rows.assign(
        p_alive_before=rows["p_alive_before"].map(widgets.pct),
        p_alive=rows["p_alive"].map(widgets.pct),
        expected_value=rows["expected_value"].map(widgets.money),
        total_spend=rows["total_spend"].map(widgets.money),
        last_order_date=rows["last_order_date"].map(widgets.day))
    cols = ["code", "full_name", "p_alive_before", "p_alive", "expected_value", "total_spend",
            "last_order_date"]
    heads = {c: t(f"clv.col.{c}") if c in ("p_alive_before", "p_alive", "expected_value")
             else t(f"cust.col.{c}") for c in cols}
    st.dataframe(shown, hide_index=True, column_order=cols, column_config=heads, key="clv_falling")


def _settings_form(scope: Scope, settings) -> None:
    from crm_data.writes import ValidationFailed

    keys = ("clv.horizon_days", "clv.holdout_days", "clv.compare_days", "clv.falling_points")
    with st.expander(t("clv.settings")), st.form("clv_settings"):
        values = {}
        for key in keys:
            _default, low, high = settings.DEFAULTS[key]
            values[key] = st.number_input(t(f"setting.{key}"), min_value=low, max_value=high,
                                          value=cache.query(settings.get, key), step=1, key=f"set_{key}")
        if st.form_submit_button(t("clv.save")):
            try:
                for key, value in values.items():
                    if value != cache.query(settings.get, key):
                        settings.set_value(state.engine(), scope, key, value)
            except ValidationFailed:
                _default, low, high = settings.DEFAULTS[key]
                st.error(safe.md(t("setting.invalid.range", low=low, high=high)))
            else:
                cache.clear()
                st.success(t("clv.settings_saved"))
