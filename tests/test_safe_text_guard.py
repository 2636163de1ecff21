"""Static guard for "user text stays text" (issue 11): no page or crm_ui helper hands a
composed string to an element that renders Markdown unless every part of it is known to be
safe (a literal, a translated message whose values are safe, a formatted number or date,
or text escaped with crm_ui.safe.md), and nothing uses unsafe_allow_html.

The check is deliberately simple (an AST walk of the call arguments). A bare variable is
accepted, so a message composed in one place (a flash message in session state) must be
composed safely where it is built: assignments to st.session_state are checked too. Loop
variables and function parameters are data and are refused where a label is expected."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([ROOT / "dashboard.py", *(ROOT / "crm_ui").glob("*.py"), *(ROOT / "pages").glob("*.py")])

# Elements whose body renders Markdown (first argument, or `body=`).
MARKDOWN = {"title", "header", "subheader", "write", "markdown", "caption", "success", "info",
            "warning", "error", "toast", "metric", "exception"}
# Widgets and containers whose label renders Markdown (first argument, or `label=`).
LABELLED = {"selectbox", "multiselect", "radio", "checkbox", "toggle", "text_input", "text_area",
            "number_input", "date_input", "time_input", "button", "download_button",
            "form_submit_button", "link_button", "page_link", "expander", "popover", "pills",
            "segmented_control", "file_uploader", "slider", "select_slider", "color_picker",
            "feedback", "chat_input", "status"}
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control"}
# Calls whose result holds no user text: the escaper, translations (checked separately),
# enumeration labels, number / money / date / phone formatters.
SAFE_CALLS = {"md", "label", "num", "money", "short_money", "pct", "day", "enum_label", "len",
              "int", "float", "compact_money", "signed_delta", "bucket_label", "phone", "vnd",
              "number", "percent", "date", "t_escaped"}
STRING_METHODS = {"lower", "upper", "strip", "rstrip", "lstrip", "title", "capitalize"}
# Translation placeholders that by the catalogue's convention hold counts and durations.
NUMBER_PLACEHOLDERS = {"n", "count", "minutes", "seconds", "days", "rows", "cols", "total", "done",
                       "shown", "page", "first", "last", "bad", "min"}
# Module-local helpers reviewed by hand: they return formatted numbers only.
REVIEWED_HELPERS = {"pages/overview.py": {"_value", "_delta", "_change_line"}}


class Checker(ast.NodeVisitor):
    def __init__(self, rel: str, tree: ast.Module):
        self.rel = rel
        self.problems: list[str] = []
        self.data_names = self._data_names(tree)

    @staticmethod
    def _data_names(tree) -> set[str]:
        """Names bound by loops, comprehensions and function parameters: values from data."""
        names: set[str] = set()
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.For | ast.comprehension):
                targets = [node.target]
            elif isinstance(node, ast.FunctionDef | ast.Lambda):
                args = node.args
                names.update(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        return names

    def safe(self, node, top: bool = False) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return top and node.id not in self.data_names
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
        if isinstance(node, ast.BinOp):
            return self.safe(node.left) and self.safe(node.right)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body, top) and self.safe(node.orelse, top)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(v, top) for v in node.values)
        if isinstance(node, ast.List | ast.Tuple):
            return all(self.safe(e, top) for e in node.elts)
        if isinstance(node, ast.Call):
            return self.safe_call(node)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
            return all(self.safe(v) for v in node.value.values)  # {"vi": "…", …}[code]
        return False

    def safe_call(self, node: ast.Call) -> bool:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name == "t":
            return all(kw.arg is not None and (kw.arg in NUMBER_PLACEHOLDERS or self.safe(kw.value))
                       for kw in node.keywords)
        if name == "join" and isinstance(func.value, ast.Constant) and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, ast.GeneratorExp | ast.ListComp):
                return self.safe(arg.elt)
            return isinstance(arg, ast.List | ast.Tuple) and self.safe(arg)
        if name in STRING_METHODS and isinstance(func, ast.Attribute):
            return self.safe(func.value)
        return name in SAFE_CALLS or name in REVIEWED_HELPERS.get(self.rel, set())

    def report(self, node, what: str) -> None:
        self.problems.append(f"{self.rel}:{node.lineno}: {what}: {ast.unparse(node)[:160]}")

    def visit_Call(self, node: ast.Call):
        func = node.func
        for kw in node.keywords:
            if kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                self.report(node, "unsafe_allow_html")
        if isinstance(func, ast.Attribute) and func.attr in MARKDOWN | LABELLED | {"tabs", "progress"}:
            first = node.args[0] if node.args else None
            for kw in node.keywords:
                if kw.arg in ("body", "label"):
                    first = kw.value
            if func.attr == "tabs" and first is not None:
                if not (isinstance(first, ast.List | ast.Tuple | ast.ListComp) and
                        all(self.safe(e) for e in getattr(first, "elts", [getattr(first, "elt", None)]))):
                    self.report(node, "tab labels")
            elif func.attr != "progress" and first is not None and not self.safe(first, top=True):
                self.report(node, f"st.{func.attr} text")
            for kw in node.keywords:
                # Radio, pills and segmented-control options render Markdown too
                # (selectbox / multiselect options do not: checked in Chromium).
                if kw.arg == "format_func" and func.attr in MARKDOWN_OPTIONS \
                        and isinstance(kw.value, ast.Lambda) and not self.safe(kw.value.body, top=True):
                    self.report(node, "option labels")
                if kw.arg in ("help", "text") and not self.safe(kw.value, top=True):
                    self.report(node, "help text")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign):
        # Flash messages: composed here, shown by st.success on the next run.
        for target in node.targets:
            if isinstance(target, ast.Subscript) and "session_state" in ast.unparse(target.value) \
                    and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                    and node.value.func.id == "t" and not self.safe(node.value, top=True):
                self.report(node, "flash message")
        self.generic_visit(node)


def check(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    checker = Checker(rel, tree)
    checker.visit(tree)
    return checker.problems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_user_text_reaches_markdown_only_escaped(path):
    problems = check(path)
    assert not problems, "user text into a Markdown element without crm_ui.safe.md:\n" + "\n".join(problems)


@pytest.mark.parametrize("source, bad", [
    ('st.title(f"{c[\'code\']} · {c[\'full_name\']}")', True),
    ('st.caption(c["notes"])', True),
    ('st.write(f"**{t(key)}:** {value}")', True),
    ('st.write(f"**{t(key)}:** {md(value)}")', False),
    ('st.success(t("x", name=name))', True),
    ('st.success(t("x", name=md(name), n=widgets.num(3)))', False),
    ('st.error(t(err.key, **err.values))', True),
    ('for h in headers:\n    col.selectbox(h, opts)', True),
    ('for h in headers:\n    col.selectbox(md(h), opts)', False),
    ('st.markdown("<b>x</b>", unsafe_allow_html=True)', True),
    ('st.session_state[FLASH] = t("saved", name=name.strip())', True),
    ('st.metric("x", 1, help=f"{row.title}")', True),
    ('st.tabs([t("a"), row.name])', True),
    ('msg = st.session_state.pop(F)\nst.success(msg)', False),
    ('st.radio("x", ids, format_func=lambda i: names[i])', True),
    ('st.radio("x", ids, format_func=lambda i: md(names[i]))', False),
    ('st.selectbox("x", ids, format_func=lambda i: names[i])', False),
])
def test_guard_catches_the_patterns(source, bad):
    tree = ast.parse(source)
    checker = Checker("pages/probe.py", tree)
    checker.visit(tree)
    assert bool(checker.problems) is bad, (source, checker.problems)
