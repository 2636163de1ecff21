"""Customer ids an import touched, 8 bytes each (a million-row import touches up to a million
customers; a Python set of them would be ~60 MB), handed back sorted and unique in batches
for the summary refresh."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator


class IdList:
    def __init__(self):
        self._ids = array("q")

    def update(self, ids: Iterable[int | None]) -> None:
        self._ids.extend(i for i in ids if i is not None)
        if len(self._ids) > 1_000_000:
            self._compact()

    def _compact(self) -> None:
        self._ids = array("q", sorted(set(self._ids)))

    def batches(self, size: int) -> Iterator[list[int]]:
        self._compact()
        for start in range(0, len(self._ids), size):
            yield self._ids[start:start + size].tolist()

    def __len__(self) -> int:
        self._compact()
        return len(self._ids)
