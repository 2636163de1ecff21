"""Which column of the file goes into which field: detected from the headers (Vietnamese or
English, with or without diacritics), changed by the user, saved and reused as JSON.

Saved mappings are small JSON files ({"kind": …, "columns": {header: field}}): the same file
is given to `crm import --mapping` and downloaded / uploaded on the import page. They live
with the user's spreadsheets rather than in the database, so no schema change is needed and
one mapping serves the command line and every database alike.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from crm_data.domain.text import fold
from crm_data.imports.errors import FileProblem

KINDS = ("customers", "orders", "interactions")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    aliases: tuple[str, ...]  # header spellings, compared after normalise()


def _f(name: str, *aliases: str) -> FieldSpec:
    return FieldSpec(name, tuple(normalise(a) for a in (name.replace("_", " "), *aliases)))


def normalise(header: str) -> str:
    """'Tỉnh/Thành phố' → 'tinh thanh pho'; 'SĐT' → 'sdt'; 'E-mail' → 'e mail'."""
    folded = fold(str(header)).replace("\ufeff", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


_CUSTOMER_CODE = ("ma kh", "ma khach hang", "ma khach", "customer code", "customer id",
                  "id khach hang", "ma so khach hang")
_PHONE = ("sdt", "so dien thoai", "dien thoai", "so dt", "dt", "dtdd", "di dong",
          "phone", "phone number", "mobile", "tel", "telephone")
_CUSTOMER_NAME = ("ten khach hang", "ho va ten", "ho ten", "khach hang", "ten kh",
                  "customer name", "customer", "full name", "name")

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "customers": (
        _f("code", *_CUSTOMER_CODE, "ma", "code"),
        _f("full_name", "ho va ten", "ho ten", "ten khach hang", "ten kh", "ten", "khach hang",
           "ho va ten khach hang", "name", "full name", "customer name", "customer"),
        _f("phone", *_PHONE),
        _f("email", "e mail", "thu dien tu", "mail", "dia chi email"),
        _f("gender", "gioi tinh", "sex"),
        _f("birth_date", "ngay sinh", "sinh nhat", "ngay thang nam sinh", "birthday",
           "date of birth", "dob", "birthdate"),
        _f("province", "tinh thanh pho", "tinh thanh", "tinh tp", "tinh", "thanh pho",
           "tinh thanh pho moi", "province", "city", "province city"),
        _f("address", "dia chi", "dia chi nha", "address"),
        _f("source", "nguon", "nguon khach", "nguon khach hang", "source", "lead source"),
        _f("preferred_channel", "kenh ua thich", "kenh lien he", "kenh lien lac",
           "kenh lien he ua thich", "preferred channel", "channel"),
        _f("notes", "ghi chu", "note", "notes", "comment"),
        _f("owner", "nhan vien phu trach", "nguoi phu trach", "phu trach", "nhan vien",
           "nv phu trach", "owner", "account owner", "sales"),
        _f("tags", "nhan", "the", "tag", "tags"),
        _f("company", "cong ty", "ten cong ty", "don vi", "company", "company name"),
        _f("kind", "loai khach", "loai khach hang", "ca nhan doanh nghiep", "customer type",
           "type"),
        _f("occupation", "nghe nghiep", "occupation", "job"),
        _f("income_band", "thu nhap", "muc thu nhap", "income", "income band"),
        _f("education", "hoc van", "trinh do", "trinh do hoc van", "education"),
        _f("marital_status", "tinh trang hon nhan", "hon nhan", "marital status"),
        _f("industry", "nganh", "nganh nghe", "linh vuc", "industry"),
        _f("created_at", "ngay tao", "ngay tao khach", "ngay dang ky", "ngay tham gia",
           "ngay bat dau", "khach tu ngay", "khach hang tu ngay", "la khach tu ngay",
           "created", "created at", "created date", "creation date", "signup date",
           "customer since", "client since", "member since"),
        _f("consent", "dong y", "dong y nhan tin", "dong y nhan thong tin", "consent"),
        # crm_data.leadscore: "Ngân sách: Đã có ngân sách; Người ra quyết định: yes" (keys or texts)
        _f("lead_answers", "cham diem", "tra loi cham diem", "bang hoi cham diem", "bang hoi",
           "lead answers", "lead questionnaire", "questionnaire", "lead scoring"),
        _f("churn_reason", "ly do ngung mua", "ly do roi bo", "churn reason"),
        _f("churn_note", "ghi chu ngung mua", "ghi chu roi bo", "churn note"),
    ),
    "orders": (
        _f("code", "ma don", "ma don hang", "so don", "so don hang", "ma hoa don", "so hoa don",
           "order code", "order id", "order no", "order number", "invoice", "invoice no"),
        _f("customer_code", *_CUSTOMER_CODE),
        _f("phone", *_PHONE),
        _f("customer_name", *_CUSTOMER_NAME),
        _f("order_date", "ngay mua", "ngay dat", "ngay dat hang", "ngay ban", "ngay hoa don",
           "ngay giao dich", "thoi gian", "ngay", "order date", "date", "purchase date"),
        _f("product", "san pham", "ten san pham", "hang hoa", "ten hang", "ten hang hoa",
           "mat hang", "product", "product name", "item", "description", "mo ta"),
        _f("quantity", "so luong", "sl", "quantity", "qty"),
        _f("unit_price", "don gia", "gia", "gia ban", "unit price", "price"),
        _f("discount", "giam gia", "chiet khau", "khuyen mai", "discount"),
        _f("amount", "thanh tien", "tong tien", "tong cong", "tri gia", "doanh thu", "so tien",
           "can thanh toan", "khach can tra", "amount", "total", "total amount"),
        _f("paid_amount", "da thanh toan", "da tra", "khach da tra", "tien da tra", "khach tra",
           "paid", "paid amount", "amount paid"),
        _f("payment_method", "hinh thuc thanh toan", "phuong thuc thanh toan", "thanh toan",
           "payment method", "payment"),
        _f("channel", "kenh ban", "kenh ban hang", "kenh", "sales channel", "order channel"),
        _f("cost", "gia von", "tien von", "tong gia von", "cost"),
        _f("status", "trang thai", "trang thai don", "status"),
    ),
    "interactions": (
        _f("customer_code", *_CUSTOMER_CODE),
        _f("phone", *_PHONE),
        _f("customer_name", *_CUSTOMER_NAME),
        _f("occurred_at", "thoi gian", "ngay gio", "ngay", "ngay lien he", "ngay tuong tac",
           "ngay cham soc", "date", "time", "occurred at", "date time"),
        _f("kind", "loai", "loai tuong tac", "hinh thuc", "hinh thuc lien he", "cach lien he",
           "type", "interaction type", "channel"),
        _f("outcome", "ket qua", "outcome", "result"),
        _f("note", "ghi chu", "noi dung", "note", "notes", "content"),
        _f("next_step_date", "ngay hen", "hen lai", "ngay hen tiep", "ngay hen lai",
           "ngay theo doi", "next step", "next step date", "follow up date"),
        _f("user", "nhan vien", "nhan vien phu trach", "nguoi lien he", "nguoi cham soc",
           "user", "staff", "owner"),
    ),
}

# Columns a file must have (after mapping) before any row is read; alternatives as tuples.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "customers": (("full_name",),),
    "orders": (("customer_code", "phone"), ("order_date",), ("amount", "unit_price")),
    "interactions": (("customer_code", "phone"), ("occurred_at",), ("kind",), ("outcome",)),
}

Mapping = dict[str, str | None]  # file header → field name (None: not imported)


def field_names(kind: str) -> list[str]:
    return [f.name for f in FIELDS[kind]]


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise FileProblem("import.file.bad_kind", {"kind": kind, "kinds": ", ".join(KINDS)})


def detect(headers: list[str], kind: str) -> Mapping:
    """Each header → the field whose name or alias it spells; first column wins a field."""
    check_kind(kind)
    lookup: dict[str, str] = {}
    for spec in FIELDS[kind]:
        for alias in spec.aliases:
            lookup.setdefault(alias, spec.name)
    taken: set[str] = set()
    out: Mapping = {}
    for header in headers:
        name = lookup.get(normalise(header))
        if name is not None and name not in taken:
            out[header] = name
            taken.add(name)
        else:
            out[header] = None
    return out


def apply_saved(headers: list[str], kind: str, saved: dict) -> Mapping:
    """Detected mapping overridden by a saved one (matched by header, spelling-tolerant)."""
    if saved.get("kind") not in (None, kind):
        raise FileProblem("import.mapping.other_kind", {"kind": saved.get("kind")})
    columns = saved.get("columns", saved)
    known = set(field_names(kind))
    by_norm = {normalise(h): v for h, v in columns.items() if isinstance(h, str)}
    out = detect(headers, kind)
    for header in headers:
        key = header if header in columns else normalise(header)
        value = columns[header] if header in columns else by_norm.get(key, out[header])
        if value is not None and value not in known:
            raise FileProblem("import.mapping.bad_field", {"field": value, "column": header})
        out[header] = value
    return validate(out, kind)


def validate(mapping: Mapping, kind: str) -> Mapping:
    """One column per field, every field known."""
    known = set(field_names(kind))
    seen: dict[str, str] = {}
    for header, name in mapping.items():
        if name is None:
            continue
        if name not in known:
            raise FileProblem("import.mapping.bad_field", {"field": name, "column": header})
        if name in seen:
            raise FileProblem("import.mapping.twice", {"field": name, "a": seen[name], "b": header})
        seen[name] = header
    return mapping


def missing_required(mapping: Mapping, kind: str) -> list[tuple[str, ...]]:
    mapped = {v for v in mapping.values() if v}
    return [alts for alts in REQUIRED[kind] if not mapped.intersection(alts)]


def to_json(mapping: Mapping, kind: str) -> str:
    return json.dumps({"kind": kind, "columns": mapping}, ensure_ascii=False, indent=2)


def from_json(text: str | bytes) -> dict:
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileProblem("import.mapping.bad_json") from exc
    if not isinstance(doc, dict):
        raise FileProblem("import.mapping.bad_json")
    columns = doc.get("columns", doc)
    if not isinstance(columns, dict) or not all(
            isinstance(v, str | type(None)) for v in columns.values()):
        raise FileProblem("import.mapping.bad_json")
    return doc
