"""Deterministic, realistic Vietnamese sample data at any size (`crm seed`), in parts."""

# Everything is precomputed with numpy from one seed (one independent random stream per
# concern, so that changing how interactions are drawn does not move the orders), every
# primary key is assigned here, and the rows go to the database in chunks of 40,000 inside one
# transaction: executemany of one compiled `insert(Table)` on SQLite (see writer._Writer),
# COPY on PostgreSQL; the big tables' secondary indexes are built after their rows. Same
# seed + same `ref` → the same rows, byte for byte. The summary (customer_stats) is rebuilt
# at the end.
#
# The shape of the data, in short:
# - customers: Vietnamese names from weighted family / middle / given name lists, carrier
#   phone prefixes, the 34 provinces weighted by population, ~10 % businesses; created over
#   the period with growth (later years bigger) and a little seasonality;
# - lead funnel (stage_changes kind="pipeline"): new → contacted → qualified → quoted → won
#   with a drop-out into "lost" (and a reason) at every step; ~6 % walk-in buyers go straight
#   to won; leads whose next step would fall after `ref` are still open;
# - orders: won customers buy minutes after the win, then again at personal mean intervals
#   (log-normal, so order counts are heavy-tailed) and less often as their tenure grows;
#   ~35 % of buyers churn at some point; the order dates follow a seasonal intensity (Tết ~2×
#   in the three weeks before it, 8/3, 20/10, 11/11, 12/12, Black Friday; weekends a little
#   busier); frequent buyers mostly buy everyday goods;
# - journey (stage_changes kind="lifecycle"): awareness → consideration → first_purchase →
#   repeat → loyal (→ advocate), lapsed once 180 days pass without a completed order (the one
#   churn rule, crm_data.domain.labels), back again
#   on the next one; the final stage equals `rules.lifecycle_from_stats` of the orders;
# - receivables, later payments (never more than what is owed), monthly loyalty points and
#   redemptions (a balance never goes below zero), interactions, feedback, appointments and
#   a cash book.
#
# Calibrated so that 100,000 customers give ~1,000,000 orders (~10 per customer including
# those who never buy). As only about a quarter of the leads are ever won, a buyer makes ~40
# orders on average over the period: a fifth of them 1–2, the median ~20, a tail of frequent
# (mostly business) buyers with hundreds.
#
# The parts, each a module of this package, about in the order seed._build runs them:
#   users           demo logins, the owners' shares, is_new / is_empty
#   people          customers (people_words: names, streets, brands, phone prefixes)
#   funnel          lead funnel, journey stages, the stage_changes rows
#   orders          products, orders, order lines, later payments, purchases per customer
#   loyalty         monthly points, redemptions, gifts
#   activity        interactions, feedback, appointments
#   cash_book       cash book, payment allocations
#   tags_and_search tags, notes, the search column
#   today           follow-ups, appointments and late complaints for the Today list
#   duplicates      planted duplicate customers
#   tables          the columns, table by table; leadscore adds answers, churn reasons, tags
#   writer          the bulk load (columns: column data; common, seasons, enums: shared bits)
#   complaints      complaint threads, added in the load's transaction
#   files           the small import files of sample_data/

from __future__ import annotations

from crm_data.sample.files import (
    CUSTOMER_HEADERS,
    ORDER_HEADERS,
    SAMPLE_CUSTOMER_PREFIX,
    SAMPLE_ORDER_PREFIX,
    SAMPLE_SEED,
    write_sample_files,
)
from crm_data.sample.seasons import TET_DATES, TET_PEAK_DAYS
from crm_data.sample.seed import SeedResult, generate, reference
from crm_data.sample.users import DEMO_USERS, demo_logins, ensure_demo_users, is_empty, is_new

__all__ = [
    "CUSTOMER_HEADERS",
    "DEMO_USERS",
    "ORDER_HEADERS",
    "SAMPLE_CUSTOMER_PREFIX",
    "SAMPLE_ORDER_PREFIX",
    "SAMPLE_SEED",
    "TET_DATES",
    "TET_PEAK_DAYS",
    "SeedResult",
    "demo_logins",
    "ensure_demo_users",
    "generate",
    "is_empty",
    "is_new",
    "reference",
    "write_sample_files",
]
