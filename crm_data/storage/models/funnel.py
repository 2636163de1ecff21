"""The funnel rollup's table (maintained by crm_data.summaries.funnel_rollup)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_data.storage.models.base import Base


class FunnelRollup(Base):
    """Non-deleted customers per creation day / month ("d" / "m"), owner and region, three kinds:
    "reach" (stage = current pipeline stage, value = furthest rank of their pipeline
    changes, NULL without any), "stay" (stage = the stage of an ended pipeline stay, value =
    its length in tenths of a day) and "lost" (customers in 'lost' now, stage = the reason of
    their change to it, NULL when not recorded). n = customers (reach, lost) or stays."""

    __tablename__ = "funnel_rollup"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(5))  # reach | stay | lost
    grain: Mapped[str] = mapped_column(String(1))  # d | m (x: a month's delta inside a write)
    start: Mapped[dt.date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(8))  # the customers' region
    stage: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[int | None] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)

    # Covering: a report reads one kind over a range of cells without the table.
    __table_args__ = (Index("ix_funnel_rollup_cell", "kind", "grain", "start", "owner_id", "region",
                            "stage", "value", "n"),)
