"""The printed table and the JSON document."""

from __future__ import annotations

import json


def _ms(v) -> str:
    return "—" if v is None else (f"{v:,.1f}" if v < 100 else f"{v:,.0f}")


def _x(v) -> str:
    return "—" if v is None else f"{v:,.1f}×"


def print_cases(rows: list[dict], budget_ms: float) -> None:
    head = ("page", "scope", "cold ms", "median ms", "p95 ms", "rows", "raw ms", "×raw",
            "duckdb ms", "×duckdb", f"≤{budget_ms:.0f}")
    table = [head]
    notes = []
    for r in rows:
        if r["status"] != "ok":
            table.append((r["case"], r["scope"], r["status"], "", "", "", "", "", "", "", ""))
            notes.append(f"  {r['case']} ({r['scope']}): {r['note']}")
            continue
        table.append((
            r["case"], r["scope"], _ms(r["cold_ms"]), _ms(r["median_ms"]), _ms(r["p95_ms"]),
            f"{r['rows']:,}", _ms(r["raw_ms"]), _x(r["ratio_raw"]), _ms(r.get("duckdb_ms")),
            _x(r.get("ratio_duckdb")), "yes" if r["within_budget"] else "NO",
        ))
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    for n, row in enumerate(table):
        print("  ".join(str(v).rjust(w) if i >= 2 else str(v).ljust(w)
                        for i, (v, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    if notes:
        print("\nnot measured:")
        print("\n".join(notes))


def print_tasks(tasks: list[dict]) -> None:
    print()
    for t in tasks:
        secs = "—" if t["seconds"] is None else f"{t['seconds']:,.2f} s"
        rows = "" if t["rows"] is None else f"{t['rows']:,} rows"
        print(f"  {t['task']:<24} {t['status']:<8} {secs:>12} {rows:>16}  {t['note']}")


def write(path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
