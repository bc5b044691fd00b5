from __future__ import annotations

import json

from kiosk.journal import Journal
from kiosk.technician import (
    MASK,
    AuditTrail,
)

CHEAP = {"n": 2**10}


def test_the_audit_trail_masks_secrets_and_personal_data(journal: Journal) -> None:
    audit = AuditTrail(journal)
    audit.changed("technician.pin_hash", "", "scrypt$1$2$3$4$5")
    audit.changed("hall.token", "old-token", "new-token")
    audit.changed("ui.inactivity_seconds", 60, 90)
    audit.record("note", text="card " + "110105" + "19491231" + "002X")
    records = audit.records()
    assert [(r.key, r.old, r.new) for r in records[:3]] == [
        ("technician.pin_hash", "", MASK),
        ("hall.token", MASK, MASK),
        ("ui.inactivity_seconds", 60, 90),
    ]
    assert all(r.who == "technician" and r.at for r in records)
    raw = json.dumps([event.payload for event in journal.events()])
    assert "scrypt$" not in raw
    assert "token" not in raw.replace("hall.token", "")
    assert "19491231" not in raw
