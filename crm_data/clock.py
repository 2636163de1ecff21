"""Business time: Vietnam local time (UTC+7, no DST), stored naive everywhere."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    return dt.datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    """Today in Vietnam; CRM_TODAY=yyyy-mm-dd pins it (tests, demos, benchmarks)."""
    pinned = os.environ.get("CRM_TODAY")
    if pinned:
        return dt.date.fromisoformat(pinned)
    return now().date()
