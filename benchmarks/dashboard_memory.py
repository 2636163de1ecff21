"""Peak resident memory of the dashboard process itself (budget: under 500 MB at 100,000
customers): starts `streamlit run app.py` on a loopback port against a database,
opens every page each demo role may open in Debian's Chromium, several rounds, and reads
the process's VmHWM / VmRSS / RssAnon / RssFile from /proc.

    .venv/bin/python -m benchmarks.dashboard_memory --url sqlite:///benchmarks/cache/crm_s_s42_20261120.db

File-backed pages (RssFile) include the SQLite database mapped through mmap: they are
the OS page cache, shared and dropped under memory pressure, but they count as resident.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.config import BENCH_TODAY
from tests import browserkit

BUDGET_MB = 500.0
_FIELDS = ("VmHWM", "VmRSS", "RssAnon", "RssFile")


def _status(pid: int) -> dict[str, float]:
    """The memory lines of /proc/<pid>/status, in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in _FIELDS:
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def measure(url: str, roles: list[str], rounds: int, today: str) -> dict:
    from playwright.sync_api import sync_playwright

    from crm_data.sample import DEMO_USERS

    known = {user for user, _pw, _role, _name in DEMO_USERS}
    visits: dict[str, int] = {}
    errors: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crm-mem-") as tmp:
        proc, base = browserkit.start_app(url, Path(tmp) / "server.log", env={"CRM_TODAY": today})
        try:
            with sync_playwright() as pw:
                browser = browserkit.launch(pw)
                for role in [r for r in roles if r in known]:
                    context = browser.new_context(viewport={"width": 1440, "height": 1000})
                    page = context.new_page()
                    browserkit.login(page, base, role, browserkit.demo_password(role))
                    links = browserkit.nav_links(page)
                    for _ in range(rounds):
                        for i in range(links.count()):
                            links.nth(i).click()
                            browserkit.settle(page)
                            visits[role] = visits.get(role, 0) + 1
                            if page.locator('[data-testid="stException"]').count():
                                errors.append(f"{role}: {browserkit.link_title(links.nth(i))}")
                    print(f"  {role:<8} {visits.get(role, 0):>3} page loads  {_status(proc.pid)}", flush=True)
                    context.close()
                browser.close()
            final = _status(proc.pid)
        finally:
            browserkit.stop(proc)
    return {"url": url, "today": today, "rounds": rounds, "page_loads": visits, "errors": errors,
            "peak_rss_mb": final["VmHWM"], "rss_mb": final["VmRSS"], "rss_anon_mb": final["RssAnon"],
            "rss_file_mb": final["RssFile"], "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="database URL the dashboard serves")
    p.add_argument("--roles", nargs="+", default=["admin", "manager", "staff", "viewer"])
    p.add_argument("--rounds", type=int, default=2, help="times every page is opened per role")
    p.add_argument("--today", default=os.environ.get("CRM_TODAY", BENCH_TODAY.isoformat()))
    p.add_argument("--json", help="also write the result here")
    args = p.parse_args(argv)
    if not Path(browserkit.CHROMIUM).exists():
        print(f"{browserkit.CHROMIUM} is missing: run `make system-test-deps` (as root)", file=sys.stderr)
        return 1
    result = measure(args.url, args.roles, args.rounds, args.today)
    print(f"\npeak resident memory of the dashboard: {result['peak_rss_mb']} MB (now {result['rss_mb']} MB "
          f"= {result['rss_anon_mb']} MB own + {result['rss_file_mb']} MB file-backed, incl. the mmapped "
          f"database), {sum(result['page_loads'].values())} page loads in {result['seconds']} s")
    if result["peak_rss_mb"] >= BUDGET_MB:
        print(f"over the {BUDGET_MB:.0f} MB budget")
    if result["errors"]:
        print("pages that raised: " + ", ".join(result["errors"]))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
