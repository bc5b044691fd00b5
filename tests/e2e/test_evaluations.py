"""好差评 end to end, on real components: a kiosk with its emulated keypad bus, a hall
server on loopback, and a province platform receiver on loopback that checks every
field and the signature of what it receives.

A ticket is issued; the staff member signs in on the window's keypad with their
number; the window calls and finishes the ticket from the keypad; the keypad votes
非常不满意; the reasons are chosen on the phone page, in headless Chromium (channel QR); the
follow-up is due on 2026-10-13, across 国庆 (10-01..07 off) and the 调休 Saturday
10-10; the receiver holds the evaluation and, once it is closed, its follow-up.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from drivers.keypad.protocol import KeypadEvent as Key
from drivers.sim.keypads import KeypadBusEmulator
from kiosk.app import Kiosk, build_kiosk
from kiosk.catalog import load_catalog
from kiosk.clock import FakeClock
from kiosk.hall import api
from kiosk.hall.province import load_province
from kiosk.hall.server.hall import ServerOptions
from kiosk.hall.server.runner import RunningHall, start_in_thread
from kiosk.hall.server.store.evaluation_core import case_number
from kiosk.hall.server.tokens import create_token
from kiosk.settings import CONFIG_DIR, load_settings
from kiosk.triage import route_visit
from tests.helpers.browser import OpenPage, chromium
from tests.helpers.province import APP_ID, SECRET, Receiver
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.e2e

WEDNESDAY = datetime(2026, 9, 30, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, before 国庆
WAIT = 20.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[OpenPage]:
    with chromium(tmp_path) as open_page:
        yield open_page


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(WEDNESDAY)


@pytest.fixture
def server(tmp_path: Path, receiver: Receiver, clock: FakeClock) -> Iterator[RunningHall]:
    folder = tmp_path / "server"
    folder.mkdir()
    credentials = folder / "province.json"
    credentials.write_text(json.dumps({"app_id": APP_ID, "app_secret": SECRET}))
    os.chmod(credentials, 0o600)
    province_file = folder / "province.toml"
    province_file.write_text(
        f'url = "{receiver.url}"\ncredentials = "province.json"\n'
        f'mapping = "{CONFIG_DIR / "province" / "national-mapping.json"}"\n'
        'department_code = "11440300MB0000000X"\narea_code = "440300"\n'
        'hall_code = "440300-HALL-01"\nhall_name = "示例办税服务厅"\npoll_seconds = 0.05\n',
        encoding="utf-8",
    )
    options = ServerOptions(province=load_province(province_file))
    running = start_in_thread(
        folder / "hall.sqlite3", load_settings(), clock=clock, options=options
    )
    yield running
    running.stop()


@pytest.fixture
def kiosk(
    server: RunningHall, clock: FakeClock, tmp_path: Path
) -> Iterator[tuple[Kiosk, KeypadBusEmulator]]:
    emulator = KeypadBusEmulator([1], baud=None)
    port = emulator.start()
    db = server.hall.store.location
    settings = load_settings(
        None,
        overrides={
            "kiosk": {"id": "K01", "data_dir": str(tmp_path / "kiosk")},
            "hall": {
                "backend": "http",
                "url": server.url,
                "token": create_token(  # type: ignore[arg-type]
                    db, "K01", server.hall.settings, windows=range(1, 14)
                ),
            },
            "printer": {"port": str(tmp_path / "no-printer")},
            "keypads": {"addresses": [1]},
        },
    )
    built = build_kiosk(
        settings, load_catalog(settings.catalog_path), clock=clock, keypad_port=port
    )
    try:
        yield built, emulator
    finally:
        built.close()
        emulator.stop()


def press(emulator: KeypadBusEmulator, *keys: Key) -> None:
    """Each key pressed on keypad 1, and taken (acknowledged) by the kiosk's bus."""
    for key in keys:
        emulator.press(1, key)
        wait_for(lambda: not emulator.pending(1), WAIT, f"{key.name} taken")


def test_a_bad_review_from_the_ticket_to_the_province(
    kiosk: tuple[Kiosk, KeypadBusEmulator],
    server: RunningHall,
    receiver: Receiver,
    clock: FakeClock,
    browser: OpenPage,
) -> None:
    desk, emulator = kiosk
    store = server.hall.store
    catalog = desk.catalog
    matter = next(
        m for m in catalog.matters if route_visit([m], desk.settings).queue.code == "green"
    )
    assert desk.windows is not None
    desk.windows.start()  # the keypad bus, on its thread
    desk.hall.start_events()  # the server's calls reach the windows' keypads
    wait_for(lambda: desk.hall.events_connected.is_set(), WAIT, "the event stream")  # type: ignore[attr-defined]
    # 1. A ticket is issued.
    ticket = desk.tickets.issue(route_visit([matter], desk.settings), "zh").reservation
    # The staff member signs in at window 1: staff key twice, 1 0 3 7, staff key.
    press(emulator, Key.ASK_EVALUATION, Key.ASK_EVALUATION, Key.VERY_SATISFIED)
    press(emulator, Key.RECALL, Key.VERY_DISSATISFIED, Key.BASICALLY_SATISFIED)
    press(emulator, Key.RECALL, Key.SATISFIED, Key.ASK_EVALUATION)
    # 2. The window calls and finishes it, on its keypad.
    press(emulator, Key.CALL_NEXT)
    wait_for(lambda: getattr(store.ticket(ticket.ticket_id), "status", "") == "called", WAIT)
    press(emulator, Key.ASK_EVALUATION)
    wait_for(lambda: emulator.prompting(1) == ticket.number, WAIT, "the prompt")
    # 3. The keypad votes 非常不满意.
    press(emulator, Key.VERY_DISSATISFIED)
    assert desk.outbox_delivery is not None
    desk.outbox_delivery.flush()
    public = httpx.Client(base_url=server.url, timeout=10)
    path = api.PATH_TICKET_EVALUATION.format(ticket_id=ticket.ticket_id)
    state = public.get(path).json()
    assert (state["level"], state["wants_content"]) == (5, True)
    assert {"efficiency_wait", "other"} <= {reason["code"] for reason in state["reasons"]}
    # The window screen shows who served (signed in on the keypad, told by its records).
    screen = browser(f"{server.url}/display/window/1?muted=1")
    screen.wait_for("document.body.dataset.staff === '1037'")
    # 4. The reasons are chosen on the phone page the ticket's QR opens.
    phone = browser(f"{server.url}/t/{ticket.ticket_id}")
    phone.wait_for("document.body.dataset.evaluation === 'reasons'")
    for code in ("efficiency_wait", "other"):
        phone.evaluate(f"document.querySelector('#reasons input[value={code}]').click()")
    phone.evaluate("document.getElementById('note').value = '等了很久'")
    phone.evaluate("document.getElementById('send').click()")
    phone.wait_for("document.body.dataset.evaluation === 'noted'")
    assert public.get(path).json()["content_given"] is True
    assert public.post(path, json={"reasons": ["other"]}).status_code == 409  # once
    # 6. The receiver holds the record, every field checked.
    wait_for(lambda: receiver.of_type("evaluation:"), WAIT, "the evaluation upward")
    [evaluation] = receiver.of_type("evaluation:")
    [voted] = [e for e in desk.journal.events() if e.kind == "evaluation.recorded"]
    evaluation_id = voted.payload["evaluation_id"]
    assert evaluation == {
        "assessId": f"evaluation:{evaluation_id}",
        "projectNo": case_number(ticket.ticket_id, date(2026, 9, 30), ticket.number),
        "taskCode": matter.implementation_code,
        "matterCode": matter.code,
        "deptCode": "11440300MB0000000X",
        "areaCode": "440300",
        "hallCode": "440300-HALL-01",
        "hallName": "示例办税服务厅",
        "windowNo": "1",
        "workerNo": "1037",
        "pf": "3",  # QR code: the content came from the phone page
        "alternate": "1",  # 非常不满意, in the national numbering
        "alternateName": "非常不满意",
        "isBad": "1",
        "appraisald": "201,901",
        "writingEvaluation": "等了很久",
        "assessTime": "2026-09-30 09:30:00",
    }
    assert receiver.refusals == []
    # 5. The follow-up is due 2026-10-13 (on the kiosk and on the server): not overdue
    # that day, overdue the next.
    [opened] = desk.windows.open_follow_ups()
    assert opened.deadline == date(2026, 10, 13)
    staff = httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {store.create_token('DASH', role='admin')}"},
        timeout=10,
    )
    clock.advance((datetime(2026, 10, 13, 8, 0, tzinfo=UTC) - clock.now()).total_seconds())
    assert staff.get(api.PATH_FOLLOW_UPS_OVERDUE).json()["follow_ups"] == []
    clock.advance(17 * 3600)  # 2026-10-14 09:00 in Shanghai
    [overdue] = staff.get(api.PATH_FOLLOW_UPS_OVERDUE).json()["follow_ups"]
    assert (overdue["deadline"], overdue["staff_id"], overdue["window"]) == (
        "2026-10-13",
        "1037",
        1,
    )
    closed = staff.post(
        api.PATH_FOLLOW_UP.format(evaluation_id=evaluation_id),
        json={
            "assignee": "王科长",
            "contact_result": "已电话联系",
            "rectification": "高峰时段加开窗口",
            "contact_phone": "13812345678",
            "consent": True,
            "close": True,
            "closing_note": "纳税人认可",
        },
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["contact_phone"] == "138****5678"
    wait_for(lambda: receiver.of_type("follow_up:"), WAIT, "the follow-up upward")
    [follow_up] = receiver.of_type("follow_up:")
    assert follow_up == {
        "assessId": f"follow_up:{evaluation_id}",
        "evaluationId": evaluation_id,
        "projectNo": evaluation["projectNo"],
        "deptCode": "11440300MB0000000X",
        "areaCode": "440300",
        "hallCode": "440300-HALL-01",
        "windowNo": "1",
        "workerNo": "1037",
        "rectifyDeadline": "2026-10-13",
        "rectifyUser": "王科长",
        "contactResult": "已电话联系",
        "rectifyContent": "高峰时段加开窗口",
        "rectifyTime": "2026-10-14 09:00:00",
        "rectifyNote": "纳税人认可",
        "isOverdue": "1",
    }
    assert "13812345678" not in json.dumps(receiver.records, ensure_ascii=False)
    public.close()
    staff.close()


def test_a_rating_on_the_phone_page_ends_the_keypad_prompt_and_the_keypad_s_is_a_repeat(
    kiosk: tuple[Kiosk, KeypadBusEmulator], server: RunningHall
) -> None:
    desk, emulator = kiosk
    matter = next(
        m for m in desk.catalog.matters if route_visit([m], desk.settings).queue.code == "green"
    )
    assert desk.windows is not None
    desk.windows.start()
    desk.hall.start_events()
    wait_for(lambda: desk.hall.events_connected.is_set(), WAIT, "the event stream")  # type: ignore[attr-defined]
    ticket = desk.tickets.issue(route_visit([matter], desk.settings), "zh").reservation
    press(emulator, Key.CALL_NEXT)
    press(emulator, Key.ASK_EVALUATION)  # finished: the keypad prompts
    wait_for(lambda: emulator.prompting(1) == ticket.number, WAIT, "the prompt")
    path = api.PATH_TICKET_EVALUATION.format(ticket_id=ticket.ticket_id)
    rated = httpx.post(server.url + path, json={"level": 2}, timeout=WAIT)
    assert rated.status_code == 200, rated.text
    wait_for(lambda: emulator.prompting(1) is None, WAIT, "the keypad back to idle")
    press(emulator, Key.VERY_DISSATISFIED)  # a vote on the keypad afterwards
    [vote] = [e.payload for e in desk.journal.events() if e.kind == "evaluation.recorded"]
    assert (vote["level"], vote["repeat"]) == (5, True)
    assert desk.windows.open_follow_ups() == []  # a repeat opens no follow-up
    assert desk.outbox_delivery is not None
    desk.outbox_delivery.flush()
    assert httpx.get(server.url + path, timeout=WAIT).json()["level"] == 2  # the phone's
