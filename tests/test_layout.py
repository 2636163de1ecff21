"""The package layout is the architecture (docs/architecture.md): each top-level part of
crm_data imports only from its own band or the bands below it, every module says what it is
for, and no module grows past what a reader takes in at once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crm_data"

# Lowest first. A part may import its own band and the bands below, never a band above.
BANDS = [
    ("foundation", {"domain", "i18n"}),
    ("storage", {"storage"}),
    ("identity", {"accounts", "audit"}),
    ("records", {"records", "admin"}),
    ("filters", {"filters"}),
    ("summaries", {"rules", "summaries"}),
    ("application", {"customers", "reports", "writes", "imports", "privacy", "daily", "clv",
                     "dedupe", "leadscore", "lookalike"}),
    ("entry points", {"commands", "cli", "sample"}),
]
RANK = {part: i for i, (_, parts) in enumerate(BANDS) for part in parts}
MAX_LINES = 400


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _part(dotted: str) -> str | None:
    bits = dotted.split(".")
    return bits[1] if len(bits) > 1 and bits[0] == "crm_data" else None


def _imports(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "crm_data":
                for a in node.names:
                    yield node.lineno, f"crm_data.{a.name}"
            else:
                yield node.lineno, node.module


def _part_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def test_every_top_level_part_has_a_band():
    parts = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
             if p.suffix == ".py" or (p / "__init__.py").exists()} - {"__init__"}
    assert parts - RANK.keys() == set(), "add the new part to BANDS and docs/architecture.md"
    assert RANK.keys() - parts == set()


def test_no_import_goes_up_a_band():
    upward = []
    for path, tree in _modules():
        src = _part_of(path)
        if src == "__init__":
            continue
        for line, target in _imports(tree):
            dst = _part(target)
            if dst is not None and RANK[dst] > RANK[src]:
                upward.append(f"{path.relative_to(ROOT)}:{line} {src} → {dst}")
    assert upward == []


def test_the_band_check_sees_an_upward_import():
    # the check itself must be able to fail
    tree = ast.parse("def f():\n    from crm_data.reports import overview\n")
    targets = {_part(t) for _, t in _imports(tree)}
    assert RANK["reports"] > RANK["storage"] and "reports" in targets


@pytest.mark.parametrize("folder", ["crm_data", "pages"])
def test_no_module_over_the_size_a_reader_takes_in(folder):
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / folder).rglob("*.py"))
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_every_module_says_what_it_is_for():
    silent = [str(path.relative_to(ROOT)) for path, tree in _modules()
              if not ast.get_docstring(tree) and path.read_text().strip()]
    assert silent == []


DOC = ROOT / "docs" / "architecture.md"


def _resolves(dotted: str) -> bool:
    import importlib

    bits = dotted.split(".")
    for i in range(len(bits), 0, -1):
        try:
            obj = importlib.import_module(".".join(bits[:i]))
        except ModuleNotFoundError:
            continue
        for name in bits[i:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_architecture_page_names_only_what_exists():
    text = DOC.read_text()
    named = set(re.findall(r"`((?:crm_data|crm_ui)(?:\.\w+)+)`", text))
    named |= set(re.findall(r"\b((?:crm_data|crm_ui)\.[\w.]*\w)\(", text))
    assert len(named) > 40
    assert sorted(d for d in named if not _resolves(d)) == []
    for part in RANK:
        assert f"`{part}" in text, f"{part} is not on the architecture page"


def test_architecture_page_lists_every_page():
    listed = set(re.findall(r"`(pages/\w+\.py)`", DOC.read_text()))
    on_disk = {str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py")}
    assert listed == on_disk
