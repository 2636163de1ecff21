"""Activity: interactions, feedback (complaints, questions, reviews) and appointments."""

from __future__ import annotations

import numpy as np

from crm_data.sample.common import _DAY, _Ctx, _group_starts, _pick, _shop_seconds
from crm_data.sample.enums import _ENUMS_USED

_INTERACTION_NOTES = {
    "consulted": ["Tư vấn sản phẩm, khách hài lòng.", "Giới thiệu chương trình khuyến mãi.",
                  "Hướng dẫn khách cách sử dụng sản phẩm.", "Tư vấn combo quà tặng.",
                  "Khách hỏi giá sỉ, đã báo giá."],
    "skipped": ["Khách chưa có nhu cầu.", "Khách từ chối nhận tư vấn.",
                "Khách đã mua ở nơi khác.", "Khách bận, không muốn trao đổi."],
    "no_answer": ["Không nghe máy.", "Thuê bao không liên lạc được.",
                  "Gọi hai lần không bắt máy.", "Đã nhắn Zalo, khách chưa xem."],
    "follow_up": ["Hẹn gọi lại cuối tuần.", "Khách cần suy nghĩ thêm, gọi lại sau.",
                  "Đã gửi báo giá, chờ phản hồi.", "Khách hẹn ghé cửa hàng."],
}
_COMPLAINTS = [
    ("Giao hàng chậm", "Đã xin lỗi và miễn phí vận chuyển đơn sau."),
    ("Sản phẩm bị lỗi", "Đã đổi sản phẩm mới cho khách."),
    ("Giao sai màu / kích cỡ", "Đã đổi đúng mẫu khách đặt."),
    ("Hàng bị móp méo khi giao", "Đã giao bù hàng mới."),
    ("Nhân viên tư vấn chưa nhiệt tình", "Đã nhắc nhở nhân viên, khách đồng ý."),
    ("Hoàn tiền chậm", "Đã hoàn tiền đầy đủ."),
    ("Sản phẩm gần hết hạn sử dụng", "Đã đổi lô hàng mới và tặng voucher 50.000 ₫."),
    ("Không nhận được quà tặng kèm", "Đã gửi bù quà tặng."),
]
_QUESTIONS = [
    ("Hỏi chính sách đổi trả", "Đã gửi chính sách đổi trả trong 7 ngày."),
    ("Hỏi thời gian giao hàng", "Đã báo thời gian giao 2–3 ngày."),
    ("Hỏi cách sử dụng sản phẩm", "Đã hướng dẫn qua Zalo."),
    ("Hỏi về chương trình tích điểm", "Đã giải thích cách tích và đổi điểm."),
    ("Hỏi hàng còn không", "Đã báo còn hàng tại cửa hàng."),
    ("Hỏi xuất hóa đơn VAT", "Đã hướng dẫn gửi thông tin xuất hóa đơn."),
]
_REVIEWS = {
    5: "Sản phẩm tốt, giao hàng nhanh, sẽ ủng hộ tiếp.",
    4: "Hàng ổn, đóng gói cẩn thận.",
    3: "Tạm được, giao hơi chậm.",
    2: "Chất lượng chưa như mong đợi.",
    1: "Không hài lòng, hàng bị lỗi.",
}
_APPOINTMENT_TITLES = {
    "appointment": ["Hẹn tư vấn tại cửa hàng", "Hẹn giới thiệu sản phẩm mới",
                    "Hẹn giao hàng và hướng dẫn sử dụng"],
    "call_back": ["Gọi lại báo giá", "Gọi lại chăm sóc sau mua", "Gọi lại xác nhận đơn hàng"],
    "reminder": ["Nhắc khách mua lại", "Nhắc thanh toán công nợ",
                 "Chúc mừng sinh nhật khách hàng", "Gửi ưu đãi cho khách thân thiết"],
}


def _interactions(ctx: _Ctx) -> None:
    """Interactions: the calls and messages that moved a lead through the funnel (or lost
    it), care after purchases, nurturing of open leads."""
    c_t_o, cc, created, drop_t, eff = ctx.c_t_o, ctx.cc, ctx.created, ctx.drop_t, ctx.eff
    lost, n, n_comp, owner_arr, r_inter = ctx.lost, ctx.n, ctx.n_comp, ctx.owner_arr, ctx.r_inter
    reached, ref_end, staff_ids, step_t = ctx.reached, ctx.ref_end, ctx.staff_ids, ctx.step_t
    walk_in, won, won_t = ctx.walk_in, ctx.won, ctx.won_t
    kinds = np.array(_ENUMS_USED["interaction_kind"], dtype=object)
    KI = {k: i for i, k in enumerate(kinds)}
    outcomes = np.array(["consulted", "skipped", "no_answer", "follow_up"], dtype=object)
    OC = {o: i for i, o in enumerate(outcomes)}
    it_parts = []

    def kind_draw(size, pairs):
        return np.array([KI[k] for k, _ in pairs])[_pick(r_inter, pairs, size)]

    step_kinds = [
        [("call", 0.6), ("zalo", 0.3), ("sms", 0.1)],
        [("call", 0.4), ("zalo", 0.3), ("meeting", 0.2), ("email", 0.1)],
        [("email", 0.35), ("zalo", 0.35), ("meeting", 0.2), ("call", 0.1)],
        [("visit", 0.5), ("meeting", 0.2), ("call", 0.3)],
    ]
    for s in range(1, 5):
        sel = np.flatnonzero((eff >= s) & ~walk_in)
        t = step_t[sel, s - 1] - r_inter.integers(600, 3600, len(sel))
        oc = np.where(r_inter.random(len(sel)) < (0.5 if s == 3 else 0.85), OC["consulted"],
                      OC["follow_up"])
        it_parts.append((sel, t, kind_draw(len(sel), step_kinds[s - 1]), oc))
    wsel = np.flatnonzero(walk_in & won)
    it_parts.append((wsel, won_t[wsel] - 30, np.full(len(wsel), KI["visit"]),
                     np.full(len(wsel), OC["consulted"])))
    lsel = np.flatnonzero(lost)
    it_parts.append((lsel, drop_t[lsel] - r_inter.integers(600, 3600, len(lsel)),
                     kind_draw(len(lsel), [("call", 0.7), ("zalo", 0.3)]),
                     np.where(reached[lsel] == 0, OC["no_answer"], OC["skipped"])))
    # care after purchase and nurturing of open leads
    care_n = np.where(n_comp > 0, r_inter.poisson(np.minimum(1 + n_comp / 6, 6)),
                      r_inter.poisson(0.4, n))
    care_c = np.repeat(np.arange(n), care_n)
    first_buy = np.full(n, -1, dtype=np.int64)
    if len(cc):
        first_buy[cc[_group_starts(cc)]] = c_t_o[_group_starts(cc)]
    lo = np.where(first_buy[care_c] >= 0, first_buy[care_c], created[care_c])
    hi = np.where(first_buy[care_c] >= 0, ref_end,
                  np.minimum(created[care_c] + 120 * _DAY, ref_end))
    care_day = (lo + r_inter.random(len(care_c)) * np.maximum(hi - lo, 0)) // _DAY
    care_t = np.maximum(care_day * _DAY + _shop_seconds(r_inter, len(care_c)), lo + 60)
    care_ok = care_t <= ref_end
    it_parts.append((care_c[care_ok], care_t[care_ok],
                     kind_draw(int(care_ok.sum()), [("call", 0.35), ("zalo", 0.35), ("sms", 0.1),
                                                    ("facebook", 0.1), ("email", 0.1)]),
                     _pick(r_inter, [("consulted", 0.45), ("skipped", 0.2), ("no_answer", 0.2),
                                     ("follow_up", 0.15)], int(care_ok.sum()))))
    it_c = np.concatenate([p[0] for p in it_parts])
    it_t = np.concatenate([p[1] for p in it_parts]).astype(np.int64)
    it_k = np.concatenate([p[2] for p in it_parts])
    it_o = np.concatenate([p[3] for p in it_parts])
    it_ok = it_t >= created[it_c]
    it_c, it_t, it_k, it_o = it_c[it_ok], it_t[it_ok], it_k[it_ok], it_o[it_ok]
    ito = np.lexsort((it_c, it_t))
    it_c, it_t, it_k, it_o = it_c[ito], it_t[ito], it_k[ito], it_o[ito]
    n_it = len(it_c)
    it_note = np.empty(n_it, dtype=object)
    for o, notes in _INTERACTION_NOTES.items():
        sel = np.flatnonzero(it_o == OC[o])
        it_note[sel] = np.array(notes, dtype=object)[r_inter.integers(0, len(notes), len(sel))]
    it_next = it_t // _DAY + 1 + r_inter.integers(0, 7, n_it)
    it_next_null = it_o != OC["follow_up"]
    staff_arr = np.array(staff_ids or [-1], dtype=np.int64)
    it_user = np.where(owner_arr[it_c] >= 0, owner_arr[it_c],
                       staff_arr[r_inter.integers(0, len(staff_arr), n_it)])
    ctx.first_buy, ctx.it_c, ctx.it_k, ctx.it_next = first_buy, it_c, it_k, it_next
    ctx.it_next_null = it_next_null
    ctx.it_note, ctx.it_o, ctx.it_t, ctx.it_user, ctx.kinds = it_note, it_o, it_t, it_user, kinds
    ctx.n_it, ctx.outcomes = n_it, outcomes


def _feedback(ctx: _Ctx) -> None:
    """Feedback: complaints from ~3 % of buyers (resolved within 0–14 days unless recent),
    reviews with a rating, questions."""
    created, first_buy, n, n_comp = ctx.created, ctx.first_buy, ctx.n, ctx.n_comp
    r_feed = ctx.r_feed
    ref_end = ctx.ref_end
    # (customer pos, kind, status, subject, body, rating, opened, resolved, resolution)
    fb_rows = []
    buyer_pos = np.flatnonzero(n_comp > 0)
    fb_u = r_feed.random((len(buyer_pos), 3))
    fb_when = r_feed.random((len(buyer_pos), 3))
    for j, c in enumerate(buyer_pos.tolist()):
        lo_t = first_buy[c]
        span = max(ref_end - lo_t, 0)
        if fb_u[j, 0] < 0.03:
            opened = int(lo_t + fb_when[j, 0] * span)
            subj, res = _COMPLAINTS[int(fb_u[j, 1] * 1000) % len(_COMPLAINTS)]
            hours = int(r_feed.exponential(3.0) * 24 + 1)
            resolved = opened + min(hours, 14 * 24) * 3600
            if resolved <= ref_end and r_feed.random() < 0.95:
                fb_rows.append((c, "complaint", "resolved", subj, None, None, opened, resolved,
                                res))
            else:
                st = "in_progress" if r_feed.random() < 0.6 else "open"
                fb_rows.append((c, "complaint", st, subj, None, None, opened, None, None))
        if fb_u[j, 2] < 0.15:
            opened = int(lo_t + fb_when[j, 2] * span)
            rating = int(r_feed.choice(5, p=[0.07, 0.06, 0.12, 0.30, 0.45])) + 1
            fb_rows.append((c, "review", "resolved", f"Đánh giá {rating} sao", _REVIEWS[rating],
                            rating, opened, min(opened + 3600 * int(1 + r_feed.integers(0, 24)),
                                                max(ref_end, opened)), None))
    q_sel = np.flatnonzero(r_feed.random(n) < 0.05)
    for c in q_sel.tolist():
        opened = int(created[c] + r_feed.random() * max(ref_end - created[c], 0))
        subj, res = _QUESTIONS[int(r_feed.integers(0, len(_QUESTIONS)))]
        resolved = opened + int(r_feed.integers(1, 48)) * 3600
        if resolved <= ref_end:
            fb_rows.append((c, "question", "resolved", subj, None, None, opened, resolved, res))
        else:
            fb_rows.append((c, "question", "open", subj, None, None, opened, None, None))
    fb_rows.sort(key=lambda r: (r[6], r[0], r[1]))
    ctx.fb_rows = fb_rows


def _appointments(ctx: _Ctx) -> None:
    """Appointments: done in the past, open in the next two weeks."""
    D, c_day, created, n, r_appt = ctx.D, ctx.c_day, ctx.created, ctx.n, ctx.r_appt
    ref_end = ctx.ref_end
    ap_rows = []  # (customer pos, kind, title, due, status, done)
    ap_kinds = list(_APPOINTMENT_TITLES)
    future = np.flatnonzero(r_appt.random(n) < 0.025)
    past = np.flatnonzero(r_appt.random(n) < 0.06)
    who = np.concatenate([future, past])
    m = len(who)
    a_kind = r_appt.integers(0, 3, m)
    a_title = r_appt.integers(0, 12, m)
    a_tod = _shop_seconds(r_appt, m)
    ahead = D + 1 + r_appt.integers(0, 14, len(future))
    since = (r_appt.random(len(past)) * np.maximum(D - c_day[past] - 1, 0)).astype(np.int64)
    a_day = np.concatenate([ahead, c_day[past] + 1 + since])
    a_x = r_appt.random(m)
    a_done = r_appt.integers(0, 7200, m)
    for j, c in enumerate(who.tolist()):
        k = ap_kinds[a_kind[j]]
        title = _APPOINTMENT_TITLES[k][a_title[j] % len(_APPOINTMENT_TITLES[k])]
        day = int(a_day[j])
        due = day * _DAY + int(a_tod[j])
        if j < len(future):
            ap_rows.append((c, k, title, due, "open", None))
        elif due <= created[c]:
            continue
        elif day >= D - 3 and a_x[j] < 0.5:  # a few overdue ones nobody has closed yet
            ap_rows.append((c, k, title, due, "open", None))
        elif a_x[j] < 0.9:
            ap_rows.append((c, k, title, due, "done", max(min(due + int(a_done[j]), ref_end), due)))
        else:
            ap_rows.append((c, k, title, due, "cancelled", None))
    ap_rows.sort(key=lambda r: (r[3], r[0]))
    ctx.ap_rows = ap_rows
