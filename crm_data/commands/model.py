"""crm model fit | show — the P(alive) / expected value model (crm_data.clv, docs/clv.md)"""

from __future__ import annotations

import json

from crm_data.commands import CommandError, add_db_option, engine_from, parse_date, require_schema

DEFINITIONS = """\
Model: BG/NBD (Fader, Hardie & Lee 2005) for purchases, Gamma-Gamma for spend per purchase.
- purchases: completed orders only; all orders of one day are one purchase (purchase day)
- frequency x: repeat purchase days (purchase days after the first one)
- recency t_x: weeks from the first purchase day to the last one
- age T: weeks from the first purchase day to the end of the data (the fit day)
- time unit: week (7 days); expected purchases are counted in purchase days
- spend: mean amount of the repeat purchase days (x >= 1 only; the first day left out)
- holdout check: refit on the orders up to {holdout} days before the fit day, predict the
  repeat purchase days of those buyers in the {holdout} days after, compare with the actual
- expected value: expected purchases in the next {horizon} days x expected spend (VND)"""


def register(sub) -> None:
    m = sub.add_parser("model", help="P(alive) and expected value per customer (BG/NBD + Gamma-Gamma)")
    msub = m.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    p = msub.add_parser("fit", help="fit the model on the order history and score every buyer")
    add_db_option(p)
    p.add_argument("--today", type=parse_date, help="fit on the orders up to this date (yyyy-mm-dd)")
    p.add_argument("--if-stale", action="store_true",
                   help="do nothing when today's fit exists (the nightly timer's form)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_fit)
    p = msub.add_parser("show", help="print the latest fit")
    add_db_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_show)
    from crm_data.commands.lookalike import register_model
    register_model(msub)  # crm model lookalike


def cmd_fit(args) -> int:
    from crm_data.clv import fit, nightly

    engine = engine_from(args)
    require_schema(engine)
    if args.if_stale and not nightly.is_stale(engine, args.today):
        print("the model was fitted today already")
        return 0
    try:
        fit.fit_and_store(engine, ref=args.today)
    except fit.NotEnoughData as exc:
        raise CommandError(str(exc)) from exc
    return _print(engine, args.format, definitions=True)


def cmd_show(args) -> int:
    engine = engine_from(args)
    require_schema(engine)
    return _print(engine, args.format, definitions=False)


def _print(engine, fmt: str, definitions: bool) -> int:
    from crm_data.admin import settings
    from crm_data.clv import fit

    last = fit.latest(engine)
    if last is None:
        raise CommandError("no fit yet: run `crm model fit`")
    if fmt == "json":
        print(json.dumps(last, default=str, ensure_ascii=False, indent=2))
        return 0
    if definitions:
        print(DEFINITIONS.format(holdout=settings.get(engine, "clv.holdout_days"),
                                 horizon=last["horizon_days"]))
        print()
    print(f"fitted on {last['fitted_on']} in {last['seconds']:.1f} s: {last['n_customers']:,} buyers, "
          f"{last['n_repeat']:,} with a repeat purchase")
    print(f"BG/NBD     r={last['r']:.4g} alpha={last['alpha']:.4g} (weeks) a={last['a']:.4g} "
          f"b={last['b']:.4g}  log-likelihood {last['loglik']:.1f}")
    if last["p"] is not None:
        print(f"Gamma-Gamma p={last['p']:.4g} q={last['q']:.4g} gamma={last['gamma']:,.0f} VND  "
              f"log-likelihood {last['loglik_spend']:.1f}")
    else:
        print("Gamma-Gamma not fitted (too few repeat buyers): spend = the customer's own mean")
    if last["calibration_end"] is not None:
        err = last["holdout_error"]
        print(f"holdout: calibration to {last['calibration_end']}, predicted "
              f"{last['holdout_predicted']:,.1f} repeat purchase days, actual {last['holdout_actual']:,.0f}"
              + (f" (error {err:+.1%})" if err is not None else ""))
    return 0
