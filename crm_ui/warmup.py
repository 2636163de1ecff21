"""Server start-up: load what the pages import, then freeze the heap (gc.freeze).

Streamlit runs a full garbage collection after every script run (runner.postScriptGC), and
while it runs it holds the GIL: the server sends the page nothing until it is over. With the
libraries on the heap (~250,000 objects: Streamlit, pandas, Plotly, SQLAlchemy, crm_data)
each click paid for walking all of them (docs/performance.md, "Click to finished page").
Objects frozen here are skipped by every later collection; objects made by script runs are
collected as before. Loading the pages' modules here also takes their import time off the
first visit of each page.
"""

from __future__ import annotations

import ast
import gc
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Loaded by Streamlit only when a page first draws a chart or a dataframe.
LAZY = ("pyarrow", "plotly.io", "plotly.express", "streamlit.elements.plotly_chart")


def page_imports(root: Path = ROOT) -> list[str]:
    """Every module the page files import (what a first visit would load)."""
    names: set[str] = set()
    for path in sorted((root / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                for alias in node.names:  # `from crm_data import customers`: a submodule
                    sub = f"{node.module}.{alias.name}"
                    if find_spec(node.module) and _is_module(sub):
                        names.add(sub)
    return sorted(names)


def _is_module(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def preload_and_freeze(root: Path = ROOT) -> int:
    """Import the pages' modules, collect once, freeze; returns how many objects froze."""
    for name in (*page_imports(root), *LAZY):
        if _is_module(name):
            import_module(name)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
