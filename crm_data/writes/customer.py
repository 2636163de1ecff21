"""Create, edit, soft-delete and restore a customer (the customer form)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from crm_data import audit, summaries
from crm_data.accounts.scope import Scope
from crm_data.dedupe.form_check import find_duplicates
from crm_data.domain.clock import now
from crm_data.records import tags as tag_rules
from crm_data.records import validation
from crm_data.records.derived import derive
from crm_data.records.validation import Invalid
from crm_data.records.writing import (
    Conflict,
    DuplicateFound,
    NotFound,
    collect,
    customer_row,
    require_editor,
)
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, StageChange, User

IDENTITY_FIELDS = ("full_name", "phone", "email")
CODE_PREFIX = "KH"
CODE_DIGITS = 6

# Form field → enumeration behind it (crm_data.i18n "enum.<field>.<value>").
ENUM_FIELDS = {
    "gender": "gender", "kind": "kind", "occupation": "occupation", "income_band": "income_band",
    "education": "education", "marital_status": "marital_status", "industry": "industry",
    "preferred_channel": "channel", "source": "source", "consent_channel": "consent_channel",
}
FORM_FIELDS = (
    "full_name", "phone", "email", "gender", "birth_date", "address", "province", "kind",
    "company", "industry", "occupation", "income_band", "education", "marital_status",
    "preferred_channel", "source", "owner_id", "tags", "consent", "consent_channel", "notes",
)


@dataclass(frozen=True)
class Saved:
    id: int
    code: str
    version: int
    phone_converted: bool = False  # an old 11-digit number was renumbered


def clean(raw: dict) -> tuple[dict, bool]:
    """Validated column values of the form (ValidationFailed lists every bad field)."""
    get = raw.get
    phone_result: dict = {}

    def _phone():
        e164, converted = validation.phone(get("phone"))
        phone_result["converted"] = converted
        return e164

    def _consent():
        return bool(get("consent"))

    checks = {
        "full_name": lambda: validation.required_text(get("full_name"), 200),
        "phone": _phone,
        "email": lambda: validation.email(get("email")),
        "birth_date": lambda: validation.date(get("birth_date"), not_future=True),
        "address": lambda: validation.optional_text(get("address"), 300),
        "province_code": lambda: validation.province(get("province")),
        "company": lambda: validation.optional_text(get("company"), 200),
        "notes": lambda: validation.optional_text(get("notes"), validation.LONG_TEXT),
        "tags": lambda: validation.tags(get("tags")),
        "consent": _consent,
        "owner_id": lambda: _owner_id(get("owner_id")),
    }
    for name, enum_name in ENUM_FIELDS.items():
        checks[name] = lambda n=name, e=enum_name: validation.enum(e, get(n))
    values = collect(checks)
    if values["kind"] is None:
        values["kind"] = "individual"
    return values, bool(phone_result.get("converted"))


def _owner_id(value) -> int | None:
    if validation.blank(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Invalid("invalid.choice", {"value": str(value), "choices": ""}) from exc


def _check_owner(session, scope: Scope, owner_id: int | None) -> int:
    """Staff own what they create; others may assign any active editor."""
    if not scope.sees_all_customers or owner_id is None:
        return scope.user_id
    ok = session.scalar(select(User.id).where(User.id == owner_id, User.active.is_(True),
                                              User.role != "viewer"))
    if ok is None:
        raise NotFound(f"user {owner_id}")
    return owner_id


def next_code(session) -> str:
    """KH000001, KH000002, …: one more than the highest KH code."""
    last = session.scalar(select(Customer.code).where(Customer.code.like(f"{CODE_PREFIX}%"))
                          .order_by(Customer.code.desc()).limit(1))
    number = 0
    if last:
        digits = re.sub(r"\D", "", last[len(CODE_PREFIX):])
        number = int(digits) if digits else 0
    return f"{CODE_PREFIX}{number + 1:0{CODE_DIGITS}d}"


def _duplicates(session, scope, values, exclude_id=None):
    return find_duplicates(session, scope, phone=values.get("phone"), email=values.get("email"),
                           full_name=values.get("full_name"), exclude_id=exclude_id,
                           birth_date=values.get("birth_date"),
                           province_code=values.get("province_code"), address=values.get("address"))


def create_customer(engine: Engine, scope: Scope, raw: dict, *,
                    confirm_duplicate: bool = False) -> Saved:
    require_editor(scope)
    values, converted = clean(raw)
    with unit_of_work(engine) as s:
        if not confirm_duplicate and (matches := _duplicates(s, scope, values)):
            raise DuplicateFound(matches)
        values["owner_id"] = _check_owner(s, scope, values["owner_id"])
        values["tags"] = tag_rules.canonical(s, values["tags"])
        at = now()
        row = derive({**values, "code": next_code(s)})
        row.update(created_at=at, updated_at=at, lifecycle_stage="awareness", pipeline_stage="new",
                   **_consent_changes(None, values, at))
        customer = Customer(**row)
        s.add(customer)
        s.flush()
        # The funnel and the journey count entries into a stage from stage_changes.
        for kind, stage in (("pipeline", "new"), ("lifecycle", "awareness")):
            s.add(StageChange(customer_id=customer.id, kind=kind, from_stage=None, to_stage=stage,
                              changed_at=at, changed_by=scope.user_id))
        audit.record(s, scope, "create", "customer", customer.id, after=_audit_view(row))
        summaries.refresh_customers(s, [customer.id])
        return Saved(customer.id, customer.code, customer.version, converted)


def update_customer(engine: Engine, scope: Scope, customer_id: int, version: int, raw: dict, *,
                    confirm_duplicate: bool = False) -> Saved:
    """Save the edit form; refused with Conflict when the record changed since `version`."""
    require_editor(scope)
    values, converted = clean(raw)
    with unit_of_work(engine) as s:
        before = customer_row(s, scope, customer_id)
        if before["version"] != int(version):
            raise Conflict(customer_id)
        if before["erased_at"] is not None:  # erasure is final: no personal data comes back
            raise NotFound(customer_id)
        # Only a changed identity (name, phone, email) can create a duplicate: editing the
        # address of one of several "Nguyễn Văn Nghĩa" must not ask about the others.
        identity_changed = any(values.get(k) != before.get(k) for k in IDENTITY_FIELDS)
        if not confirm_duplicate and identity_changed and (
                matches := _duplicates(s, scope, values, customer_id)):
            raise DuplicateFound(matches)
        values["owner_id"] = _check_owner(s, scope, values["owner_id"]) \
            if scope.sees_all_customers else before["owner_id"]
        values["tags"] = tag_rules.canonical(s, values["tags"])
        row = derive({**values, "code": before["code"]})
        row.update(_consent_changes(before, values, now()))
        changes = {k: v for k, v in row.items()
                   if k != "search_text" and before.get(k) != v}
        _versioned_update(s, customer_id, int(version),
                          {**changes, "search_text": row["search_text"]})
        audit.record(s, scope, "update", "customer", customer_id,
                     before={k: before.get(k) for k in changes}, after=_audit_view(changes))
        summaries.refresh_customers(s, [customer_id])
        return Saved(customer_id, before["code"], int(version) + 1, converted)


def _consent_changes(before: dict | None, values: dict, at) -> dict:
    """Consent given / withdrawn (Decree 13/2023): the date of the last change of each kind
    and the channel it came through. The flag alone says nothing of when or how."""
    given, channel = bool(values["consent"]), values.get("consent_channel")
    was = bool(before and before["consent"])
    if before is None:
        return {"consent_at": at if given else None, "consent_channel": channel if given else None}
    if given and not was:
        return {"consent_at": at, "consent_channel": channel}
    if was and not given:
        return {"consent_withdrawn_at": at, "consent_channel": channel}
    # unchanged: a channel picked now corrects the last change's; a blank one keeps it
    return {"consent_channel": channel or before["consent_channel"]}


def _versioned_update(session, customer_id: int, version: int, values: dict) -> None:
    """UPDATE … WHERE version = :v; no row means someone saved first."""
    result = session.execute(
        update(Customer)
        .where(Customer.id == customer_id, Customer.version == version)
        .values(**values, version=version + 1, updated_at=now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(customer_id)


def soft_delete(engine: Engine, scope: Scope, customer_id: int, version: int) -> None:
    require_editor(scope)
    with unit_of_work(engine) as s:
        before = customer_row(s, scope, customer_id)
        if before["version"] != int(version):
            raise Conflict(customer_id)
        at = now()
        _versioned_update(s, customer_id, int(version), {"deleted_at": at})
        audit.record(s, scope, "delete", "customer", customer_id,
                     before={"deleted_at": None}, after={"deleted_at": at})
        summaries.refresh_customers(s, [customer_id])


def restore(engine: Engine, scope: Scope, customer_id: int) -> None:
    require_editor(scope)
    with unit_of_work(engine) as s:
        cond = [Customer.id == int(customer_id), Customer.deleted_at.is_not(None)]
        if not scope.sees_all_customers:
            cond.append(Customer.owner_id == scope.user_id)
        row = s.execute(select(Customer.version, Customer.deleted_at).where(*cond)).first()
        if row is None:
            raise NotFound(customer_id)
        _versioned_update(s, customer_id, row.version, {"deleted_at": None})
        audit.record(s, scope, "restore", "customer", customer_id,
                     before={"deleted_at": row.deleted_at}, after={"deleted_at": None})
        summaries.refresh_customers(s, [customer_id])


def _audit_view(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "search_text"}


def form_values(customer: dict) -> dict:
    """A customer record (crm_data.customers.listing.get_customer) as the form's raw values."""
    from crm_data.domain.geo import by_code
    from crm_data.records.derived import tags_list

    prov = by_code().get(customer.get("province_code")) if customer.get("province_code") else None
    out = {k: customer.get(k) for k in FORM_FIELDS if k in customer}
    out["province"] = prov.name if prov else ""
    out["tags"] = ", ".join(tags_list(customer.get("tags")))
    return out
