"""How the complaints desk shows its rows: the list (on screen and in the CSV, the same words),
the thread, resolution times in hours. Display only: the rows come from
crm_data.daily.complaints."""

from __future__ import annotations

import pandas as pd

from crm_data.accounts.auth import user_names
from crm_data.daily import complaint_export
from crm_data.domain import formatting
from crm_data.i18n import label
from crm_ui import cache
from crm_ui.state import lang


def headers(columns, language: str) -> dict:
    return complaint_export.headers(columns, language)


def list_frame(rows: pd.DataFrame, owners: dict | None = None) -> pd.DataFrame:
    """The desk's list as shown (crm_data.daily.complaint_export.shown)."""
    return complaint_export.shown(rows, lang(), owners if owners is not None else cache.query(user_names))


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
