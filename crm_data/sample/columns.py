"""Column data for one table (kinds, NULLs, lazy columns) and the plan handed to the writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Table

# Column data for one table, converted to driver values one chunk at a time.

_INT, _STR, _DATE, _DT, _BOOL = "int", "str", "date", "datetime", "bool"


@dataclass
class _Col:
    kind: str
    values: object  # numpy array, list, or a scalar for a constant column
    null: np.ndarray | None = None  # True where the value is NULL


class _TableData:
    def __init__(self, table: Table, n: int):
        self.table, self.n, self.cols = table, int(n), {}

    def add(self, name: str, kind: str, values, null=None) -> None:
        if name not in self.table.c:
            raise KeyError(f"{self.table.name}.{name}")
        if not np.isscalar(values) and values is not None and len(values) != self.n:
            raise ValueError(f"{self.table.name}.{name}: {len(values)} values for {self.n} rows")
        self.cols[name] = _Col(kind, values, null)


@dataclass
class _Plan:
    tables: list[_TableData]
    counts: dict[str, int]
    start: dt.date  # day 0 of the period
    tag_rows: list | None = None  # the tags registry (crm_data.sample.leadscore)


class _LazyCodes:
    """"DH0000001" … built per chunk instead of a million strings at once."""

    def __init__(self, prefix: str, width: int, n: int):
        self.prefix, self.width, self.n = prefix, width, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, s: slice) -> list[str]:
        numbers = np.arange(s.start + 1, min(s.stop, self.n) + 1).astype(f"U{self.width}")
        return np.strings.add(self.prefix, np.strings.zfill(numbers, self.width)).tolist()


class _Lookup:
    """values[index] per chunk (e.g. a product name for every order line)."""

    def __init__(self, values: np.ndarray, index: np.ndarray):
        self.values, self.index = values, index

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, s: slice) -> list:
        return self.values[self.index[s]].tolist()
