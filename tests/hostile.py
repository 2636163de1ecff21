"""A customer whose every free-text field is Markdown / HTML pointing at `host` (an image,
a link, a bare URL, raw <img>), with the records around it that other pages show: an
owner with such a display name, an order line, an interaction note, an open complaint, an
appointment and a shared saved segment. Written through the data layer (the code, which
only an import can set, by one UPDATE). Shared by the AppTest and the browser tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from crm_data.accounts.auth import add_user
from crm_data.accounts.scope import SYSTEM, Scope
from crm_data.customers.saved_segments import save_segment
from crm_data.domain.clock import today
from crm_data.filters.customer_filter import CustomerFilter
from crm_data.sample import ensure_demo_users
from crm_data.storage.db import unit_of_work
from crm_data.storage.models import Customer, User
from crm_data.writes import activity
from crm_data.writes.customer import create_customer

OWNER_PASSWORD = "owner-pass-123!"


def payload(host: str, field: str) -> str:
    """Every trick at once; the paths name the field that leaked."""
    return (f"![{field}](http://{host}/{field}.png) [l](http://{host}/{field}-l) "
            f"http://{host}/{field}-b <img src=http://{host}/{field}-r.png> :red[x] $x$")


@dataclass
class Hostile:
    customer_id: int
    code: str
    texts: dict[str, str]  # field → the text stored
    owner_id: int


def seed(engine, host: str) -> Hostile:
    ensure_demo_users(engine)
    owner_name = f"<b>![o](http://{host}/owner.png)</b> <a href=http://{host}/owner-a>o</a>"
    owner_id = add_user(engine, "evil_owner", OWNER_PASSWORD, "staff", display_name=owner_name)
    admin = Scope(SYSTEM.user_id, "system", "admin")
    texts = {k: payload(host, k) for k in ("full_name", "address", "company", "notes")}
    texts["tags"] = f"![tag](http://{host}/tag.png);http://{host}/tag-bare"
    saved = create_customer(engine, admin, {
        "full_name": texts["full_name"], "phone": "0912345678", "email": "evil@example.com",
        "address": texts["address"], "company": texts["company"], "notes": texts["notes"],
        "tags": texts["tags"].replace(";", ","), "owner_id": owner_id, "consent": True,
    })
    code = f"![c](http://{host}/c)"[:32]
    with unit_of_work(engine) as s:
        # created_at comes from the wall clock, which tests pin only for today(): keep the
        # customer inside the report periods that end on the pinned day.
        s.execute(update(Customer).where(Customer.id == saved.id).values(
            code=code, created_at=dt.datetime.combine(today() - dt.timedelta(days=30), dt.time(9))))
    texts["code"] = code
    texts["owner"] = owner_name
    texts["line"] = payload(host, "line")
    activity.add_order(engine, admin, saved.id, {
        "order_date": today(), "lines": [{"description": texts["line"], "quantity": "1",
                                          "unit_price": "1000000"}],
        "discount": "0", "paid_amount": "500000"})
    texts["interaction"] = payload(host, "interaction")
    activity.log_interaction(engine, admin, saved.id, {
        "kind": "call", "outcome": "consulted", "occurred_at": dt.datetime.combine(today(), dt.time(9)),
        "note": texts["interaction"]})
    texts["complaint"] = payload(host, "complaint")
    activity.open_feedback(engine, admin, saved.id, {
        "kind": "complaint", "subject": texts["complaint"], "body": payload(host, "complaint_body")})
    texts["appointment"] = payload(host, "appointment")
    activity.schedule_appointment(engine, admin, saved.id, {
        "kind": "appointment", "title": texts["appointment"],
        "due_at": dt.datetime.combine(today() + dt.timedelta(days=1), dt.time(9))})
    texts["segment"] = f"![s](http://{host}/seg.png) [l](http://{host}/seg-l) http://{host}/seg-b"
    with engine.connect() as conn:
        admin_id = conn.scalar(select(User.id).where(User.username == "admin"))
    save_segment(engine, Scope(admin_id, "admin", "admin"), texts["segment"],
                 CustomerFilter(search=f"http://{host}/search"), shared=True)
    return Hostile(saved.id, code, texts, owner_id)
