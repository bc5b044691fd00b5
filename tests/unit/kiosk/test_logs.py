"""No ID number reaches a log: masked on screen, scrubbed from every log line."""

from __future__ import annotations

import io
import json
import logging

from drivers.idcard.card import mask_id_number
from kiosk.logs import scrub, setup_logging

# A fictitious number built from the GB 11643 example, so no real one sits in the source.
EXAMPLE_ID = "110105" + "19491231" + "002X"


def test_id_numbers_are_masked_on_screen_and_scrubbed_from_logs() -> None:
    assert mask_id_number(EXAMPLE_ID) == "110***********002X"
    assert EXAMPLE_ID not in scrub(f"card {EXAMPLE_ID} read")
    stream = io.StringIO()
    setup_logging(json_lines=True, stream=stream)
    logging.getLogger("test").warning("card %s read", EXAMPLE_ID)
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["level"] == "WARNING"
    assert EXAMPLE_ID not in entry["msg"]
    assert entry["msg"].startswith("card 110***")
    logging.getLogger().handlers.clear()
