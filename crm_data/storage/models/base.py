"""The declarative base every table derives from, and the money column type (the conventions
are in the package docstring)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The unit of work orders a flush's INSERTs across mappers without relationship()s
        # by the mapper's "module.Class" key: one module name for every table keeps that
        # order by class name, as when the tables lived in one module (a Customer is
        # inserted before the Feedback added with it in the same flush).
        cls.__mapper__._sort_key = f"{__name__.rpartition('.')[0]}.{cls.__name__}"


Money = BigInteger
# Completed and not paid in full at checkout: the partial index ix_orders_open.
OPEN_ORDER_SQL = "status = 'completed' AND amount > paid_amount"
