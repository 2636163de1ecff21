"""crm model lookalike — leads that look like the best customers (crm_data.lookalike,
docs/lookalike.md). Registered under `crm model` by crm_data.commands.model."""

from __future__ import annotations

import json

from crm_data.commands import CommandError, add_db_option, engine_from, parse_date, require_schema
from crm_data.i18n import t

DEFINITIONS = """\
Lookalike: one-hot lead-time fields -> logistic regression (scikit-learn).
- rows: live customers created up to the fit day; label 1 = a "best" customer ({best})
- features at lead time: source, channel, province, region, kind, industry, occupation,
  income band, age band at creation, questionnaire answers and contacts (count band, kinds)
  dated before the first completed order (up to the fit day for those who never bought)
- time split: trained on leads created before {split}, tested on those created from it
- scored: the leads without a completed order, by the model refitted on every lead"""


def register_model(msub) -> None:
    p = msub.add_parser("lookalike", help="score the leads that look like the best customers")
    add_db_option(p)
    p.add_argument("--best", default="vip", help="vip | value | segment:<id> (default vip)")
    p.add_argument("--today", type=parse_date, help="fit as of this date (yyyy-mm-dd)")
    p.add_argument("--top", type=int, default=10, help="print this many leads (default 10)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_lookalike)


def cmd_lookalike(args) -> int:
    from crm_data.accounts.scope import SYSTEM
    from crm_data.lookalike import best, fit, reads

    engine = engine_from(args)
    require_schema(engine)
    try:
        fit.fit_and_store(engine, SYSTEM, args.best, args.today)
    except (best.BadBest, best.NoFit) as exc:
        raise CommandError(str(exc)) from exc
    last = fit.latest(engine)
    top = reads.ranked(engine, SYSTEM, "en", limit=args.top) if last["supported"] else None
    if args.format == "json":
        out = {"fit": last, "leads": [] if top is None else top.to_dict("records")}
        print(json.dumps(out, default=str, ensure_ascii=False, indent=2))
        return 0
    print(DEFINITIONS.format(best=last["best"], split=last["split_on"]))
    print()
    print(f"fitted on {last['fitted_on']} in {last['seconds']:.1f} s: {last['n_train']:,} training "
          f"leads ({last['positives_train']:,} best), {last['n_test']:,} test leads "
          f"({last['positives_test']:,} best)")
    if last["auc"] is not None:
        cv = "n/a" if last["cv_auc"] is None else f"{last['cv_auc']:.3f}"
        lift = "n/a" if last["lift_top_decile"] is None else f"{last['lift_top_decile']:.2f}"
        print(f"test AUC {last['auc']:.3f} (95 % interval {last['auc_low']:.3f}-"
              f"{last['auc_high']:.3f}), cross-validated AUC {cv}, top-decile lift {lift}")
    if not last["supported"]:
        from crm_data.admin.settings import get
        print(t(f"lookalike.verdict.{last['verdict']}", "en", min=get(engine, "lookalike.min_positives"),
                pos_train=last["positives_train"], pos_test=last["positives_test"]))
        return 0
    print(f"{last['n_scored']:,} leads scored; the most alike:")
    for row in top.itertuples():
        print(f"  {row.code}  {row.score:.1%}  {row.reasons}")
    return 0
