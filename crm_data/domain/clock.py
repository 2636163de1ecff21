"""Business time: Vietnam local time (UTC+7, no DST), stored naive everywhere.

Every "now" of the data layer, the forms and the sample data comes from here, never from
the server's clock (`datetime.now()`, `date.today()`, SQL `now()`): a server on UTC would
otherwise stamp a call made at 13:43 in Hà Nội as 06:43 (tests/test_time_and_churn.py
checks the source for such calls)."""

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


def at_time_now(day: dt.date) -> dt.datetime:
    """`day` at the current Vietnam time of day: a form that asks only for the date of
    something that happened (a call, a sale) records it at the time it is entered."""
    return dt.datetime.combine(day, now().time())
