"""The browser benchmark's table: samples (one per measured click) → one row per page and
role, with the budgets of issue 16 (S, SQLite, 2 cores). Pure functions, no browser."""

from __future__ import annotations

import statistics

# Click to the end of the script run (DESIGN.md "Performance budgets", issue 16).
BUDGETS_MS = {"warm": 400.0, "first": 1000.0, "change": 500.0}
KINDS = ("first", "warm", "filter", "period")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def summarise(samples: list[dict], budgets: dict[str, float] = BUDGETS_MS) -> list[dict]:
    """samples: {"page", "role", "kind" (first / warm / filter / period), "ms" (click to
    done), "script_ms", "data_ms", "misses"} or {"page", "role", "kind", "error"}.
    A row per (page, role) in the order first seen. Data and script times are the warm
    visits' medians; "rest" is what is neither script nor data: Streamlit's messages,
    serialisation and the browser's work."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for s in samples:
        groups.setdefault((s["page"], s["role"]), []).append(s)
    rows = []
    for (page, role), items in groups.items():
        ok = {k: [s for s in items if s["kind"] == k and "error" not in s] for k in KINDS}
        errors = [f"{s['kind']}: {s['error']}" for s in items if "error" in s]
        warm = [s["ms"] for s in ok["warm"]]
        first = ok["first"][0] if ok["first"] else None
        filter_ms = max((s["ms"] for s in ok["filter"]), default=None)
        period_ms = max((s["ms"] for s in ok["period"]), default=None)
        worst_filter = max(ok["filter"], key=lambda s: s["ms"], default={})  # where its time went
        warm_ms = _median(warm)
        script_ms = _median([s["script_ms"] for s in ok["warm"] if s.get("script_ms") is not None])
        data_ms = _median([s["data_ms"] for s in ok["warm"] if s.get("data_ms") is not None])
        over = []
        if warm_ms is not None and warm_ms > budgets["warm"]:
            over.append("warm")
        if first is not None and first["ms"] > budgets["first"]:
            over.append("first")
        for kind, value in (("filter", filter_ms), ("period", period_ms)):
            if value is not None and value > budgets["change"]:
                over.append(kind)
        rows.append({
            "page": page, "role": role,
            "first_ms": first and round(first["ms"], 1),
            "first_script_ms": first and first.get("script_ms"),
            "first_data_ms": first and first.get("data_ms"),
            "first_misses": first and first.get("misses"),
            "warm_ms": warm_ms, "warm_p95_ms": round(p95(warm), 1) if warm else None,
            "warm_runs_ms": [round(v, 1) for v in warm],
            "filter_ms": filter_ms and round(filter_ms, 1),
            "period_ms": period_ms and round(period_ms, 1),
            "filter_script_ms": worst_filter.get("script_ms"), "filter_data_ms": worst_filter.get("data_ms"),
            "filter_after_script_ms": worst_filter.get("after_script_ms"),
            "data_ms": data_ms, "script_ms": script_ms,
            # click → the app says "running": the browser's event and the request's trip
            "to_start_ms": _median([s["to_start_ms"] for s in ok["warm"] if s.get("to_start_ms") is not None]),
            # click → the script starts on the server; the script's end → the page is done
            "before_script_ms": _median([s["before_script_ms"] for s in ok["warm"]
                                         if s.get("before_script_ms") is not None]),
            "after_script_ms": _median([s["after_script_ms"] for s in ok["warm"]
                                        if s.get("after_script_ms") is not None]),
            "browser_ms": _median([s["browser_ms"] for s in ok["warm"] if s.get("browser_ms") is not None]),
            "gc_ms": _median([s["gc_ms"] for s in ok["warm"] if s.get("gc_ms") is not None]),
            "runs_per_click": _median([s["runs"] for s in ok["warm"] if s.get("runs") is not None]),
            "rest_ms": round(warm_ms - script_ms, 1) if warm_ms is not None and script_ms is not None else None,
            "within_budget": not over and not errors, "over": over, "errors": errors,
        })
    return rows


def _ms(v) -> str:
    return "—" if v is None else f"{v:,.0f}"


def table(rows: list[dict], budgets: dict[str, float] = BUDGETS_MS) -> str:
    head = ("page", "role", "first ms", "warm ms", "warm p95", "filter ms", "period ms",
            "data ms", "script ms", "rest ms",
            f"ok (≤{budgets['warm']:.0f}/{budgets['first']:.0f}/{budgets['change']:.0f})")
    lines = [head]
    for r in rows:
        verdict = "yes" if r["within_budget"] else "NO " + ",".join(r["over"] + (["error"] if r["errors"] else []))
        lines.append((r["page"], r["role"], _ms(r["first_ms"]), _ms(r["warm_ms"]), _ms(r["warm_p95_ms"]),
                      _ms(r["filter_ms"]), _ms(r["period_ms"]), _ms(r["data_ms"]), _ms(r["script_ms"]),
                      _ms(r["rest_ms"]), verdict))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(str(v).rjust(w) if 2 <= i < len(head) - 1 else str(v).ljust(w)
                             for i, (v, w) in enumerate(zip(line, widths, strict=True))).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    errors = [f"  {r['page']} ({r['role']}): {e}" for r in rows for e in r["errors"]]
    if errors:
        out += ["", "errors:", *errors]
    return "\n".join(out)


def document(rows: list[dict], budgets: dict[str, float] = BUDGETS_MS, **about) -> dict:
    """The "browser" part of the results JSON."""
    return {"budgets_ms": budgets, **about, "rows": rows,
            "over_budget": [f"{r['page']} ({r['role']})" for r in rows if not r["within_budget"]]}
