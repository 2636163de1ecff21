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


def markdown(doc: dict) -> str:
    """The result document as the tables of docs/performance.md
    (`python -m benchmarks.report benchmarks/results/X.json`)."""
    out = [f"{doc['scale']} on {doc['backend']}: {doc['database']['counts']} — commit "
           f"{doc.get('code', {}).get('commit', '?')}, measured {doc['measured_at']}, load average "
           f"{doc['machine'].get('loadavg_at_start')} → {doc['machine'].get('loadavg_at_end')}, speed probe "
           f"{doc['machine'].get('speed_probe_ms', '—')} ms", "",
           "| page | scope | cold ms | median ms | p95 ms | rows | raw ms | ×raw | DuckDB ms | ×DuckDB | "
           f"≤ {doc['budget_ms']:.0f} ms |", "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for r in doc["cases"]:
        if r["status"] != "ok":
            out.append(f"| {r['case']} | {r['scope']} | {r['status']}: {r['note']} |||||||||")
            continue
        out.append(
            f"| {r['case']} | {r['scope']} | {_ms(r['cold_ms'])} | {_ms(r['median_ms'])} | "
            f"{_ms(r['p95_ms'])} | {r['rows']:,} | {_ms(r['raw_ms'])} | {_x(r['ratio_raw'])} | "
            f"{_ms(r.get('duckdb_ms'))} | {_x(r.get('ratio_duckdb'))} | "
            f"{'yes' if r['within_budget'] else '**no**'} |")
    out += ["", "| task | seconds | rows | what |", "|---|--:|--:|---|"]
    for t in doc["tasks"]:
        secs = "—" if t["seconds"] is None else f"{t['seconds']:,.2f}"
        rows = "" if t["rows"] is None else f"{t['rows']:,}"
        out.append(f"| {t['task']} | {secs} | {rows} | {t['note']} |")
    rss = doc["peak_rss_mb"]
    now = rss.get("after_pages_now", {})
    out += ["", f"Peak resident memory: {rss['after_pages']} MB after the pages "
            f"({now.get('RssAnon', '?')} MB own + {now.get('RssFile', '?')} MB mapped database file), "
            f"{rss['after_duckdb']} MB with DuckDB loaded, {rss['end']} MB at the end."]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:]:
        with open(name) as f:
            print(markdown(json.load(f)))
            print()
