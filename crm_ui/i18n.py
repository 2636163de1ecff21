"""t() and label() in the session's language."""

from __future__ import annotations

from crm_data import i18n as _i18n
from crm_ui.state import lang


def t(key: str, /, **kwargs) -> str:
    return _i18n.t(key, lang(), **kwargs)


def t_escaped(key: str, /, **kwargs) -> str:
    """t() whose text values (names, what an error echoes back) are Markdown-escaped."""
    from crm_ui.safe import md

    return t(key, **{k: md(v) if isinstance(v, str) else v for k, v in kwargs.items()})


def label(field: str, value) -> str:
    return _i18n.label(field, value, lang())


def labeller(field: str):
    """format_func for widgets over enumeration values. The language is captured now:
    a format_func may be called outside the script run (AppTest does), where the session's
    language cannot be read."""
    current = lang()
    return lambda value: _i18n.label(field, value, current)


def key_formatter(prefix: str):
    """format_func showing t(prefix + value), language captured like labeller."""
    current = lang()
    return lambda value: _i18n.t(f"{prefix}{value}", current)
