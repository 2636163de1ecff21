"""`python -m benchmarks --browser`: click to finished page in Chromium, per page and role.

The real app (`streamlit run app.py`, as tests/browserkit.start_app) runs on the benchmark
database with CRM_TIMING on, so that every script run reports its time and the data
layer's share (crm_ui/timing.py). Each role signs in in a fresh browser context, then:
- first visit: each page of its navigation clicked once, in order (the landing page last:
  it was drawn once by the sign-in itself). The server starts with empty caches, so a first
  visit runs the data layer for this role's queries ("misses" in the JSON);
- warm: `--runs` rounds over the same pages (each click a revisit; caches warm);
- the customer detail: from the list, select the first row, click "open" (editors);
- on each report page: one filter change (a region chosen, then removed) and one period
  change (another preset, then back); the worse of each pair is kept.
A click is timed in the page itself, from the click (or key press) event to the moment
the app's script-state attribute turns from running to notRunning; a run too short for the
attribute ever to show "running" is timed to the page's last change (see SETTLED). No fixed
sleep is part of a figure.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks import browser_report

ROLES = ("admin", "manager", "staff", "viewer")
REPORT_PAGES = ("overview", "segments", "funnel", "journey", "retention", "revenue")
STEP_MS = 60_000  # one script run, worst case (a cold L page)

# Installed in the page: the last click / key press before a script run starts the clock;
# the run's end (data-test-script-state: running → notRunning) stops it; every DOM change
# after the click is noted too (`last`).
PROBE = """() => {
  if (window.__crmBench) return;
  const b = window.__crmBench = {start: null, running: null, done: null, last: null};
  const mark = () => { b.start = performance.now(); b.running = null; b.done = null; b.last = null; };
  document.addEventListener('click', mark, true);
  document.addEventListener('keydown', mark, true);
  new MutationObserver(() => {
    if (b.start === null) return;
    b.last = performance.now();
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    if (state === 'running' && b.running === null) b.running = b.last;
    else if (state === 'notRunning' && b.running !== null && b.done === null) b.done = b.last;
  }).observe(document.body, {attributes: true, childList: true, subtree: true, characterData: true});
}"""
# Once the server has logged the run: the page is done when the attribute went running →
# notRunning, or (a run too short for the attribute to ever show "running") when the page
# has not changed for QUIET_MS after its last change while notRunning.
QUIET_MS = 150
SETTLED = """(quiet) => {
  const b = window.__crmBench;
  const app = document.querySelector('[data-testid="stApp"]');
  if (b.done !== null) return true;
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
         && performance.now() - (b.last ?? b.start) > quiet;
}"""


class Timings:
    """The CRM_TIMING file the app appends to: the script runs since a given moment."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.gc: list[dict] = []  # full collections ended in the last window

    def since(self, wall: float) -> list[dict]:
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as f:
            f.seek(self.offset)
            text = f.read()
        complete = text[: text.rfind("\n") + 1]
        self.offset += len(complete.encode())
        lines = list(map(json.loads, complete.splitlines()))
        self.gc += [r for r in lines if "gc_ms" in r and r["end"] >= wall]
        return [r for r in lines if "page" in r and r["start"] >= wall]


class Driver:
    def __init__(self, page, timings: Timings):
        self.page = page
        self.timings = timings
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable")

    def timed(self, action) -> dict:
        """Run `action` (one click or key press that starts a script run); its timing."""
        self.page.evaluate(PROBE)
        before = self.browser_busy()
        self.timings.gc = []
        wall = time.time()
        action()
        runs: list[dict] = []
        deadline = time.monotonic() + STEP_MS / 1000
        while not runs:  # the server's line for the run this action started
            if time.monotonic() > deadline:
                raise TimeoutError("no script run started")
            time.sleep(0.01)
            runs = self.timings.since(wall - 0.005)
        self.page.wait_for_function(SETTLED, arg=QUIET_MS, timeout=STEP_MS, polling=25)
        runs += self.timings.since(wall - 0.005)  # a rerun the page asked for
        probe = self.page.evaluate("() => ({...window.__crmBench, origin: performance.timeOrigin})")
        busy = self.browser_busy() - before
        if probe["done"] is None:
            probe["done"] = probe["last"]
        click_wall = (probe["origin"] + probe["start"]) / 1000
        done_wall = (probe["origin"] + probe["done"]) / 1000
        return {"ms": round(probe["done"] - probe["start"], 1),
                "to_start_ms": round(probe["running"] - probe["start"], 1) if probe["running"] else None,
                # the same clock on both sides: click → script starts, script ends → page done
                "before_script_ms": round((runs[0]["start"] - click_wall) * 1000, 1) if runs else None,
                "after_script_ms": round((done_wall - runs[-1]["end"]) * 1000, 1) if runs else None,
                "script_ms": round(sum(r["script_ms"] for r in runs), 1) if runs else None,
                "data_ms": round(sum(r["data_ms"] for r in runs), 1) if runs else None,
                "misses": sum(r["misses"] for r in runs), "runs": len(runs),
                # the renderer's main thread at work (script, style, layout, paint)
                "browser_ms": round(busy * 1000, 1),
                # full garbage collections the server ran meanwhile (Streamlit: one per run)
                "gc_ms": round(sum(r["gc_ms"] for r in self.timings.gc
                                   if r["end"] <= (probe["origin"] + probe["done"]) / 1000), 1)}

    def browser_busy(self) -> float:
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    def nav(self) -> dict[str, object]:
        from tests.browserkit import link_title, nav_links

        links = nav_links(self.page)
        return {link_title(links.nth(i)): links.nth(i) for i in range(links.count())}

    def exceptions(self) -> int:
        return self.page.locator('[data-testid="stException"]').count()

    def open_first_customer(self) -> dict:
        """On the customer list: select the first row, then time the "open" button."""
        from crm_data.i18n import t
        from tests.browserkit import settle

        grid = self.page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=STEP_MS)
        box = grid.bounding_box()
        self.page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the row's selection checkbox
        settle(self.page)
        button = self.page.get_by_role("button", name=t("customers.open", "vi"), exact=True)
        button.wait_for(timeout=STEP_MS)
        self.page.wait_for_function(
            "(b) => !b.disabled", arg=button.element_handle(), timeout=STEP_MS)
        return self.timed(button.click)

    def sidebar_box(self, testid: str, label: str):
        return self.page.locator(f'[data-testid="stSidebar"] [data-testid="{testid}"]',
                                 has_text=label).first

    def change_filter(self) -> list[dict]:
        """Choose the first region in the filter bar, then remove it again."""
        from crm_data.i18n import t

        box = self.sidebar_box("stMultiSelect", t("filter.regions", "vi"))
        listbox = self.page.locator('[role="listbox"]')
        box.locator("input").click()
        try:
            listbox.wait_for(timeout=3000)
        except Exception:  # the click landed while the sidebar redrew: open it by keyboard
            box.locator("input").focus()
            self.page.keyboard.press("ArrowDown")
            listbox.wait_for(timeout=STEP_MS)
        # by keyboard: a click on the (virtualised) option list does not reach the option
        self.page.keyboard.press("ArrowDown")
        added = self.timed(lambda: self.page.keyboard.press("Enter"))
        self.page.keyboard.press("Escape")
        box.locator("input").focus()
        removed = self.timed(lambda: self.page.keyboard.press("Backspace"))
        self.page.keyboard.press("Escape")
        return [added, removed]

    def change_period(self) -> list[dict]:
        """Pick another preset in the period picker, then the one shown before."""
        from crm_data.i18n import t

        box = self.sidebar_box("stSelectbox", t("common.period", "vi"))
        shown = box.locator("input").input_value()
        other = t("period.last_month", "vi")
        if shown == other:
            other = t("period.this_month", "vi")
        out = []
        for name in (other, shown):
            box.click()
            self.page.keyboard.type(name)  # the list is virtualised: type to bring it in view
            option = self.page.get_by_role("option", name=name, exact=True)
            option.wait_for(timeout=STEP_MS)
            out.append(self.timed(option.click))
        return out


def _stem(title: str, titles: dict[str, str]) -> str:
    return titles.get(title, title)


def measure_role(browser, base: str, role: str, timings: Timings, runs: int,
                 only: list[str] | None) -> list[dict]:
    from crm_data.i18n import t
    from crm_ui.nav import PAGES
    from tests.browserkit import demo_password, login

    stems = {t(p.title_key, "vi"): Path(p.path).stem for p in PAGES}
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    samples: list[dict] = []
    try:
        login(page, base, role, demo_password(role))
        timings.since(time.time())  # skip the sign-in's runs
        drv = Driver(page, timings)
        links = drv.nav()
        order = [title for title in links if _wanted(only, _stem(title, stems))]
        if len(order) > 1:  # the landing page (drawn at sign-in) last among the first visits
            order = order[1:] + order[:1]

        def visit(title: str, kind: str) -> None:
            stem = _stem(title, stems)
            try:
                sample = drv.timed(drv.nav()[title].click)
                if drv.exceptions():
                    sample["error"] = "exception shown"
                samples.append({"page": stem, "role": role, "kind": kind, **sample})
            except Exception as exc:  # a page that breaks is reported, not fatal
                samples.append({"page": stem, "role": role, "kind": kind, "error": _short(exc)})
                return
            if stem == "customers" and _wanted(only, "customer"):
                try:
                    samples.append({"page": "customer", "role": role, "kind": kind,
                                    **drv.open_first_customer()})
                except Exception as exc:
                    samples.append({"page": "customer", "role": role, "kind": kind, "error": _short(exc)})

        for title in order:
            visit(title, "first")
        for _ in range(runs):
            for title in order:
                visit(title, "warm")
        for title in order:
            stem = _stem(title, stems)
            if stem not in REPORT_PAGES:
                continue
            drv.timed(drv.nav()[title].click)
            for kind, change in (("filter", drv.change_filter), ("period", drv.change_period)):
                try:
                    for sample in change():
                        samples.append({"page": stem, "role": role, "kind": kind, **sample})
                except Exception as exc:
                    samples.append({"page": stem, "role": role, "kind": kind, "error": _short(exc)})
        print(f"  {role}: {len(samples)} clicks", flush=True)
    finally:
        context.close()
    return samples


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


def _wanted(only, stem: str) -> bool:
    from fnmatch import fnmatch

    return not only or any(fnmatch(stem, pat) for pat in only)


def run(args, backend: str, server) -> int:
    from benchmarks import database, machine, report
    from benchmarks.config import RESULTS_DIR
    from crm_data import sample, summaries
    from crm_data.clv import nightly
    from crm_data.storage.db import make_engine
    from tests.browserkit import CHROMIUM, chromium, start_app, stop

    if not os.path.exists(CHROMIUM):
        print(f"{CHROMIUM} is missing (bash scripts/system-test-deps.sh installs it)")
        return 2
    db = database.obtain(args.scale, args.seed, args.today.isoformat(), backend,
                         server.url if server else None, rebuild=args.rebuild,
                         server_key=server.key if server else "")
    engine = make_engine(db.url)
    code = machine.code_version()
    # What the app does at its first page, done before the clock runs.
    summaries.ensure_fresh(engine, args.today)
    nightly.refit_if_stale(engine, args.today)
    sample.ensure_demo_users(engine)
    load_start = [round(x, 2) for x in os.getloadavg()]
    roles = args.roles or list(ROLES)
    print(f"\nbrowser: {args.scale} on {backend}, {db.meta.get('counts', {}).get('customers', 0):,} "
          f"customers; roles {', '.join(roles)}; {args.runs} warm rounds\n", flush=True)
    samples: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="crm-browser-bench-") as tmp:
        timing_file = Path(tmp) / "timing.jsonl"
        proc, base = start_app(db.url, Path(tmp) / "server.log",
                               env={"CRM_TIMING": str(timing_file), "CRM_TODAY": args.today.isoformat()})
        try:
            with chromium() as browser:
                for role in roles:
                    samples += measure_role(browser, base, role, Timings(timing_file), args.runs, args.only)
        finally:
            stop(proc)
    rows = browser_report.summarise(samples)
    print()
    print(browser_report.table(rows))
    doc = {
        "scale": args.scale, "backend": backend, "seed": args.seed, "today": args.today,
        "runs": args.runs, "revision": db.revision, "code": code,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine.describe(engine) | {"loadavg_at_start": load_start},
        "database": db.meta,
        "browser": browser_report.document(
            rows, roles=roles, method=__doc__.split("\n\n", 1)[1].strip(),
            first_visit=("the server starts with empty caches and the roles run one after the other: "
                         "a first visit runs this role's queries cold, but those that do not depend "
                         "on the role may have been cached by an earlier role (first_misses)")),
    }
    engine.dispose()
    print(f"machine speed probe: {doc['machine']['speed_probe_ms']} ms (benchmarks.machine.speed_probe_ms)")
    if not args.no_json:
        path = Path(args.json) if args.json else (
            RESULTS_DIR / f"{args.scale}-{backend}-browser-{time.strftime('%Y%m%d-%H%M')}.json")
        report.write(path, doc)
        print(f"\nresults: {path}")
    return 0
