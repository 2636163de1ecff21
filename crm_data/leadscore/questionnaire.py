"""The lead-scoring questionnaire as data: questions and answer options with points, their
order and whether they are asked; grade thresholds. Edited by an admin, every change
audited with its old value, in one transaction.

A stored answer keeps the question's and option's keys (keys never change once made): when
an option's points change, the answers holding it and their customers' scores follow; a
question or option switched off is no longer asked, and answers already given still count
until the lead is re-scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from crm_data import audit
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.domain.text import fold
from crm_data.records.validation import Invalid, required_text
from crm_data.records.validation import blank as validation_blank
from crm_data.records.writing import ValidationFailed, collect
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import LeadAnswer, LeadOption, LeadQuestion

MAX_POINTS = 1000
TEXT_MAX = 200


@dataclass(frozen=True)
class Option:
    id: int
    key: str
    text_vi: str
    text_en: str
    points: int
    position: int
    active: bool

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text_vi


@dataclass(frozen=True)
class Question:
    id: int
    key: str
    text_vi: str
    text_en: str
    position: int
    active: bool
    options: list[Option] = field(default_factory=list)

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text_vi


def _session(bind):
    return bind if isinstance(bind, Session) else Session(bind=bind)


def load(bind, active_only: bool = True) -> list[Question]:
    """The questions in order with their options in order (active ones only by default)."""
    s = _session(bind)
    qs = s.execute(select(LeadQuestion).order_by(LeadQuestion.position, LeadQuestion.id)).scalars().all()
    opts = s.execute(select(LeadOption).order_by(LeadOption.position, LeadOption.id)).scalars().all()
    out = []
    for q in qs:
        if active_only and not q.active:
            continue
        mine = [Option(o.id, o.key, o.text_vi, o.text_en, o.points, o.position, o.active)
                for o in opts if o.question_id == q.id and (o.active or not active_only)]
        out.append(Question(q.id, q.key, q.text_vi, q.text_en, q.position, q.active, mine))
    if s is not bind:
        s.close()
    return out


def max_score(questions: list[Question]) -> int:
    return sum(max((o.points for o in q.options if o.active), default=0)
               for q in questions if q.active)


def _require_admin(scope: Scope) -> None:
    if not scope.can_admin:
        raise PermissionError("the questionnaire is edited by an admin")


def _int(value, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise Invalid("setting.invalid.range", {"low": low, "high": high})
    return number


def make_key(text: str, taken: set[str]) -> str:
    """'Ngân sách' → 'ngan_sach' (…_2 when taken)."""
    base = re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")[:28] or "q"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


def _texts(raw: dict) -> dict:
    return collect({
        "text_vi": lambda: required_text(raw.get("text_vi"), TEXT_MAX),
        "text_en": lambda: required_text(raw.get("text_en") or raw.get("text_vi"), TEXT_MAX),
        "position": lambda: _int(raw.get("position", 0), 0, 999),
    })


def save_question(engine: Engine, scope: Scope, raw: dict, options: list[dict] | None = None) -> int:
    """Add (no "id") or change a question — texts, position, active — and, given `options`,
    add or change its answer options (see save_options), in one transaction. Returns its id."""
    _require_admin(scope)
    values = _texts(raw)
    values["active"] = bool(raw.get("active", True))
    cleaned = _clean_options(options or [])
    with unit_of_work(engine) as s:
        q = _question(s, scope, raw.get("id"), values)
        for oid, option in cleaned:
            _save_option(s, scope, q, oid, option)
        return q.id


def _question(s: Session, scope: Scope, question_id, values: dict) -> LeadQuestion:
    if question_id:
        q = s.get(LeadQuestion, int(question_id))
        if q is None:
            raise ValidationFailed({"id": Invalid("invalid.choice", {"value": str(question_id),
                                                                     "choices": ""})})
        before = {k: getattr(q, k) for k in values}
        changed = {k: v for k, v in values.items() if before[k] != v}
        if changed:
            for k, v in changed.items():
                setattr(q, k, v)
            audit.record(s, scope, "update", "lead_question", q.key,
                         before={k: before[k] for k in changed}, after=changed)
        return q
    taken = set(s.scalars(select(LeadQuestion.key)))
    q = LeadQuestion(key=make_key(values["text_vi"], taken), **values)
    s.add(q)
    s.flush()
    audit.record(s, scope, "create", "lead_question", q.key, after={"key": q.key, **values})
    return q


def _clean_options(rows: list[dict]) -> list[tuple[object, dict]]:
    """(id or None, values) of each option row; rows with no text and no id are the form's
    blank row. Every bad field of every row is reported at once ("points.2")."""
    rows = [r for r in rows if r.get("id") or not validation_blank(r.get("text_vi"))]
    cleaned, errors = [], {}
    for i, raw in enumerate(rows):
        try:
            values = _texts(raw)
            values["points"] = _int(raw.get("points"), -MAX_POINTS, MAX_POINTS)
        except ValidationFailed as exc:
            errors.update({f"{k}.{i + 1}": v for k, v in exc.errors.items()})
            continue
        except Invalid as exc:
            errors[f"points.{i + 1}"] = exc
            continue
        values["active"] = bool(raw.get("active", True))
        cleaned.append((raw.get("id"), values))
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def save_options(engine: Engine, scope: Scope, question_id: int, rows: list[dict]) -> list[int]:
    """Add (no "id") or change answer options of a question — texts, points, position,
    active — in one transaction. Changed points re-score every lead holding that answer
    (set-based)."""
    _require_admin(scope)
    cleaned = _clean_options(rows)
    with unit_of_work(engine) as s:
        q = s.get(LeadQuestion, int(question_id))
        if q is None:
            raise ValidationFailed({"question_id": Invalid("invalid.choice", {
                "value": str(question_id), "choices": ""})})
        return [_save_option(s, scope, q, oid, values) for oid, values in cleaned]


def _save_option(s: Session, scope: Scope, q: LeadQuestion, option_id, values: dict) -> int:
    from crm_data.leadscore.scoring import rescore

    if option_id:
        o = s.get(LeadOption, int(option_id))
        if o is None or o.question_id != q.id:
            raise ValidationFailed({"id": Invalid("invalid.choice", {"value": str(option_id),
                                                                     "choices": ""})})
        before = {k: getattr(o, k) for k in values}
        changed = {k: v for k, v in values.items() if before[k] != v}
        if not changed:
            return o.id
        for k, v in changed.items():
            setattr(o, k, v)
        s.flush()
        audit.record(s, scope, "update", "lead_option", f"{q.key}.{o.key}",
                     before={k: before[k] for k in changed}, after=changed)
        if "points" in changed:
            held = (LeadAnswer.question_key == q.key) & (LeadAnswer.answer_key == o.key)
            s.execute(update(LeadAnswer).where(held).values(points=o.points)
                      .execution_options(synchronize_session=False))
            rescore(s, held)
        return o.id
    taken = set(s.scalars(select(LeadOption.key).where(LeadOption.question_id == q.id)))
    o = LeadOption(question_id=q.id, key=make_key(values["text_vi"], taken), **values)
    s.add(o)
    s.flush()
    audit.record(s, scope, "create", "lead_option", f"{q.key}.{o.key}",
                 after={"key": o.key, **values})
    return o.id


def set_thresholds(engine: Engine, scope: Scope, hot, warm) -> tuple[int, int]:
    """Change the grade thresholds (warm < hot), audited; every stored score regraded."""
    from crm_data.leadscore.scoring import regrade, thresholds

    _require_admin(scope)
    errors = {}
    values = {}
    for name, raw in (("leadscore.hot_min", hot), ("leadscore.warm_min", warm)):
        _, low, high = settings.DEFAULTS[name]
        try:
            values[name] = _int(raw, low, high)
        except Invalid as exc:
            errors[name] = exc
    if not errors and values["leadscore.warm_min"] >= values["leadscore.hot_min"]:
        errors["leadscore.warm_min"] = Invalid("leadscore.invalid.order", {})
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work(engine) as s:
        old_hot, old_warm = thresholds(s)
        for name, value in values.items():
            settings._store(s, name, value)  # noqa: SLF001 — one transaction for both
        audit.record(s, scope, "update", "setting", "leadscore.thresholds",
                     before={"hot_min": old_hot, "warm_min": old_warm},
                     after={"hot_min": values["leadscore.hot_min"],
                            "warm_min": values["leadscore.warm_min"]})
        regrade(s)
    return values["leadscore.hot_min"], values["leadscore.warm_min"]


def answered_leads(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count(func.distinct(LeadAnswer.customer_id)))).scalar())
