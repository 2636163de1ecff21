"""Problems an import reports: a file that cannot be read, and issues of one cell or row."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileProblem(Exception):
    """The file as a whole cannot be imported (unreadable, too large, no such sheet, …)."""

    key: str  # i18n key, "import.file.<what>"
    values: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Issue:
    """One reason a row is rejected or skipped, or a note about a converted value."""

    key: str  # i18n key: "invalid.<what>" (crm_data.records.validation) or "import.<what>"
    values: dict = field(default_factory=dict, hash=False, compare=False)
    column: str | None = None  # the file's header of the cell, when it is about one cell
