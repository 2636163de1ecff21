"""Text folding for search: lower case, no diacritics, đ → d."""

from __future__ import annotations

import re
import unicodedata

# đ / Đ are letters of their own, not d + a combining mark: NFD leaves them alone.
_D = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def search_text(*parts: str | None) -> str:
    """The normalised search column: folded parts joined by a separator that no term holds."""
    return " | ".join(fold(p) for p in parts if p)
