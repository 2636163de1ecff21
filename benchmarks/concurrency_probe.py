"""When a click in Chromium is done, for the concurrency benchmark.

The end of the script run a click started is known for certain from the server: its
`script_finished` message (not the early end of a run that asked for a rerun) arriving on
the page's WebSocket, read here from Playwright's frame events (RunEnds). The time is taken
in the page, on the page's clock, from the click event:
- to the moment `data-test-script-state` went back to "notRunning" after it ran, when the
  page showed that (every run long enough to be drawn "running");
- otherwise to the page's last DOM change, once the run has ended and the page has been
  still for QUIET_MS. The quiet wait is not part of the figure.

Why not the attribute alone: measured 2026-11-30, 4 of 81 Chromium clicks (Funnel,
Customers, Complaints, Users) waited 30 s although the page had drawn the clicked page:
the attribute never changed at all. When "running" and "finished" reach the page together,
React renders both state updates at once and the DOM never shows "running".
"""

from __future__ import annotations

import asyncio

from benchmarks.browser import QUIET_MS
from tests import browserkit
from tests.browserkit import RunEnds

STEP_S = browserkit.STEP_MS / 1000

# Arms the probe before a click: the click's time, the last running → notRunning the page
# showed (`done`) and its last DOM change (`last`) after the click.
ARM = """() => {
  const p = window.__crmProbe = {click: null, ran: false, done: null, last: null};
  document.addEventListener('click', () => { p.click = performance.now(); },
                            {capture: true, once: true});
  if (window.__crmObserver) window.__crmObserver.disconnect();
  const state = () => document.querySelector('[data-testid="stApp"]')
                        ?.getAttribute('data-test-script-state');
  window.__crmObserver = new MutationObserver(records => {
    if (p.click === null) return;
    p.last = performance.now();
    for (const r of records)
      if (r.attributeName === 'data-test-script-state' && r.oldValue !== 'notRunning') p.ran = true;
    if (state() !== 'notRunning') p.ran = true;
    else if (p.ran) p.done = p.last;
  });
  window.__crmObserver.observe(document.body, {attributes: true, attributeOldValue: true,
                                               childList: true, subtree: true, characterData: true});
}"""
# Once the run has ended on the server: [milliseconds from the click to the page being done,
# whether that is the page's last change (the page never showed "running")].
# Still for QUIET_MS counted from the run's end too, so its last messages are drawn first.
SETTLE = """(quiet) => new Promise(resolve => {
  const p = window.__crmProbe;
  const ended = performance.now();
  const check = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = app && app.getAttribute('data-test-script-state') === 'notRunning';
    const now = performance.now();
    if (idle && p.done !== null) resolve([p.done - p.click, false]);
    else if (idle && now - Math.max(p.last ?? p.click, ended) >= quiet) resolve([(p.last ?? now) - p.click, true]);
    else setTimeout(check, 25);
  };
  check();
})"""
SHOWS = """() => ({path: location.pathname, clicked: window.__crmProbe?.click != null,
  state: document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'),
  connection: document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-connection-state')})"""


async def timed(page, ends: RunEnds, click) -> tuple[float, bool]:
    """Milliseconds from the click to the end of the script run it started, as the page
    shows it, and whether they were timed to the page's last change. A TimeoutError says
    what the page showed when the time ran out."""
    await page.evaluate(ARM)
    seen = ends.count
    await click()

    async def done() -> tuple[float, bool]:
        await ends.after(seen)
        ms, to_last_change = await page.evaluate(SETTLE, QUIET_MS)
        return ms, to_last_change

    try:
        return await asyncio.wait_for(done(), STEP_S)
    except TimeoutError:
        shows = await page.evaluate(SHOWS)
        ended = "ended" if ends.count > seen else "did not end"
        raise TimeoutError(f"the run {ended} within {STEP_S:.0f} s; the page shows {shows}") from None


async def loaded(page, ends: RunEnds, url: str) -> None:
    """Open `url` and wait for the end of the run that draws it (unmeasured)."""
    seen = ends.count
    await page.goto(url, timeout=browserkit.STEP_MS)
    await asyncio.wait_for(ends.after(seen), STEP_S)
