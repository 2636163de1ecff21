"""Tags: "Khách Sỉ", "khach si" and "khách_sỉ" are one tag.

A tag is matched by its folded key (crm_data.domain.text.fold, "_" read as a space) and shown with
the spelling first entered, kept once per key in the `tags` table. A customer row holds both
lists in the same order: tags ",Khách Sỉ,VIP," (display) and tag_keys ",khach si,vip,"
(the filter's LIKE '%,khach si,%').
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_data.domain.clock import now
from crm_data.domain.text import fold
from crm_data.storage.models import Tag

MAX_TAG = Tag.__table__.c.label.type.length


def key(tag: str | None) -> str:
    return " ".join(fold((tag or "").replace("_", " ")).split())


def spelled(tag: str) -> str:
    """The tag as typed, with its spaces tidied (commas separate tags)."""
    return " ".join(tag.replace(",", " ").split())


def parse(value) -> list[str]:
    """'VIP, khách sỉ, vip' or a list → ['VIP', 'khách sỉ']: one spelling per key, the first."""
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    out: dict[str, str] = {}
    for item in items:
        text = spelled(str(item or ""))
        if text and key(text):
            out.setdefault(key(text), text)
    return list(out.values())


def column(labels) -> str:
    """Labels → ',a,b,' sorted by key ("" when none); input: list or ',a,b,' / 'a, b'."""
    items = parse(labels.strip(",") if isinstance(labels, str) else labels)
    items.sort(key=key)
    return "," + ",".join(items) + "," if items else ""


def keys_column(tags_col: str | None) -> str:
    """The folded twin of a tags column."""
    keys = [key(t) for t in split(tags_col)]
    return "," + ",".join(keys) + "," if keys else ""


def split(tags_col: str | None) -> list[str]:
    return [t for t in (tags_col or "").split(",") if t]


def canonical(session: Session, typed) -> str:
    """The tags column for these typed tags, each in the spelling first entered; tags new to
    the database are registered with the spelling given here (in the caller's transaction)."""
    items = parse(typed.strip(",") if isinstance(typed, str) else typed)
    if not items:
        return ""
    wanted = {key(t): t for t in items}
    known = dict(session.execute(select(Tag.key, Tag.label).where(Tag.key.in_(list(wanted)))).all())
    stamp = now()
    for k, text in wanted.items():
        if k not in known:
            session.add(Tag(key=k, label=text, created_at=stamp))
            known[k] = text
    session.flush()
    return column([known[k] for k in wanted])


def canonical_many(session: Session, columns: list[str]) -> dict[str, str]:
    """canonical() for many distinct tags columns at once (imports): {typed: canonical}."""
    out: dict[str, str] = {}
    for col in dict.fromkeys(c for c in columns if c):
        out[col] = canonical(session, col)
    return out
