"""`make demo`'s dashboard screenshots: a hall server on a made-up month (and a busy
morning today), an admin signing in through the login page in headless Chromium,
then the dashboard in Chinese and in English; then the phone page at the evaluation
step, on a hall server of its own (kiosk/hall/server/screens/phone_demo.py).

    python -m kiosk.hall.server.dashboard.demo demo-out/pages
    -> dashboard.png (zh), dashboard-en.png, phone-evaluation.png, phone-evaluation-en.png
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
from contextlib import closing
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.hall.server.dashboard import sample
from kiosk.hall.server.dashboard.accounts import AdminAccounts
from kiosk.hall.server.dashboard.browser import BrowserError, HeadlessChromium, Page
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.screens.phone_demo import write_phone_evaluation
from kiosk.queue.help import request_help
from kiosk.settings import ConfigError, load_settings

WIDTH, HEIGHT = 1600, 1300
DEMO_ADMIN = "manager"
HISTORY_DAYS = 22  # about a month of business days
TICKETS_A_DAY = 420


def demo_morning(zone_name: str) -> datetime:
    """10:40 in the hall this morning, or on the last weekday: a busy hour."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    day = datetime.now(zone).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(10, 40), zone).astimezone(UTC)


def sample_hall(running: RunningHall) -> None:
    """A month of history, this morning so far, two kiosks' device health, and a help
    request."""
    store = running.hall.store
    now = store.now()
    matters = [str(m["code"]) for m in running.hall.catalog.current.catalog["matters"]]
    hall = sample.SampleHall(running.hall.settings.queues, matters, store.zone)
    days = sample.business_days(store.business_day(now), HISTORY_DAYS)
    sample.fill(store.db, hall, days, TICKETS_A_DAY, now)
    sample.heartbeat(
        store.db,
        "K01",
        now,
        {"printer": "paper_near_end", "card_reader": "ready", "keypads_online": {"1": True}},
    )
    sample.heartbeat(
        store.db,
        "K02",
        now,
        {"printer": "ready", "card_reader": "ready", "keypads_online": {"3": False, "4": True}},
    )
    with store.db.transaction() as tx:  # 一键求助: a visitor at K02 asked for a guide
        request_help(tx, store.engine.hall, "K02", now - timedelta(minutes=2))


def sign_in(page: Page, base: str, name: str, password: str) -> None:
    page.navigate(f"{base}/dashboard/login")
    page.wait_for("document.readyState === 'complete' && !!document.getElementById('login')")
    page.evaluate(
        "(() => { const form = document.getElementById('login');"
        f" form.elements.namedItem('name').value = {json.dumps(name)};"
        f" form.elements.namedItem('password').value = {json.dumps(password)};"
        " form.submit(); })()"
    )
    page.wait_for("location.pathname === '/dashboard' && document.readyState === 'complete'")


def shoot(page: Page, url: str, path: Path) -> None:
    page.navigate(url)
    page.wait_for(
        "document.readyState === 'complete' && document.body.dataset.live === 'yes'"
        " && document.body.dataset.charts === 'yes'"
    )
    page.screenshot(path)


def write_screenshots(out_dir: Path) -> list[Path]:
    settings = load_settings()
    clock = FakeClock(demo_morning(settings.kiosk.timezone))
    password = secrets.token_urlsafe(18)
    with tempfile.TemporaryDirectory(prefix="hall-dashboard-demo-") as work:
        running = start_in_thread(Path(work) / "hall.sqlite3", settings, clock=clock)
        try:
            sample_hall(running)
            AdminAccounts(running.hall.store.db, clock).add(DEMO_ADMIN, password)
            with closing(HeadlessChromium()) as browser:
                page = browser.page(WIDTH, HEIGHT)
                sign_in(page, running.url, DEMO_ADMIN, password)
                written = []
                for lang, name in (("zh", "dashboard.png"), ("en", "dashboard-en.png")):
                    shoot(page, f"{running.url}/dashboard?lang={lang}&period=month", out_dir / name)
                    written.append(out_dir / name)
                return [*written, *write_phone_evaluation(settings, browser, out_dir)]
        finally:
            running.stop()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0] if args else "demo-out/pages")
    try:
        written = write_screenshots(out_dir)
    except (BrowserError, ConfigError, OSError) as error:
        print(f"dashboard screenshots: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
