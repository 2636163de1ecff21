"""Full-page screenshots of every page as each given role sees it (`make screenshots`).

Starts the app on the database of CRM_DATABASE_URL / --url (default data/crm.db; created
and seeded with sample data like `make run` when it is empty), logs in through the form
with the demo passwords and saves screenshots/<lang>-<role>-<nn>-<page>.png.

    .venv/bin/python scripts/screenshots.py [--url URL] [--roles manager admin] [--lang vi en]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import browserkit  # noqa: E402


def _slug(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_") or "page"


def _prepare(url: str, customers: int) -> None:
    from crm_data import sample
    from crm_data.storage import schema
    from crm_data.storage.db import make_engine

    engine = make_engine(url)
    schema.upgrade(engine)
    if sample.is_new(engine):
        print(f"seeding {customers:,} sample customers into {url} …", flush=True)
        sample.generate(engine, customers=customers, seed=42)
    elif not sample.demo_logins(engine):  # never add known passwords to a real database
        engine.dispose()
        raise SystemExit(f"{url} has no demo logins: take screenshots of a sample database")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    from crm_data.storage.db import database_url

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default=None, help="database URL (default CRM_DATABASE_URL or data/crm.db)")
    p.add_argument("--out", default=str(ROOT / "screenshots"), help="directory (default screenshots/)")
    p.add_argument("--roles", nargs="+", default=["manager", "admin"])
    p.add_argument("--lang", nargs="+", default=["vi"], choices=["vi", "en"])
    p.add_argument("--customers", type=int, default=5000, help="sample size when the DB is empty")
    p.add_argument("--width", type=int, default=1440)
    args = p.parse_args(argv)

    if not Path(browserkit.CHROMIUM).exists():
        print(f"{browserkit.CHROMIUM} is missing: run `make system-test-deps` (as root)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    url = args.url or database_url()
    _prepare(url, args.customers)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    saved = 0
    with tempfile.TemporaryDirectory(prefix="crm-shots-") as tmp:
        proc, base = browserkit.start_app(url, Path(tmp) / "server.log")
        try:
            with sync_playwright() as pw:
                browser = browserkit.launch(pw)
                for lang in args.lang:
                    for role in args.roles:
                        context = browser.new_context(viewport={"width": args.width, "height": 1000})
                        page = context.new_page()
                        browserkit.login(page, base, role, browserkit.demo_password(role))
                        if lang == "en":
                            page.locator('[data-testid="stSidebar"] button',
                                         has_text="English").click()
                            browserkit.settle(page)
                        links = browserkit.nav_links(page)
                        for i in range(links.count()):
                            title = browserkit.link_title(links.nth(i))
                            links.nth(i).click()
                            browserkit.settle(page)
                            page.wait_for_timeout(400)  # charts finish their transition
                            path = out / f"{lang}-{role}-{i:02d}-{_slug(title)}.png"
                            browserkit.full_screenshot(page, path)
                            saved += 1
                            print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
                        context.close()
                browser.close()
        finally:
            browserkit.stop(proc)
    print(f"{saved} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
