"""The typed tables of 好差评 on the hall server (the "evaluations" part of the
database): staff sessions, calls, services, evaluations with their matters and 差评
reasons, follow-ups, and the province outbox."""

from __future__ import annotations

from kiosk.queue import Migrations

# Step 1 of the "evaluations" part (a change is a new step, never an edit of this).
# Times are ISO 8601 text in UTC, as everywhere in the server's tables.
EVALUATIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff_sessions (
    client_id TEXT NOT NULL,
    window_number INTEGER NOT NULL,
    staff_id TEXT NOT NULL,
    signed_in_at TEXT NOT NULL,
    signed_out_at TEXT
);
CREATE INDEX IF NOT EXISTS staff_sessions_open ON staff_sessions (window_number, signed_out_at);
CREATE TABLE IF NOT EXISTS calls (
    client_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    ticket_id TEXT,
    number TEXT NOT NULL,
    queue TEXT,
    window_number INTEGER NOT NULL,
    staff_id TEXT,
    called_at TEXT NOT NULL,
    recall INTEGER NOT NULL,
    PRIMARY KEY (client_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS services (
    service_key TEXT PRIMARY KEY,
    ticket_id TEXT,
    number TEXT NOT NULL,
    queue TEXT,
    window_number INTEGER NOT NULL,
    staff_id TEXT,
    business_day TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT
);
CREATE TABLE IF NOT EXISTS evaluations (
    evaluation_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    ticket_id TEXT,
    case_number TEXT,
    number TEXT,
    window_number INTEGER NOT NULL,
    staff_id TEXT,
    level INTEGER,
    channel TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    is_repeat INTEGER NOT NULL,
    evaluated_at TEXT NOT NULL,
    business_day TEXT NOT NULL,
    content_at TEXT
);
CREATE INDEX IF NOT EXISTS evaluations_by_ticket ON evaluations (ticket_id);
CREATE INDEX IF NOT EXISTS evaluations_by_day ON evaluations (business_day);
CREATE TABLE IF NOT EXISTS evaluation_matters (
    evaluation_id TEXT NOT NULL,
    matter_code TEXT NOT NULL,
    implementation_code TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, matter_code)
);
CREATE TABLE IF NOT EXISTS evaluation_reasons (
    evaluation_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, reason)
);
CREATE TABLE IF NOT EXISTS follow_ups (
    evaluation_id TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL,
    deadline TEXT NOT NULL,
    assignee TEXT NOT NULL DEFAULT '',
    contact_result TEXT NOT NULL DEFAULT '',
    rectification TEXT NOT NULL DEFAULT '',
    contact_phone TEXT,
    closed_at TEXT,
    closing_note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS province_outbox (
    item_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    due_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS province_outbox_due ON province_outbox (delivered_at, next_attempt_at);
"""

# Step 2: staff, calls, services and evaluations belong to a hall (window 1 of one
# hall is not window 1 of another; no hall reads another's figures). Rows from before
# go to the hall of their ticket, else of their kiosk's token, else to main.
# Follow-ups, matters and reasons belong to their evaluation's hall.
HALL_STEP = """
ALTER TABLE staff_sessions ADD COLUMN hall TEXT NOT NULL DEFAULT 'main';
ALTER TABLE calls ADD COLUMN hall TEXT NOT NULL DEFAULT 'main';
ALTER TABLE services ADD COLUMN hall TEXT NOT NULL DEFAULT 'main';
ALTER TABLE evaluations ADD COLUMN hall TEXT NOT NULL DEFAULT 'main';
UPDATE staff_sessions SET hall = (
    SELECT tokens.hall FROM tokens WHERE tokens.client_id = staff_sessions.client_id
) WHERE client_id IN (SELECT client_id FROM tokens);
UPDATE calls SET hall = (
    SELECT tokens.hall FROM tokens WHERE tokens.client_id = calls.client_id
) WHERE client_id IN (SELECT client_id FROM tokens);
UPDATE calls SET hall = (
    SELECT tickets.hall FROM tickets WHERE tickets.ticket_id = calls.ticket_id
) WHERE ticket_id IN (SELECT ticket_id FROM tickets);
UPDATE services SET hall = (
    SELECT tickets.hall FROM tickets WHERE tickets.ticket_id = services.ticket_id
) WHERE ticket_id IN (SELECT ticket_id FROM tickets);
UPDATE evaluations SET hall = (
    SELECT tokens.hall FROM tokens WHERE tokens.client_id = evaluations.client_id
) WHERE client_id IN (SELECT client_id FROM tokens);
UPDATE evaluations SET hall = (
    SELECT tickets.hall FROM tickets WHERE tickets.ticket_id = evaluations.ticket_id
) WHERE ticket_id IN (SELECT ticket_id FROM tickets);
CREATE INDEX IF NOT EXISTS staff_sessions_of_hall ON staff_sessions
    (hall, window_number, signed_out_at);
CREATE INDEX IF NOT EXISTS evaluations_by_hall_day ON evaluations (hall, business_day);
CREATE INDEX IF NOT EXISTS services_by_hall_day ON services (hall, business_day)
"""

# Step 3: the dashboard reads a hall's counted evaluations of a period by their time.
TIME_INDEX_STEP = """
CREATE INDEX IF NOT EXISTS evaluations_by_hall_time ON evaluations (hall, evaluated_at)
"""

EVALUATION_MIGRATIONS = Migrations(
    "evaluations",
    (EVALUATIONS_SCHEMA, HALL_STEP, TIME_INDEX_STEP),
    found_by=("evaluations", "evaluation_id"),
)
