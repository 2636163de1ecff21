"""t() and label() in the session's language."""

from __future__ import annotations

from crm_data import i18n as _i18n
from crm_ui.state import lang


def t(key: str, /, **kwargs) -> str:
    return _i18n.t(key, lang(), **kwargs)


def label(field: str, value) -> str:
    return _i18n.label(field, value, lang())


def labeller(field: str):
    """format_func for widgets over enumeration values."""
    return lambda value: label(field, value)
