"""Complaints desk data, added after the bulk load: threads, reopenings, old ones settled."""

# Added inside the seed's transaction: each complaint gets its thread (replies by whoever
# handles it, its resolution), some resolved complaints were reopened and resolved again
# later (or are still open), complaints left open for months are settled (a shop does not
# leave them for years; a few stay, long overdue), and open ones someone replied to are
# "in progress". Recent open complaints stay open, so some are overdue and some not.
# Deterministic for a seed.

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import bindparam, func, insert, select, update

from crm_data.storage.models import Customer, Feedback, FeedbackNote, Order

_REPLIES = (
    "Đã gọi điện xin lỗi khách, đang kiểm tra với kho.",
    "Đã nhắn Zalo xác nhận, chờ khách gửi ảnh sản phẩm.",
    "Đã chuyển bộ phận giao hàng kiểm tra.",
    "Khách hẹn gọi lại vào buổi chiều.",
    "Đã báo quản lý, chờ duyệt phương án đổi hàng.",
)
_REOPEN = (
    "Khách báo vẫn chưa nhận được hàng đổi.",
    "Khách chưa hài lòng với cách xử lý.",
    "Sản phẩm đổi lại tiếp tục bị lỗi.",
)
_LATE_RESOLUTION = "Đã liên hệ lại và xử lý xong cho khách."
_STALE_DAYS = 45  # open complaints older than this were settled…
_KEEP_STALE = 0.1  # …but for this share, forgotten (long overdue)
_REOPEN_SHARE = 0.08
_HOUR = 3600.0
_RECENT_DAYS = 30


def _recent(conn, rng: np.random.Generator, end: dt.datetime, subjects) -> None:
    """This month's complaints from recent buyers (about 1 a month per 150 customers): the
    desk's working set, most resolved in a day or two, a third taking a week or more, so the
    newest and the slow ones are still open, some of them overdue."""
    buyers = conn.execute(select(Order.customer_id).distinct()
                          .where(Order.order_date >= (end - dt.timedelta(days=90)).date())
                          .order_by(Order.customer_id)).scalars().all()
    customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    n = min(len(buyers), int(round(customers / 150)))
    if n == 0:
        return
    who = rng.choice(np.asarray(buyers), n, replace=False)
    ages = rng.random(n) * _RECENT_DAYS * 86400
    # Most are settled in a day or two, a third drag on for a week or more.
    slow = rng.random(n) < 0.35
    took = (np.where(slow, rng.exponential(8 * 24, n), rng.exponential(1.5 * 24, n)) + 0.5) * _HOUR
    picks = rng.integers(0, len(subjects), n)
    rows = []
    for c, age, secs, p in zip(who.tolist(), ages.tolist(), took.tolist(), picks.tolist(), strict=True):
        opened = (end - dt.timedelta(seconds=age)).replace(microsecond=0)
        resolved = (opened + dt.timedelta(seconds=secs)).replace(microsecond=0)
        done = resolved <= end
        subject, resolution = subjects[p]
        rows.append({"customer_id": c, "kind": "complaint", "status": "resolved" if done else "open",
                     "subject": subject, "body": None, "rating": None, "opened_at": opened,
                     "resolved_at": resolved if done else None,
                     "resolution": resolution if done else None, "assigned_to": None})
    conn.execute(insert(Feedback), rows)
    # Given to the customer's owner, as a form opened by them would be.
    owner = select(Customer.owner_id).where(Customer.id == Feedback.customer_id).scalar_subquery()
    conn.execute(update(Feedback).where(Feedback.assigned_to.is_(None), Feedback.kind == "complaint")
                 .values(assigned_to=owner))


def add(conn, seed: int, ref: dt.date, cap: int | None, subjects) -> int:
    """Recent complaints, threads, reopenings and settled old complaints; `subjects` are the
    sample's (subject, resolution) pairs. Returns the thread rows added."""
    end = dt.datetime.combine(ref, dt.time()) + dt.timedelta(seconds=86399 if cap is None else cap)
    rng = np.random.default_rng([int(seed), 13])
    _recent(conn, rng, end, subjects)
    rows = conn.execute(
        select(Feedback.id, Feedback.customer_id, Feedback.status, Feedback.subject,
               Feedback.opened_at, Feedback.resolved_at, Feedback.resolution,
               Feedback.assigned_to, Customer.owner_id)
        .join(Customer, Customer.id == Feedback.customer_id)
        .where(Feedback.kind == "complaint").order_by(Feedback.id)).all()
    if not rows:
        return 0
    u = rng.random((len(rows), 6))
    replies_n = rng.poisson(1.3, len(rows))
    notes, changes = [], []
    for k, r in enumerate(rows):
        who = r.assigned_to or r.owner_id
        status, resolved, resolution = r.status, r.resolved_at, r.resolution
        thread = []  # (at, kind, body)
        if status != "resolved" and (end - r.opened_at).days > _STALE_DAYS and u[k, 0] > _KEEP_STALE:
            hours = min(float(rng.exponential(4 * 24)) + 2, 30 * 24)
            status, resolved, resolution = "resolved", r.opened_at + dt.timedelta(hours=hours), _LATE_RESOLUTION
        if status == "resolved" and u[k, 1] < _REOPEN_SHARE:
            reopened = resolved + dt.timedelta(hours=float(4 + u[k, 2] * 5 * 24))
            if reopened < end:
                thread += [(resolved, "resolve", resolution),
                           (reopened, "reopen", _REOPEN[int(u[k, 3] * len(_REOPEN))])]
                final = reopened + dt.timedelta(hours=float(rng.exponential(2 * 24)) + 1)
                if final < end:
                    resolved = final
                else:
                    status, resolved, resolution = "open", None, None
        resolved = resolved.replace(microsecond=0) if resolved else None
        last = resolved or end
        span = max((last - r.opened_at).total_seconds(), 60.0)
        for j in range(int(replies_n[k])):
            at = r.opened_at + dt.timedelta(seconds=int(span * (j + u[k, 4]) / (replies_n[k] + 1)))
            thread.append((at, "reply", _REPLIES[(k + j) % len(_REPLIES)]))
        if status == "resolved":
            thread.append((resolved, "resolve", resolution))
        else:  # someone answered: in progress
            status = "in_progress" if any(kind == "reply" for _, kind, _ in thread) else "open"
        for at, kind, body in sorted(thread, key=lambda x: x[0]):
            notes.append({"feedback_id": r.id, "customer_id": r.customer_id, "user_id": who,
                          "at": at.replace(microsecond=0), "kind": kind, "body": body, "assigned_to": None})
        if (status, resolved, resolution) != (r.status, r.resolved_at, r.resolution):
            changes.append({"fid": r.id, "new_status": status, "new_resolved_at": resolved,
                            "new_resolution": resolution})
    if changes:
        stmt = (update(Feedback).where(Feedback.id == bindparam("fid"))
                .values(status=bindparam("new_status"), resolved_at=bindparam("new_resolved_at"),
                        resolution=bindparam("new_resolution")))
        conn.execute(stmt, changes)
    if notes:
        conn.execute(insert(FeedbackNote), notes)
    return len(notes)
