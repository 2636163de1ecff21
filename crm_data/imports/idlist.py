"""Customer ids an import touched, 8 bytes each (a million-row import touches up to a million
customers; a Python set of them would be ~60 MB), handed back sorted and unique in batches
for the summary refresh. Sorted and de-duplicated by numpy over the array's own buffer: the
set() and sorted() this did before made a million int objects for a moment, 70 MB, the
million-customer import's second-highest peak."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

import numpy as np


class IdList:
    def __init__(self):
        self._ids = array("q")
        self._limit = 1_000_000  # compact past this; twice what is left after (not each chunk)

    def update(self, ids: Iterable[int | None]) -> None:
        self._ids.extend(i for i in ids if i is not None)
        if len(self._ids) > self._limit:
            self._compact()
            self._limit = max(self._limit, 2 * len(self._ids))

    def _compact(self) -> None:
        self._ids = array("q", np.unique(np.frombuffer(self._ids, dtype=np.int64)).tobytes())

    def batches(self, size: int) -> Iterator[list[int]]:
        self._compact()
        for start in range(0, len(self._ids), size):
            yield self._ids[start:start + size].tolist()

    def __len__(self) -> int:
        self._compact()
        return len(self._ids)
