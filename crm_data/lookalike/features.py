"""What a customer looked like as a lead: fields and contacts before their first completed
order (or up to the fit day for those who never bought), as one-hot tokens "field=value"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sqlalchemy import Engine, func, select

from crm_data.storage.models import Customer, CustomerStats, Interaction, LeadAnswer

# Customer columns a lead has when it is entered, and the token prefix of each.
FIELDS = {"source": "source", "preferred_channel": "channel", "region": "region",
          "province_code": "province", "kind": "kind", "industry": "industry",
          "occupation": "occupation", "income_band": "income"}
AGE_BANDS = ((0, "u25"), (25, "25_34"), (35, "35_44"), (45, "45_54"), (55, "55p"))
CONTACT_BANDS = ((0, "0"), (1, "1_2"), (3, "3_5"), (6, "6p"))
UNKNOWN = "?"


@dataclass
class Leads:
    """One row per customer (frame: id, created_on, first_order_date, bought) and the
    customer's tokens in long form (row = position in frame, token)."""

    frame: pd.DataFrame
    tokens: pd.DataFrame


def _cutoff(ref: dt.date):
    """Lead time ends at the first completed order's day (exclusive); else after `ref`."""
    return func.coalesce(CustomerStats.first_order_date, ref + dt.timedelta(days=1))


def _base(engine: Engine, ref: dt.date) -> pd.DataFrame:
    cols = [Customer.__table__.c[c] for c in FIELDS]
    q = (select(Customer.id, Customer.created_at, Customer.birth_date, *cols,
                CustomerStats.first_order_date)
         .select_from(Customer)
         .outerjoin(CustomerStats, CustomerStats.customer_id == Customer.id)
         .where(Customer.deleted_at.is_(None), Customer.erased_at.is_(None),
                Customer.created_at < ref + dt.timedelta(days=1))
         .order_by(Customer.created_at, Customer.id))
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["created_on"] = pd.to_datetime(df["created_at"]).dt.date
    first = pd.to_datetime(df["first_order_date"])
    df["first_order_date"] = first.dt.date.where(first.notna(), None)
    df["bought"] = (first.notna() & (first <= pd.Timestamp(ref))).to_numpy()
    return df.reset_index(drop=True)


def _band(values: pd.Series, bands) -> pd.Series:
    out = pd.Series(UNKNOWN, index=values.index, dtype=object)
    for low, name in bands:
        out[values >= low] = name
    return out


def _age_at_lead(df: pd.DataFrame) -> pd.Series:
    born = pd.to_datetime(df["birth_date"])
    created = pd.to_datetime(df["created_at"])
    years = (created - born).dt.days / 365.25
    return _band(years.where(born.notna()), AGE_BANDS)


def _answers(engine: Engine, ref: dt.date) -> pd.DataFrame:
    q = (select(LeadAnswer.customer_id, LeadAnswer.question_key, LeadAnswer.answer_key)
         .join(CustomerStats, CustomerStats.customer_id == LeadAnswer.customer_id, isouter=True)
         .where(LeadAnswer.answered_at < _cutoff(ref)))
    with engine.connect() as conn:
        return pd.read_sql(q, conn)


def _contacts(engine: Engine, ref: dt.date) -> pd.DataFrame:
    q = (select(Interaction.customer_id, Interaction.kind, func.count().label("n"))
         .join(CustomerStats, CustomerStats.customer_id == Interaction.customer_id, isouter=True)
         .where(Interaction.occurred_at < _cutoff(ref))
         .group_by(Interaction.customer_id, Interaction.kind))
    with engine.connect() as conn:
        return pd.read_sql(q, conn)


def build(engine: Engine, ref: dt.date) -> Leads:
    """Every live customer created up to `ref`, with their lead-time tokens."""
    df = _base(engine, ref)
    row_of = pd.Series(np.arange(len(df)), index=df["id"].to_numpy())
    parts = []
    for col, prefix in FIELDS.items():
        values = df[col].astype(object).where(df[col].notna(), UNKNOWN).astype(str)
        parts.append(pd.DataFrame({"row": row_of.to_numpy(), "token": prefix + "=" + values}))
    parts.append(pd.DataFrame({"row": row_of.to_numpy(), "token": "age=" + _age_at_lead(df)}))
    answers = _answers(engine, ref)
    answers = answers[answers["customer_id"].isin(row_of.index)]
    parts.append(pd.DataFrame({
        "row": row_of.loc[answers["customer_id"]].to_numpy(),
        "token": "answer:" + answers["question_key"] + "=" + answers["answer_key"]}))
    contacts = _contacts(engine, ref)
    contacts = contacts[contacts["customer_id"].isin(row_of.index)]
    parts.append(pd.DataFrame({"row": row_of.loc[contacts["customer_id"]].to_numpy(),
                               "token": "contact_kind=" + contacts["kind"].astype(str)}))
    total = contacts.groupby("customer_id")["n"].sum().reindex(df["id"], fill_value=0)
    parts.append(pd.DataFrame({"row": row_of.to_numpy(),
                               "token": "contacts=" + _band(pd.Series(total.to_numpy()),
                                                            CONTACT_BANDS).to_numpy()}))
    tokens = pd.concat(parts, ignore_index=True)
    return Leads(frame=df[["id", "created_on", "first_order_date", "bought"]], tokens=tokens)


def matrix(leads: Leads, vocabulary: dict[str, int] | None = None):
    """The one-hot matrix (CSR, 0/1) and its vocabulary {token: column}; tokens outside a
    given vocabulary are dropped."""
    tok = leads.tokens
    if vocabulary is None:
        vocabulary = {t: i for i, t in enumerate(sorted(tok["token"].unique()))}
    cols = tok["token"].map(vocabulary)
    keep = cols.notna().to_numpy()
    x = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (tok["row"].to_numpy()[keep], cols.to_numpy()[keep].astype(int))),
        shape=(len(leads.frame), len(vocabulary)))
    x.data[:] = 1.0  # a token counted once
    return x, vocabulary
