"""Answers → score → grade, stored on the customer, and the score explained point by point.

The score is the sum of the points of the stored answers (lead_answers.points: the option's
points, kept in step when an admin changes them); the grade is hot when score >= the
hot threshold, warm when >= the warm threshold, cold otherwise (settings leadscore.*).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, Engine, case, delete, func, select, update
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.domain.clock import now
from crm_data.leadscore.questionnaire import load
from crm_data.records.validation import Invalid
from crm_data.records.writing import ValidationFailed, customer_row, require_editor
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, LeadAnswer

GRADES = ("hot", "warm", "cold")


def thresholds(bind) -> tuple[int, int]:
    """(hot_min, warm_min) as configured."""
    return settings.get(bind, "leadscore.hot_min"), settings.get(bind, "leadscore.warm_min")


def grade_of(score: int | None, hot: int, warm: int) -> str | None:
    if score is None:
        return None
    return "hot" if score >= hot else "warm" if score >= warm else "cold"


def grade_expr(score, hot: int, warm: int) -> ColumnElement[str]:
    """grade_of() in SQL."""
    return case((score.is_(None), None), (score >= hot, "hot"), (score >= warm, "warm"),
                else_="cold")


def _clean(session: Session, raw: dict) -> dict[str, tuple[str, int]]:
    """{question_key: answer_key or blank} → {question_key: (answer_key, points)}; only active
    questions and options; a blank answer leaves the question unanswered."""
    questions = {q.key: q for q in load(session)}
    out, errors = {}, {}
    for qkey, akey in raw.items():
        if akey in (None, ""):
            continue
        q = questions.get(qkey)
        option = next((o for o in q.options if o.key == akey), None) if q else None
        if option is None:
            errors[qkey] = Invalid("invalid.choice", {"value": str(akey), "choices": ""})
        else:
            out[qkey] = (akey, option.points)
    if errors:
        raise ValidationFailed(errors)
    return out


def _answers(session: Session, customer_id: int) -> dict[str, str]:
    return dict(session.execute(select(LeadAnswer.question_key, LeadAnswer.answer_key)
                                .where(LeadAnswer.customer_id == customer_id)
                                .order_by(LeadAnswer.question_key)).all())


def store_answers(session: Session, customer_id: int, answers: dict[str, tuple[str, int]]
                  ) -> tuple[int | None, str | None]:
    """Replace a customer's answers and store score and grade (in the caller's transaction);
    no answer at all leaves no score."""
    session.execute(delete(LeadAnswer).where(LeadAnswer.customer_id == customer_id))
    at = now()
    for qkey, (akey, points) in answers.items():
        session.add(LeadAnswer(customer_id=customer_id, question_key=qkey, answer_key=akey,
                               points=points, answered_at=at))
    score = sum(p for _, p in answers.values()) if answers else None
    grade = grade_of(score, *thresholds(session))
    session.flush()
    session.execute(update(Customer).where(Customer.id == customer_id)
                    .values(lead_score=score, lead_grade=grade)
                    .execution_options(synchronize_session=False))
    return score, grade


def save_answers(engine: Engine, scope: Scope, customer_id: int, raw: dict
                 ) -> tuple[int | None, str | None]:
    """The questionnaire form of a lead: answers saved, score and grade recomputed and
    stored, audited — one transaction. Returns (score, grade)."""
    require_editor(scope)
    with unit_of_work(engine) as s:
        before = customer_row(s, scope, customer_id)
        answers = _clean(s, raw)
        old = _answers(s, customer_id)
        score, grade = store_answers(s, customer_id, answers)
        audit.record(s, scope, "update", "customer", customer_id,
                     before={"lead_answers": old, "lead_score": before["lead_score"],
                             "lead_grade": before["lead_grade"]},
                     after={"lead_answers": {k: a for k, (a, _) in sorted(answers.items())},
                            "lead_score": score, "lead_grade": grade})
    return score, grade


def rescore(session: Session, where=None) -> None:
    """Score = Σ answer points, for the customers with answers (all, or those `where`
    selects among lead_answers), then their grade; set-based."""
    total = (select(func.sum(LeadAnswer.points)).where(LeadAnswer.customer_id == Customer.id)
             .scalar_subquery())
    who = select(LeadAnswer.customer_id)
    if where is not None:
        who = who.where(where)
    session.execute(update(Customer).where(Customer.id.in_(who)).values(lead_score=total)
                    .execution_options(synchronize_session=False))
    regrade(session)


def regrade(session: Session) -> None:
    """Every stored score graded with the thresholds in force (after a threshold change)."""
    hot, warm = thresholds(session)
    session.execute(update(Customer).where(Customer.lead_score.is_not(None))
                    .values(lead_grade=grade_expr(Customer.lead_score, hot, warm))
                    .execution_options(synchronize_session=False))


def explain(engine: Engine, scope: Scope, customer_id: int, lang: str = "vi") -> pd.DataFrame:
    """question, answer, points — one row per question of the questionnaire (unanswered
    ones with no answer and 0 points) plus answers to questions since removed; the points
    add up to the stored score."""
    with engine.connect() as conn, Session(bind=conn) as s:
        customer_row(s, scope, customer_id)
        questions = load(s, active_only=False)
        answers = {r.question_key: r for r in s.execute(
            select(LeadAnswer.question_key, LeadAnswer.answer_key, LeadAnswer.points)
            .where(LeadAnswer.customer_id == customer_id))}
    rows = []
    for q in questions:
        a = answers.pop(q.key, None)
        if a is None and not q.active:
            continue
        option = next((o for o in q.options if a is not None and o.key == a.answer_key), None)
        answer = (option.text(lang) if option else a.answer_key) if a is not None else None
        rows.append({"question_key": q.key, "question": q.text(lang), "answer": answer,
                     "points": int(a.points) if a is not None else 0})
    for key, a in sorted(answers.items()):  # a question deleted from the data since
        rows.append({"question_key": key, "question": key, "answer": a.answer_key,
                     "points": int(a.points)})
    return pd.DataFrame(rows, columns=["question_key", "question", "answer", "points"])


def current_answers(engine: Engine, scope: Scope, customer_id: int) -> dict[str, str]:
    """{question_key: answer_key} of a visible customer (the form's initial values)."""
    with engine.connect() as conn, Session(bind=conn) as s:
        customer_row(s, scope, customer_id)
        return _answers(s, customer_id)
