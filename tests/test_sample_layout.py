"""crm_data.sample is a package of small parts, each saying in one line what it is for."""

from __future__ import annotations

import ast
from pathlib import Path

from crm_data import sample

PACKAGE = Path(sample.__file__).parent
MAX_LINES = 350


def test_sample_parts_are_small_and_say_in_one_line_what_they_are_for():
    parts = sorted(PACKAGE.glob("*.py"))
    assert PACKAGE.name == "sample" and len(parts) > 10
    for path in parts:
        text = path.read_text(encoding="utf-8")
        assert text.count("\n") <= MAX_LINES, path.name
        doc = ast.get_docstring(ast.parse(text))
        assert doc and "\n" not in doc, path.name
    assert sorted(p.name for p in PACKAGE.parent.glob("sample*.py")) == []  # no stray helpers
