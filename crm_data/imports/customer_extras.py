"""Customer-import columns that are not columns of customers: the lead-scoring answers
("Ngân sách: Đã có ngân sách; Người ra quyết định: yes", keys or texts in either language)
and the churn reason with its note. Converted with the row, written after the customers
(their ids known), in the import's transaction: answers replace the lead's answers and
store score and grade; a reason is added as the customer's latest."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from crm_data.accounts.scope import Scope
from crm_data.domain.text import fold
from crm_data.imports.cells import Row, enum_parser
from crm_data.imports.errors import Issue
from crm_data.leadscore.scoring import store_answers
from crm_data.records import validation as v
from crm_data.records.validation import Invalid
from crm_data.writes import churn

FIELDS = ("lead_answers", "churn_reason", "churn_note")
_PAIRS = re.compile(r"[;\n]+")
_SPLIT = re.compile(r"\s*[:=]\s*")
_REASON = enum_parser("churn_reason")


def parse_answers(text, questions) -> dict[str, tuple[str, int]]:
    """'question: answer; …' → {question_key: (answer_key, points)} (Invalid on any unknown)."""
    out = {}
    for part in (p.strip() for p in _PAIRS.split(str(text))):
        if not part:
            continue
        bits = _SPLIT.split(part, maxsplit=1)
        q = _match(bits[0], questions) if len(bits) == 2 else None
        option = _match(bits[1], q.options) if q is not None else None
        if option is None:
            raise Invalid("leadscore.invalid.answer", {"value": part})
        out[q.key] = (option.key, option.points)
    return out


def _match(text: str, items):
    wanted = fold(text)
    return next((i for i in items if wanted in (i.key, fold(i.text_vi), fold(i.text_en))), None)


def convert(row: Row) -> dict:
    out = {"lead_answers": row.get("lead_answers", parse_answers, row.ctx.questions)}
    reason = row.get("churn_reason", _REASON, memo=True)
    note = row.get("churn_note", v.optional_text, churn.NOTE_MAX)
    if reason is not None:
        if reason == "other" and not note:  # as the form: "other" says what
            row.issues.append(Issue("invalid.required", {}, row.cells["churn_reason"][0]))
        else:
            out["churn"] = {"reason": reason, "note": note}
    return {k: val for k, val in out.items() if val}


def take(inserts, updates) -> list[tuple[object, dict]]:
    """The extra values of each planned row, removed from its column values."""
    out = []
    for p in (*inserts, *updates):
        found = {k: p.values.pop(k) for k in ("lead_answers", "churn") if k in p.values}
        if found:
            out.append((p, found))
    return out


def write(session: Session, scope: Scope, later, new_ids: dict[str, int]) -> None:
    for p, found in later:
        cid = p.existing_id if p.existing_id is not None else new_ids[p.values["code"]]
        if "lead_answers" in found:
            store_answers(session, cid, found["lead_answers"])
        if "churn" in found:
            churn.add_reason(session, scope, cid, found["churn"])
