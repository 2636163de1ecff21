"""The file's keys seen in earlier chunks of an import (customer code / phone / email, order
code) → a small record, kept in a temporary SQLite file beside the import instead of a
dictionary that would grow with the file. Each chunk asks for its own keys at once."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable

_BATCH = 500
SEP = "\x1f"


class KeyStore:
    def __init__(self):
        self._dir = tempfile.mkdtemp(prefix="crm_import_")
        self._db = sqlite3.connect(os.path.join(self._dir, "keys.db"))
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-8000",
                       "temp_store=FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID")

    def get_many(self, keys: Iterable[str]) -> dict[str, object]:
        wanted = list(dict.fromkeys(keys))
        out: dict[str, object] = {}
        for start in range(0, len(wanted), _BATCH):
            part = wanted[start:start + _BATCH]
            marks = ",".join("?" * len(part))
            for k, v in self._db.execute(f"SELECT k, v FROM kv WHERE k IN ({marks})", part):  # noqa: S608
                out[k] = pickle.loads(v)  # noqa: S301 - written by this process just before
        return out

    def put_many(self, items: dict[str, object]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)",
                             ((k, pickle.dumps(v)) for k, v in items.items()))

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._dir, ignore_errors=True)


def key(name: str, value) -> str:
    return f"{name}{SEP}{value}"
