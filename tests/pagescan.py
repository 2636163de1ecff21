"""What a page shows, as text: every element of an AppTest run (headings, captions, alerts,
metrics, widget labels and options, tables with their shown headers, chart texts) and the
CSV files its download buttons offer, plus the checks that no raw internal word shows.

Used by the page-scan tests (issue 12, findings 5, 6 and 11)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from crm_data import i18n

# Proto string fields that are identifiers or links, never shown as text.
_NOT_TEXT = {"id", "form_id", "url", "key", "type", "icon", "format", "deferred_file_id",
             "default", "value", "set_value", "spec", "theme", "arrow_data", "columns",
             "selection_mode", "page_script_hash", "page", "query_string", "placeholder_id",
             "width", "height", "mimetype", "filename", "tag", "anchor"}
_CHART_KEYS = {"name", "text", "hovertext", "hovertemplate", "texttemplate", "title", "x", "y",
               "labels", "ticktext", "customdata_label"}


def _proto_strings(proto) -> Iterator[str]:
    for desc, value in proto.ListFields():
        if desc.name in _NOT_TEXT:
            continue
        if desc.type == desc.TYPE_STRING:
            if isinstance(value, str):
                yield value
            else:
                yield from (v for v in value if v)
        elif desc.type == desc.TYPE_MESSAGE and desc.name in ("label", "help", "tooltip"):
            yield from _proto_strings(value)


def _chart_strings(spec) -> Iterator[str]:
    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, k)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v, key)
        elif isinstance(node, str) and key in _CHART_KEYS:
            yield node
    yield from walk(spec)


def shown_table(element) -> pd.DataFrame:
    """A st.dataframe as the user sees it: the visible columns under their shown headers."""
    df = element.value
    config = json.loads(element.proto.columns or "{}")
    order = list(element.proto.column_order) or [c for c in df.columns]
    out = {}
    for col in order:
        if col not in df.columns:
            continue
        conf = config.get(col) or config.get(f"_pos:{list(df.columns).index(col)}") or {}
        if conf.get("hidden"):
            continue
        out[conf.get("label") or str(col)] = df[col]
    return pd.DataFrame(out)


def texts(at) -> list[str]:
    """Every visible string of the app tree (tables: headers and cells)."""
    found: list[str] = []

    def visit(node):
        kind = getattr(node, "type", None)
        proto = getattr(node, "proto", None)
        if kind == "dataframe":
            table = shown_table(node)
            found.extend(str(c) for c in table.columns)
            for col in table.columns:
                # The grid draws a missing value as a grey "None".
                found.extend("None" if v is None or v != v else str(v) for v in table[col].tolist())
        elif kind == "plotly_chart" and proto is not None:
            found.extend(_chart_strings(json.loads(proto.spec or "{}")))
        elif proto is not None and hasattr(proto, "ListFields"):
            found.extend(_proto_strings(proto))
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return found


@contextmanager
def captured_files() -> Iterator[list[tuple[str, bytes]]]:
    """Files the app hands to download buttons while running: [(mimetype, bytes)]. A file
    made on click (a deferred `data=` callable, as audited downloads are) is made here, as
    a click would."""
    files: list[tuple[str, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            files.append((mimetype, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    def spy_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        data = data_callable()
        files.append((mimetype, data.encode("utf-8") if isinstance(data, str) else data))
        return original_deferred(self, lambda: data, mimetype, coordinates, file_name, **kwargs)

    MemoryMediaFileStorage.load_and_get_id = spy
    MediaFileManager.add_deferred = spy_deferred
    try:
        yield files
    finally:
        MemoryMediaFileStorage.load_and_get_id = original
        MediaFileManager.add_deferred = original_deferred


def csv_frames(files) -> list[tuple[list[str], list[list[str]]]]:
    """The CSV files among the captured ones: (header, rows)."""
    out = []
    for mimetype, data in files:
        if mimetype != "text/csv":
            continue
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        if rows:
            out.append((rows[0], rows[1:]))
    return out


# --- what counts as raw ---------------------------------------------------------------------

def raw_enum_values() -> set[str]:
    """Stored enumeration values whose Vietnamese label differs from them (`won`, `north`,
    `cash`…): seeing one of them on a Vietnamese page means a label was not applied."""
    cat = i18n.catalogue()
    out = set()
    for key, (vi, _en) in cat.items():
        if key.startswith("enum.") and key.count(".") >= 2:
            value = key.split(".", 2)[2]
            # "email", "zalo", "vip": the Vietnamese label is the same word.
            if value.lower() != vi.lower() and re.fullmatch(r"[a-z][a-z_]*", value):
                out.add(value)
    return out


def english_labels() -> set[str]:
    """English labels of enumeration values that differ from the Vietnamese ones ("Won",
    "North", "Cash"): a whole text or cell equal to one of them on a Vietnamese page is an
    untranslated value."""
    vi_texts = {vi for vi, _en in i18n.catalogue().values()}
    return {en for key, (vi, en) in i18n.catalogue().items()
            if key.startswith("enum.") and en != vi and en not in vi_texts}


_KEY_RE = re.compile(r"(?<![\w@/.-])([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(?![\w@/-])")
_FILE_EXT = {"csv", "xlsx", "json", "txt", "tsv", "com", "vn", "net", "org", "py", "png"}


def raw_keys(text: str) -> list[str]:
    """Message keys shown as they are ("col.customers", "cust.col.owner"): dotted lower-case
    words whose first part is a catalogue namespace (file names and domains excluded)."""
    spaces = {k.split(".", 1)[0] for k in i18n.catalogue()} | {"col"}
    hits = []
    for token in _KEY_RE.findall(text):
        parts = token.split(".")
        if parts[-1] in _FILE_EXT:
            continue
        if parts[0] in spaces:
            hits.append(token)
    return hits


_WORD_RE = re.compile(r"(?<![\w@./:=#-])([a-z][a-z_]*)(?![\w@./:-])")


def raw_words(text: str, forbidden: set[str]) -> list[str]:
    """Whole lower-case words of `text` that are raw enumeration values."""
    return [w for w in _WORD_RE.findall(text) if w in forbidden]


_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def raw_header(header: str, forbidden: set[str]) -> bool:
    """A CSV / table header that is a column name (`owner_id`, `province`, `email`)."""
    return bool(_SNAKE.fullmatch(header)) or header in forbidden


def scan(url: str, page: str, role: str, lang: str = "vi", query: dict | None = None,
         every_tab: bool = True):
    """Run `page` as `role`; (AppTest, texts, CSV files offered by that page's runs). A report
    page with lazy tabs is scanned in every tab (`?tab=` in `query`, or not `every_tab`: one
    only); the AppTest is left on the last."""
    from tests.apptest import REPORT_TABS, app, database

    key, prefix, names = REPORT_TABS.get(page, (None, None, ()))
    found, files_seen = [], []
    with database(url):
        at = app(url, role, lang)
        at.run()
        at.switch_page(page)
        for name, value in (query or {}).items():
            at.query_params[name] = value
        walk = key and every_tab and "tab" not in (query or {})
        for i, tab in enumerate(names if walk else (None,)):
            if i:  # the next tab, as a click on it
                at.session_state[key] = i18n.t(f"{prefix}.{tab}", lang)
            with captured_files() as files:
                at.run()
            found += texts(at)
            files_seen += files
    return at, found, csv_frames(files_seen)
