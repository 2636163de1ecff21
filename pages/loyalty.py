"""Tích điểm / Loyalty (editors; the executive viewer is refused): points outstanding and
their value, earned / redeemed / expired by period, top holders, the gift list (admin and
manager add and edit gifts and stock) and the loyalty settings (admin).
Numbers: crm_data.daily.loyalty_report (= `crm report loyalty`); writes: crm_data.daily.loyalty,
crm_data.summaries.loyalty_expiry, crm_data.admin.settings. Redemption: the customer page."""

import plotly.graph_objects as go
import streamlit as st

from crm_data.admin import settings
from crm_data.daily import loyalty, loyalty_report
from crm_data.domain.clock import today
from crm_data.domain.formatting import bucket_label
from crm_data.summaries import loyalty_expiry
from crm_data.writes import NotFound, ValidationFailed
from crm_ui import cache, charts, reportkit, safe, state, widgets
from crm_ui.i18n import t
from crm_ui.partial_buckets import mark_partial

FLASH = "loyalty_page_flash"
SETTING_KEYS = ("loyalty.vnd_per_point", "loyalty.expiry_months", "loyalty.discount_vnd_per_point")
scope = state.require_scope()
widgets.require_personal_data(scope)
lang = state.lang()
engine = state.engine()
period, granularity = widgets.period_picker(default="last_12m")
current = {key: cache.query(settings.get, key) for key in SETTING_KEYS}


def _errors(exc: ValidationFailed, label_keys: dict) -> None:
    """Each refused field: its label, then the reason (message keys of the data layer)."""
    for field, err in exc.errors.items():
        st.error(f"{t(label_keys.get(field, 'loyalty.save'))}: {safe.md(t(err.key, **err.values))}")


def _done(message: str) -> None:
    cache.clear()
    st.session_state[FLASH] = message
    st.rerun()


st.title(t("loyalty.title"))
months = current["loyalty.expiry_months"]
st.caption(t("loyalty.caption", vnd=widgets.money(current["loyalty.vnd_per_point"]),
             expiry=t("loyalty.expiry_on", months=widgets.num(months)) if months else t("loyalty.expiry_off")))
if msg := st.session_state.pop(FLASH, None):
    st.success(msg)

liab = cache.query(loyalty_report.liability, scope)
m = st.columns(3)
m[0].metric(t("loyalty.points_out"), widgets.num(liab["points"]), border=True)
m[1].metric(t("loyalty.liability"), widgets.short_money(liab["liability_vnd"]), border=True,
            help=t("loyalty.liability_help", vnd=widgets.money(liab["vnd_per_point"])))
m[2].metric(t("loyalty.holders"), widgets.num(liab["holders"]), border=True)

st.subheader(t("loyalty.by_period"))
moves = cache.query(loyalty_report.by_period, scope, period, granularity)
if not moves[list(loyalty_report.MOVES)].any().any():
    widgets.empty_state()
else:
    labels = [bucket_label(b, granularity, lang) for b in moves["bucket"]]
    cut = mark_partial(period, granularity, moves["bucket"])
    fig = go.Figure()
    for i, col in enumerate(("earned", "redeemed", "expired")):
        cut.add_bars(fig, labels, moves[col], t(f"rcol.{col}"), charts.PALETTE[i],
                     "%{x}<br>%{y:,d}%{customdata}<extra></extra>")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text=t("loyalty.points_axis"), tickformat=",d")
    fig.update_layout(barmode="group")
    reportkit.chart(fig, moves, f"tich_diem_{granularity}", key="moves", height=360,
                    fmt={"granularity": granularity})
    cut.caption()

st.subheader(t("loyalty.top_holders"))
top = cache.query(loyalty_report.top_holders, scope, 20)
if top.empty:
    widgets.empty_state()
else:
    shown = top.drop(columns=["customer_id"])
    reportkit.table(shown)
    reportkit.download(shown, "khach_nhieu_diem", key="dl_top_holders")

st.subheader(t("loyalty.gifts"))
gifts = cache.query(loyalty_report.gifts)
GIFT_HEADERS = {"name": t("loyalty.gift_name"), "gift_active": t("col.gift_active")}
if gifts.empty:
    st.info(t("loyalty.gifts_none"), icon=":material/redeem:")
else:
    listed = gifts.drop(columns=["id"]).rename(columns={"active": "gift_active"})
    reportkit.table(listed, headers=GIFT_HEADERS, nums=("points_cost", "stock", "given"))

GIFT_LABELS = {"name": "loyalty.gift_name", "points_cost": "loyalty.gift_cost", "stock": "loyalty.gift_stock"}


def _gift_fields(prefix: str, initial: dict) -> dict:
    return {
        "name": st.text_input(t("loyalty.gift_name"), value=initial.get("name", ""), key=f"{prefix}_name",
                              max_chars=200),
        "points_cost": st.text_input(t("loyalty.gift_cost"), value=str(initial.get("points_cost", "")),
                                     key=f"{prefix}_cost"),
        "stock": st.text_input(t("loyalty.gift_stock"), value=str(initial.get("stock", "")),
                               key=f"{prefix}_stock"),
        "active": st.checkbox(t("loyalty.gift_active"), value=bool(initial.get("active", True)),
                              key=f"{prefix}_active"),
    }


if scope.role in loyalty.GIFT_MANAGERS:
    with st.expander(t("loyalty.gift_add"), icon=":material/add:"), st.form("f_gift_add"):
        raw = _gift_fields("ga", {})
        if st.form_submit_button(t("loyalty.save")):
            try:
                loyalty.add_gift(engine, scope, raw)
            except ValidationFailed as exc:
                _errors(exc, GIFT_LABELS)
            else:
                _done(t("loyalty.gift_saved"))
    if not gifts.empty:
        with st.expander(t("loyalty.gift_edit"), icon=":material/edit:"):
            names = dict(zip(gifts["id"].tolist(), gifts["name"].tolist(), strict=True))
            gid = st.selectbox(t("loyalty.gift_pick"), list(names), key="ge_pick",
                               format_func=lambda i: names.get(i, ""))
            row = gifts[gifts["id"] == gid].iloc[0].to_dict()
            with st.form("f_gift_edit"):
                raw = _gift_fields(f"ge{gid}", row)
                if st.form_submit_button(t("loyalty.save")):
                    try:
                        loyalty.update_gift(engine, scope, int(gid), raw)
                    except ValidationFailed as exc:
                        _errors(exc, GIFT_LABELS)
                    except NotFound:
                        st.error(t("loyalty.invalid.no_gift"))
                    else:
                        _done(t("loyalty.gift_saved"))

if scope.can_admin:
    st.subheader(t("loyalty.settings"))
    st.caption(t("loyalty.settings_help"))
    setting_labels = {key: f"loyalty.setting.{key.split('.', 1)[1]}" for key in SETTING_KEYS}
    with st.form("f_loyalty_settings"):
        typed = {key: st.text_input(t(setting_labels[key]), value=str(current[key]), key=f"set_{key}")
                 for key in SETTING_KEYS}
        if st.form_submit_button(t("loyalty.save")):
            failed = False
            for key, value in typed.items():
                if str(value).strip() == str(current[key]):
                    continue
                try:
                    settings.set_value(engine, scope, key, value)
                except ValidationFailed as exc:
                    _errors(exc, setting_labels)
                    failed = True
            if not failed:
                _done(t("loyalty.settings_saved"))
            cache.clear()  # what was saved before a refused field
    if months and st.button(t("loyalty.expire_now"), key="expire_now", icon=":material/event_busy:"):
        customers, points = loyalty_expiry.expire_all(engine, today(), scope)
        _done(t("loyalty.expired_now", points=widgets.num(points), count=widgets.num(customers)))
