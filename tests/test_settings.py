"""Admin settings: defaults, a change audited with its old value, range and role checks."""

import pytest
from sqlalchemy import select

from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.records.writing import ValidationFailed
from crm_data.storage.models import AuditLog

ADMIN = Scope(role="admin", user_id=None, username="admin")


def test_default_then_changed_and_audited(engine):
    assert settings.get(engine, "receivables.terms_days") == 30
    settings.set_value(engine, ADMIN, "receivables.terms_days", "45")
    assert settings.get(engine, "receivables.terms_days") == 45
    settings.set_value(engine, ADMIN, "receivables.terms_days", 15)
    assert settings.get(engine, "receivables.terms_days") == 15
    with engine.connect() as conn:
        rows = conn.execute(select(AuditLog.before, AuditLog.after)
                            .where(AuditLog.entity == "setting").order_by(AuditLog.id)).all()
    assert [(r.before, r.after) for r in rows][-2:] == [
        ('{"value": 30}', '{"value": 45}'), ('{"value": 45}', '{"value": 15}')]


@pytest.mark.parametrize("value", [-1, 366, "x", None, 2.5])
def test_out_of_range_is_refused(engine, value):
    with pytest.raises(ValidationFailed):
        settings.set_value(engine, ADMIN, "receivables.terms_days", value)


def test_only_an_admin_changes_settings(engine):
    with pytest.raises(PermissionError):
        settings.set_value(engine, Scope(role="manager", user_id=None, username="m"),
                           "loyalty.expiry_months", 12)
    with pytest.raises(KeyError):
        settings.get(engine, "no.such.setting")
