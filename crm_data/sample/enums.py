"""The enumeration values the sample writes, checked against the i18n catalogue."""

from __future__ import annotations

from crm_data import i18n
from crm_data.sample.funnel import _LIFE, _PIPE
from crm_data.sample.people_words import _INDUSTRIES

# Enumeration values the sample writes, checked against the i18n catalogue.
_ENUMS_USED = {
    "gender": ("male", "female", "other"),
    "income_band": ("under_10m", "10_20m", "20_40m", "over_40m"),
    "education": ("high_school", "college", "university", "postgraduate"),
    "marital_status": ("single", "married", "other"),
    "occupation": ("office", "business_owner", "worker", "student", "teacher", "healthcare",
                   "engineer", "farmer", "freelancer", "retired", "homemaker"),
    "industry": tuple(_INDUSTRIES),
    "channel": ("phone", "zalo", "facebook", "email", "sms"),
    "source": ("website", "social", "referral", "walk_in", "event", "ads", "survey"),
    "lifecycle_stage": _LIFE,
    "pipeline_stage": _PIPE,
    "lost_reason": ("price", "competitor", "no_need", "no_response", "bad_timing", "service",
                    "moved"),
    "interaction_kind": ("call", "email", "meeting", "zalo", "facebook", "sms", "visit"),
    "outcome": ("consulted", "skipped", "no_answer", "follow_up"),
    "feedback_kind": ("complaint", "question", "review"),
    "feedback_status": ("open", "in_progress", "resolved"),
    "payment_method": ("cash", "transfer", "card", "cod", "ewallet"),
    "order_channel": ("store", "online", "phone", "zalo"),
    "appointment_kind": ("appointment", "call_back", "reminder"),
}


def _check_enums() -> None:
    for field, values in _ENUMS_USED.items():
        known = set(i18n.choices(field))
        unknown = [v for v in values if v not in known]
        if unknown:
            raise RuntimeError(f"sample data uses unknown {field} values: {unknown}")
