"""Nhập dữ liệu / Import: upload → column mapping → preview → validation → import.
Everything is crm_data.imports (the same code as `crm import`)."""

import hashlib
from pathlib import Path

import streamlit as st

from crm_data.imports import FileProblem, import_file
from crm_data.imports import mapping as mp
from crm_data.imports import preview as pv
from crm_data.imports.rejects import frame, message, notes_frame, report_csv, report_xlsx
from crm_ui import cache, safe, state, widgets
from crm_ui.i18n import t

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
TEMPLATES = {"customers": "mau_nhap_khach_hang.csv", "orders": "mau_nhap_don_hang.csv"}
RESULT_KEY = "import_result"
UPLOAD_KEY = "import_upload"

scope = state.require_scope()
lang = state.lang()
st.title(t("import.title"))
if scope.role not in ("admin", "manager"):
    st.warning(t("import.no_rights"))
    st.stop()
st.caption(t("import.caption"))

kind = st.selectbox(t("import.kind"), mp.KINDS, placeholder=t("common.choose"), key="import_kind",
                    format_func=lambda k: t(f"import.kind.{k}"))
template = SAMPLE_DIR / TEMPLATES.get(kind, "")
if kind in TEMPLATES and template.is_file():
    st.download_button(t(f"import.template.{kind}"), template.read_bytes(),
                       file_name=template.name, mime="text/csv", on_click="ignore",
                       icon=":material/description:", key="import_template")

upload = st.file_uploader(t("import.upload"), type=["csv", "txt", "tsv", "xlsx"],
                          key="import_file", help=t("words.upload_help"))
if upload is None:
    st.session_state.pop(UPLOAD_KEY, None)
    st.stop()
# The upload is read and hashed once, not on every rerun; crm_data.imports.reading then
# parses these bytes once for the preview, the dry run and the import.
held = st.session_state.get(UPLOAD_KEY)
if held is None or held[0] != upload.file_id:
    content = upload.getvalue()
    # widget keys per file: a new file starts fresh
    held = (upload.file_id, content, upload.name, hashlib.sha1(content).hexdigest()[:10])
    st.session_state[UPLOAD_KEY] = held
_, data, name, token = held


def _problem(exc: FileProblem) -> None:
    st.error(safe.md(message(exc, lang)), icon=":material/error:")
    st.stop()


saved = None
saved_upload = st.file_uploader(t("import.mapping.load"), type=["json"], key="import_mapping",
                                help=t("words.upload_help_json"))
if saved_upload is not None:
    try:
        saved = mp.from_json(saved_upload.getvalue())
    except FileProblem as exc:
        _problem(exc)

try:
    info = cache.query(pv.inspect, data, name, kind, None, saved)
    sheet = None
    if len(info.sheets) > 1:
        sheet = st.selectbox(t("import.sheet"), info.sheets, placeholder=t("common.choose"), key=f"import_sheet_{token}")
        info = cache.query(pv.inspect, data, name, kind, sheet, saved)
except FileProblem as exc:
    _problem(exc)
st.caption(t("import.file_info", rows=widgets.num(info.rows), cols=len(info.headers)))

# --- mapping editor ---------------------------------------------------------------------
st.subheader(t("import.mapping"))
st.caption(t("import.mapping.help"))
options = [None, *mp.field_names(kind)]
detected = dict(info.detected)
chosen: dict[str, str | None] = {}
cols = st.columns(3)
for i, header in enumerate(info.headers):
    current = detected.get(header)
    chosen[header] = cols[i % 3].selectbox(
        safe.md(header), options, index=options.index(current) if current in options else 0,
        placeholder=t("common.choose"), key=f"map_{kind}_{token}_{saved is not None}_{i}",
        format_func=lambda f: t("import.mapping.ignore") if f is None
        else t(f"import.field.{kind}.{f}"))
try:
    mp.validate(chosen, kind)
except FileProblem as exc:
    _problem(exc)
st.download_button(t("import.mapping.save"), mp.to_json(chosen, kind).encode("utf-8"),
                   file_name=f"ghep_cot_{kind}.json", mime="application/json",
                   on_click="ignore", icon=":material/save:", key="import_save_mapping")
missing = mp.missing_required(chosen, kind)
if missing:
    st.error(t("import.file.missing_columns", fields="; ".join(
        " / ".join(t(f"import.field.{kind}.{f}") for f in alts) for alts in missing)))
    st.stop()
mapping = tuple(chosen.items())

# --- preview ----------------------------------------------------------------------------
st.subheader(t("import.preview"))
shown, preview_issues = cache.query(pv.preview, scope, data, name, kind, sheet, mapping, lang=lang)
problems = {n: "; ".join(message(i, lang) for i in issues) for n, issues in preview_issues}
shown = shown.assign(_issues=shown["_row"].map(problems))
shown.columns = [t("import.report.row"), *(t(f"import.field.{kind}.{c}") for c in shown.columns[1:-1]),
                 t("import.preview.issues")]
st.dataframe(shown, hide_index=True, width="stretch")

# --- options and validation of the whole file --------------------------------------------
st.subheader(t("import.options"))
c1, c2 = st.columns(2)
on_error = c1.radio(t("import.on_error"), ("abort", "skip"), key="import_on_error",
                    format_func=lambda k: t(f"import.on_error.{k}"))
duplicates = c2.radio(t("import.duplicates"), ("skip", "update", "abort"), key="import_dups",
                      format_func=lambda k: t(f"import.duplicates.{k}"))
create_missing = False
if kind != "customers":
    create_missing = st.checkbox(t("import.create_missing"), key="import_create_missing")

st.subheader(t("import.check"))
check = cache.query(pv.validate, scope, data, name, kind, sheet, mapping, duplicates,
                    create_missing)


def _metrics(result) -> None:
    counts = result.counts()
    keys = [k for k in counts if counts[k] or k in ("read", "inserted", "rejected")]
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        col.metric(t(f"import.count.{key}"), widgets.num(counts[key]))


if check.rejected:
    st.warning(t("import.check.bad", bad=widgets.num(check.rejected), n=widgets.num(check.read)))
else:
    st.success(t("import.check.ok", n=widgets.num(check.read)))
_metrics(check)
if check.rows:
    st.dataframe(frame(check, lang).head(500), hide_index=True, width="stretch")
if check.notes:
    with st.expander(f"{t('import.notes')} ({widgets.num(len(check.notes))})"):
        st.dataframe(notes_frame(check, lang).head(500), hide_index=True, width="stretch")

# --- import -----------------------------------------------------------------------------
if st.button(t("import.run"), type="primary", key="import_run", icon=":material/upload:"):
    bar = st.progress(0.0, text=t("import.running", done=0, total=check.read))

    def _progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0,
                     text=t("import.running", done=widgets.num(done), total=widgets.num(total)))

    try:
        result = import_file(state.engine(), scope, data, kind, name=name, sheet=sheet,
                             mapping={"columns": chosen}, on_error=on_error,
                             duplicates=duplicates, create_missing_customers=create_missing,
                             progress=_progress)
    except FileProblem as exc:
        _problem(exc)
    bar.empty()
    cache.clear()
    st.session_state[RESULT_KEY] = (token, result)

saved_result = st.session_state.get(RESULT_KEY)
if saved_result and saved_result[0] == token:
    result = saved_result[1]
    if result.aborted:
        st.error(safe.md(message(result.abort_reason, lang)), icon=":material/block:")
    else:
        st.success(t("import.done", seconds=widgets.num(result.seconds, 1)),
                   icon=":material/check_circle:")
    _metrics(result)
    if result.rows:
        st.subheader(t("import.rejects"))
        st.dataframe(frame(result, lang).head(500), hide_index=True, width="stretch")
        d1, d2 = st.columns(2)
        stem = Path(name).stem
        # The rejected rows hold customers' data: fetching them is audited.
        d1.download_button(t("import.rejects.csv"),
                           widgets.audited(lambda r=result: report_csv(r, lang), f"{stem}_loi.csv",
                                           len(result.rows), "import_rejects"),
                           file_name=f"{stem}_loi.csv", mime="text/csv", on_click="ignore",
                           key="import_rejects_csv", icon=":material/download:")
        d2.download_button(t("import.rejects.xlsx"),
                           widgets.audited(lambda r=result: report_xlsx(r, lang), f"{stem}_loi.xlsx",
                                           len(result.rows), "import_rejects"),
                           file_name=f"{stem}_loi.xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key="import_rejects_xlsx", icon=":material/download:")
