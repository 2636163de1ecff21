"""Alembic environment: the engine comes from crm_data.storage.db (CRM_DATABASE_URL) or from the
connection handed over by crm_data.storage.schema.upgrade."""

from alembic import context

from crm_data.storage.db import make_engine
from crm_data.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine()
    with engine.begin() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `crm init`")
run_migrations_online()
