"""The declarative base every table derives from, and the money column type (the conventions
are in the package docstring)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


Money = BigInteger
# Completed and not paid in full at checkout: the partial index ix_orders_open.
OPEN_ORDER_SQL = "status = 'completed' AND amount > paid_amount"
