"""The evaluations part's step 2 (per hall) on SQLite and PostgreSQL: rows written
before it go to the hall of their ticket, else of their kiosk's token, else to main."""

from __future__ import annotations

from dataclasses import replace

from kiosk.hall.server.store import Location
from kiosk.hall.server.store.base import SERVER_MIGRATIONS, database_at
from kiosk.hall.server.store.evaluation_schema import EVALUATION_MIGRATIONS
from kiosk.queue import QUEUE_MIGRATIONS, upgrade

AT = "2026-11-23T01:30:00+00:00"

ROWS = f"""
INSERT INTO tokens (client_id, token_hash, created_at, hall) VALUES ('E01', 'h', '{AT}', 'east');
INSERT INTO tickets (ticket_id, business_day, queue, seq, number, status, matters, kiosk_id,
    issued_at, hall) VALUES ('t-east', '2026-11-23', 'green', 1, 'G001', 'finished', '[]',
    'E01', '{AT}', 'east');
INSERT INTO staff_sessions (client_id, window_number, staff_id, signed_in_at)
    VALUES ('E01', 1, '2001', '{AT}');
INSERT INTO staff_sessions (client_id, window_number, staff_id, signed_in_at)
    VALUES ('GONE', 1, '1001', '{AT}');
INSERT INTO calls (client_id, idempotency_key, ticket_id, number, window_number, called_at,
    recall) VALUES ('E01', 'c1', 't-east', 'G001', 1, '{AT}', 0);
INSERT INTO services (service_key, ticket_id, number, window_number, business_day)
    VALUES ('t-east', 't-east', 'G001', 1, '2026-11-23');
INSERT INTO services (service_key, number, window_number, business_day)
    VALUES ('GONE:2026-11-23:G002', 'G002', 1, '2026-11-23');
INSERT INTO evaluations (evaluation_id, client_id, ticket_id, window_number, channel,
    is_repeat, evaluated_at, business_day) VALUES ('e1', 'qr', 't-east', 1, 'qr', 0, '{AT}',
    '2026-11-23')
"""


def test_rows_from_before_halls_go_to_the_hall_of_their_ticket_or_token(
    database_location: Location,
) -> None:
    database = database_at(database_location)
    first = replace(EVALUATION_MIGRATIONS, steps=EVALUATION_MIGRATIONS.steps[:1])
    upgrade(database, QUEUE_MIGRATIONS, SERVER_MIGRATIONS, first)
    with database.transaction() as tx:
        tx.script(ROWS)
    (change,) = upgrade(database, EVALUATION_MIGRATIONS)
    assert (change.before, change.after) == (1, EVALUATION_MIGRATIONS.latest)
    with database.read() as tx:
        staff = tx.all("SELECT client_id, hall FROM staff_sessions ORDER BY client_id")
        assert staff == [("E01", "east"), ("GONE", "main")]
        assert tx.all("SELECT hall FROM calls") == [("east",)]
        services = tx.all("SELECT service_key, hall FROM services ORDER BY service_key")
        assert services == [("GONE:2026-11-23:G002", "main"), ("t-east", "east")]
        assert tx.all("SELECT hall FROM evaluations") == [("east",)]
    database.close()
