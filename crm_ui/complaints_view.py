"""How the complaints desk shows its rows: the list (on screen and in the CSV, the same words),
the thread, resolution times in hours. Display only: the rows come from
crm_data.daily.complaints."""

from __future__ import annotations

import pandas as pd

from crm_data import formatting
from crm_data.auth import user_names
from crm_data.display import present
from crm_data.i18n import label, t
from crm_ui import cache
from crm_ui.state import lang

LIST_COLUMNS = ("overdue", "id", "opened_at", "code", "full_name", "kind", "status", "subject",
                "owner_id", "age_days", "reopens", "resolved_at")
ENUMS = {"kind": "feedback_kind", "status": "feedback_status"}


def headers(columns, language: str) -> dict:
    return {c: t(f"complaints.col.{c}", language) for c in columns}


def list_frame(rows: pd.DataFrame, csv: bool = False, language: str | None = None,
               owners: dict | None = None) -> pd.DataFrame:
    """The desk's list as read: overdue as a warning mark (not a colour), labels, owner names,
    dd/mm/yyyy; the CSV keeps numbers as numbers."""
    language = language or lang()
    owners = owners if owners is not None else cache.query(user_names)
    df = rows[list(LIST_COLUMNS)].assign(
        overdue=rows["overdue"].map(lambda v: t("complaints.overdue_icon", language) if v else ""),
        age_days=rows["age_days"].map(lambda v: round(float(v), 1)),
    )
    return present(df, language, csv=csv, enums=ENUMS, owners=owners, dates=("opened_at", "resolved_at"),
                   nums=("reopens",), decimals=("age_days",), headers=headers(LIST_COLUMNS, language))


def thread_frame(thread: pd.DataFrame, owners: dict) -> pd.DataFrame:
    """The thread: when, what (reply / assigned to X / resolved / reopened), by whom, text."""
    language = lang()

    def what(kind, assigned):
        text = label("feedback_note", kind, language)
        if kind == "assign" and assigned == assigned and assigned is not None:
            text += f" → {owners.get(int(assigned), str(int(assigned)))}"
        return text

    df = pd.DataFrame({
        "at": thread["at"].map(lambda v: f"{pd.Timestamp(v):%d/%m/%Y %H:%M}"),
        "note_kind": [what(k, a) for k, a in zip(thread["kind"], thread["assigned_to"], strict=True)],
        "by": thread["by"].fillna(""),
        "body": thread["body"].fillna(""),
    })
    return df.rename(columns=headers(df.columns, language))


def hours(value) -> str:
    return formatting.duration_hours(value, lang())
