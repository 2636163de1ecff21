"""The customer page's lead-scoring and churn-reason section: the score explained point by
point, the questionnaire form (editors), and for a buyer the "why did they leave" form.
Data: crm_data.leadscore.scoring, crm_data.writes.churn."""

from __future__ import annotations

import streamlit as st

from crm_data.accounts.scope import Scope
from crm_data.leadscore import questionnaire, scoring
from crm_data.writes import NotFound, ValidationFailed, churn
from crm_ui import cache, safe, state, widgets
from crm_ui.i18n import label, t

FLASH = "customer_flash"  # pages/customer.py shows it after the rerun


def _errors(exc: ValidationFailed, names: dict[str, str]) -> None:
    """Each refused field under its label (a question's own text, escaped)."""
    for field, err in exc.errors.items():
        st.error(f"{safe.md(names.get(field, field))}: {safe.md(t(err.key, **err.values))}")


def _done(message: str) -> None:
    cache.clear()
    st.session_state[FLASH] = message
    st.rerun()


def show(scope: Scope, customer_id: int, customer: dict, stats: dict) -> None:
    st.subheader(t("lead.section"))
    score, grade = customer.get("lead_score"), customer.get("lead_grade")
    if score is None:
        st.caption(t("lead.no_score"))
    else:
        st.text(t("lead.score_line", score=score, grade=label("lead_grade", grade)))
        why = cache.query(scoring.explain, scope, customer_id, state.lang())
        if not why.empty and why["answer"].notna().any():
            st.dataframe(why.assign(answer=why["answer"].fillna("—")), hide_index=True,
                         column_order=["question", "answer", "points"],
                         column_config={c: t(f"lead.col.{c}") for c in ("question", "answer", "points")})
        else:
            st.caption(t("lead.no_answers"))
    if scope.can_edit:
        _questionnaire_form(scope, customer_id)
    if (stats.get("orders_count") or 0) > 0:
        _churn(scope, customer_id)


def _questionnaire_form(scope: Scope, customer_id: int) -> None:
    lang = state.lang()
    questions = cache.query(questionnaire.load)
    answers = cache.query(scoring.current_answers, scope, customer_id)
    with st.expander(t("lead.form_title")), st.form(f"f_lead_{customer_id}"):
        picked = {}
        for q in questions:
            keys = [o.key for o in q.options]
            texts = {o.key: f"{o.text(lang)} ({o.points:+d})" for o in q.options}
            current = answers.get(q.key)
            picked[q.key] = st.radio(
                safe.md(q.text(lang)), keys, index=keys.index(current) if current in keys else None,
                key=f"lead_{q.key}", format_func=lambda k, texts=texts: safe.md(texts[k]))
        if st.form_submit_button(t("lead.save")):
            try:
                score, grade = scoring.save_answers(state.engine(), scope, customer_id, picked)
            except ValidationFailed as exc:
                _errors(exc, {q.key: q.text(lang) for q in questions})
            except NotFound:
                st.error(t("customer.not_found"))
            else:
                _done(t("lead.saved", score="—" if score is None else score,
                        grade=label("lead_grade", grade)))


def _churn(scope: Scope, customer_id: int) -> None:
    st.subheader(t("churn.section"))
    last = cache.query(churn.latest, scope, customer_id)
    if last:
        st.text(t("churn.latest", reason=label("churn_reason", last["reason"]),
                  date=widgets.day(last["recorded_at"]), by=last["by"] or ""))
        if last["note"]:
            st.text(last["note"])
    if not scope.can_edit:
        return
    with st.expander(t("churn.form_title")), st.form(f"f_churn_{customer_id}"):
        reason = st.selectbox(t("churn.reason"), list(churn.REASONS), index=None,
                              placeholder=t("common.choose"), key="churn_reason",
                              format_func=lambda r: label("churn_reason", r))
        note = st.text_area(t("churn.note"), key="churn_note")
        if st.form_submit_button(t("churn.save")):
            try:
                churn.record_churn_reason(state.engine(), scope, customer_id,
                                          {"reason": reason, "note": note})
            except ValidationFailed as exc:
                _errors(exc, {"reason": t("churn.reason"), "note": t("churn.note")})
            except NotFound:
                st.error(t("customer.not_found"))
            else:
                _done(t("churn.saved"))
