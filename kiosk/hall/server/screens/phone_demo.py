"""`make demo`'s phone page at the evaluation step, on a hall server of its own: a
ticket is served at window 1, the window's keypad votes 非常不满意, and the taxpayer
opens the ticket's page, ticks two reasons and writes a note (not sent), in Chinese
(phone-evaluation.png) and in English (phone-evaluation-en.png)."""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path

from kiosk.hall.server.dashboard.browser import HeadlessChromium
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.settings import Settings

PHONE_WIDTH, PHONE_HEIGHT, PHONE_SCALE = 390, 844, 2.0
DEMO_REASONS = ("efficiency_wait", "process_trips")
DEMO_NOTES = {"zh": "等候一个多小时", "en": "Waited over an hour"}


def served_with_a_bad_vote(running: RunningHall) -> str:
    """A green ticket called and finished at window 1, voted 非常不满意 on its keypad."""
    store = running.hall.store
    window = next(q for q in store.settings.queues if q.code == "green").windows[0]
    answer, _ = store.reserve("K01", uuid.uuid4().hex, "green", [])
    ticket_id = str(answer["ticket_id"])
    store.commit(ticket_id, "printed")
    store.call_next(window)
    store.finish(window)
    vote = {
        "evaluation_id": uuid.uuid4().hex,
        "window": window,
        "level": 5,
        "ticket_number": answer["number"],
        "channel": "keypad",
    }
    record = {
        "idempotency_key": uuid.uuid4().hex,
        "kind": "evaluation.recorded",
        "at": store.now().isoformat(),
        "ticket_id": ticket_id,
        "payload": vote,
    }
    store.add_records("K01", [record])
    return ticket_id


def write_phone_evaluation(
    settings: Settings, browser: HeadlessChromium, out_dir: Path
) -> list[Path]:
    """phone-evaluation.png and phone-evaluation-en.png into `out_dir`."""
    written = []
    with tempfile.TemporaryDirectory(prefix="hall-phone-demo-") as work:
        running = start_in_thread(Path(work) / "hall.sqlite3", settings)
        try:
            page = browser.page(PHONE_WIDTH, PHONE_HEIGHT, PHONE_SCALE)
            for lang, name in (("zh", "phone-evaluation.png"), ("en", "phone-evaluation-en.png")):
                ticket_id = served_with_a_bad_vote(running)
                page.navigate(f"{running.url}/t/{ticket_id}?lang={lang}")
                page.wait_for("document.body.dataset.evaluation === 'reasons'")
                for code in DEMO_REASONS:
                    page.evaluate(f"document.querySelector('#reasons input[value={code}]').click()")
                note = json.dumps(DEMO_NOTES[lang], ensure_ascii=False)
                page.evaluate(f"document.getElementById('note').value = {note}")
                page.screenshot(out_dir / name)
                written.append(out_dir / name)
        finally:
            running.stop()
    return written
