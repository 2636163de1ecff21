"""The audit log read side: filters, newest-first keyset pages, the CSV export (itself
audited), `crm audit` printing the same rows, admin only (refusals audited)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import update

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.audit import browse as audit_log
from crm_data.audit.browse import AuditFilter
from crm_data.cli import main
from crm_data.storage.models import AuditLog
from crm_data.writes import activity
from crm_data.writes import customer as cw


@pytest.fixture
def logged(engine):
    """Users, customers and activity spread over three days: a log to filter."""
    ids = {r: auth.add_user(engine, r, "password123", r) for r in ("admin", "manager", "staff", "viewer")}
    actors = {k: Scope(v, k, k) for k, v in ids.items()}
    a = cw.create_customer(engine, actors["staff"], {"full_name": "Trần Thị Lan", "phone": "0912345678"})
    b = cw.create_customer(engine, actors["manager"], {"full_name": "Lê Văn Bình"})
    for i in range(7):
        activity.log_interaction(engine, actors["staff"], a.id, {
            "kind": "call", "outcome": "consulted", "occurred_at": dt.datetime(2026, 11, 19, 9, i),
            "note": f"gọi lần {i}"})
    cw.update_customer(engine, actors["manager"], b.id, b.version, {"full_name": "Lê Văn Bình", "tags": "vip"})
    # Spread the rows over three days (the log's own clock is "now").
    with engine.begin() as conn:
        rows = conn.execute(AuditLog.__table__.select().order_by(AuditLog.id)).all()
        for n, row in enumerate(rows):
            conn.execute(update(AuditLog).where(AuditLog.id == row.id)
                         .values(at=dt.datetime(2026, 11, 17 + n % 3, 8, 0, n)))
    return {"actors": actors, "a": a, "b": b}


def _all_pages(engine, scope, flt, size):
    out, after = [], None
    while True:
        got = audit_log.page(engine, scope, flt, after=after, limit=size)
        out += got.rows
        if got.next_after is None:
            return out
        after = got.next_after


def _cli(db_url, capsys, *args) -> list[dict]:
    capsys.readouterr()
    assert main(["audit", "--database-url", db_url, "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


FILTERS = [
    (AuditFilter(), []),
    (AuditFilter(user="staff"), ["--user", "staff"]),
    (AuditFilter(action="update"), ["--action", "update"]),
    (AuditFilter(entity="customer", entity_id="1"), ["--entity", "customer", "--id", "1"]),
    (AuditFilter(start=dt.date(2026, 11, 18), end=dt.date(2026, 11, 18)),
     ["--from", "2026-11-18", "--to", "2026-11-18"]),
    (AuditFilter(user="staff", action="create", start=dt.date(2026, 11, 19)),
     ["--user", "staff", "--action", "create", "--from", "2026-11-19"]),
]


@pytest.mark.parametrize("flt,argv", FILTERS, ids=[str(f[1]) for f in FILTERS])
def test_page_filters_and_cli_give_the_same_rows(engine, db_url, logged, capsys, flt, argv):
    admin = logged["actors"]["admin"]
    rows = _all_pages(engine, admin, flt, 3)
    everything = _all_pages(engine, admin, AuditFilter(), 500)
    expected = [r for r in everything
                if (flt.user is None or r["username"] == flt.user)
                and (flt.action is None or r["action"] == flt.action)
                and (flt.entity is None or (r["entity"], r["entity_id"]) == (flt.entity, flt.entity_id))
                and (flt.start is None or r["at"].date() >= flt.start)
                and (flt.end is None or r["at"].date() <= flt.end)]
    assert rows == expected and rows, "keyset pages = the filtered log"
    assert [(r["at"], r["id"]) for r in rows] == sorted(((r["at"], r["id"]) for r in rows), reverse=True)
    printed = _cli(db_url, capsys, *argv)
    assert [p["id"] for p in printed] == [r["id"] for r in rows]
    assert [p["action"] for p in printed] == [r["action"] for r in rows]


def test_filters_select_what_they_say(engine, logged):
    admin = logged["actors"]["admin"]
    staff = _all_pages(engine, admin, AuditFilter(user="staff"), 50)
    assert {r["username"] for r in staff} == {"staff"} and len(staff) == 8  # 1 create + 7 calls
    one = _all_pages(engine, admin, AuditFilter(entity="customer", entity_id=str(logged["b"].id)), 50)
    assert sorted(r["action"] for r in one) == ["create", "update"]
    updated = next(r for r in one if r["action"] == "update")
    assert json.loads(updated["after"])["tags"] == ",vip,"


def test_csv_export_is_the_filtered_log_and_is_audited(engine, logged):
    admin = logged["actors"]["admin"]
    flt = AuditFilter(user="staff")
    data = audit_log.export_bytes(engine, admin, flt)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == [r["id"] for r in _all_pages(engine, admin, flt, 50)]
    last = audit_log.page(engine, admin, AuditFilter(action="export", entity="audit_log"), limit=1).rows[0]
    assert last["username"] == "admin"
    assert json.loads(last["detail"]) == {"filter": {"user": "staff"}, "rows": len(rows), "format": "csv"}


def test_cli_csv_matches(engine, db_url, logged, capsysbinary):
    capsysbinary.readouterr()
    assert main(["audit", "--database-url", db_url, "--format", "csv", "--action", "create"]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8-sig")
    ids = [int(r["id"]) for r in csv.DictReader(io.StringIO(out))]
    admin = logged["actors"]["admin"]
    assert ids == [r["id"] for r in _all_pages(engine, admin, AuditFilter(action="create"), 50)]


@pytest.mark.parametrize("role", ["manager", "staff", "viewer"])
def test_only_admin_reads_the_log_and_refusals_are_audited(engine, logged, role):
    actor = logged["actors"][role]
    with pytest.raises(PermissionError):
        audit_log.page(engine, actor, AuditFilter())
    with pytest.raises(PermissionError):
        audit_log.export_bytes(engine, actor, AuditFilter())
    denied = audit_log.page(engine, logged["actors"]["admin"], AuditFilter(action="denied")).rows
    assert len(denied) == 2 and {r["username"] for r in denied} == {role}
    assert {r["entity"] for r in denied} == {"audit_log"}


def test_no_writer_for_audit_rows_in_the_application():
    """Append-only: no UI or CLI code updates or deletes audit rows (erasure, which
    anonymises, lives in crm_data.privacy.erasure)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent
    pattern = re.compile(r"(update|delete)\(\s*AuditLog|UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log", re.I)
    offenders = [str(p.relative_to(root)) for d in ("crm_data", "crm_ui", "pages")
                 for p in (root / d).rglob("*.py")
                 if p.name != "erasure.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
