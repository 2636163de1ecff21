"""data_version: a token every write replaces, so cached results can be keyed on it
(in this process, in other Streamlit sessions and after a CLI import alike)."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from crm_data.domain.clock import now
from crm_data.storage.models import AppMeta

DATA_VERSION = "data_version"


def bump_data_version(session: Session) -> None:
    token = uuid.uuid4().hex
    changed = session.execute(
        update(AppMeta).where(AppMeta.key == DATA_VERSION).values(value=token, updated_at=now())
    ).rowcount
    if not changed:
        session.add(AppMeta(key=DATA_VERSION, value=token, updated_at=now()))


def data_version(engine: Engine) -> str:
    with engine.connect() as conn:
        value = conn.execute(select(AppMeta.value).where(AppMeta.key == DATA_VERSION)).scalar()
    return value or "0"
