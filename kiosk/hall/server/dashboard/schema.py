"""The dashboard's tables, a part of the hall server's database (HALL_SERVER_PARTS).

Only the queue's migrations are imported here: the command line upgrades databases
without loading the web server.
"""

from __future__ import annotations

from kiosk.queue import Migrations

# Step 1: admins (a salted scrypt hash, never the password), their sessions (a hash
# of the cookie, never the cookie; the CSRF token of each), failed logins per name
# for the lock-out. Indexes: the history reads tickets by day with their times, and
# records by kind and time.
DASHBOARD_SCHEMA = """
CREATE TABLE IF NOT EXISTS admins (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS admin_sessions (
    session_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS admin_sessions_by_name ON admin_sessions (name);
CREATE TABLE IF NOT EXISTS admin_lockouts (
    name TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_by_day_times ON tickets
    (business_day, queue, issued_at, called_at, finished_at, "window", status);
CREATE INDEX IF NOT EXISTS records_by_kind_at ON records (kind, at)
"""

# Step 2: the history of a year of a busy hall (300,000 tickets) within 200 ms a chart
# (bench/dashboard.py): each business day's tickets summed by queue and hour of issue,
# and by matters (dashboard_hours, dashboard_matters), kept with the day's count of
# tickets per status (dashboard_days.fingerprint): a day whose counts changed (a late
# offline ticket, a call, a void) is summed again (queries.changed_days).
DASHBOARD_DAY_SUMS = """
CREATE TABLE IF NOT EXISTS dashboard_days (
    business_day TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dashboard_hours (
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    hour INTEGER NOT NULL,
    tickets INTEGER NOT NULL,
    called INTEGER NOT NULL,
    finished INTEGER NOT NULL,
    wait_sum DOUBLE PRECISION NOT NULL,
    wait_max DOUBLE PRECISION,
    PRIMARY KEY (business_day, queue, hour)
);
CREATE TABLE IF NOT EXISTS dashboard_matters (
    business_day TEXT NOT NULL,
    matters TEXT NOT NULL,
    tickets INTEGER NOT NULL,
    PRIMARY KEY (business_day, matters)
)
"""

# Step 3: an admin is of a hall and sees its figures only (admins from before: main).
# The day sums are per hall (the same queue names number apart in each hall). They
# are sums of the tickets, so they are made anew: a day is summed again when first
# read.
DASHBOARD_HALL_SUMS = """
ALTER TABLE admins ADD COLUMN hall TEXT NOT NULL DEFAULT 'main';
DROP TABLE IF EXISTS dashboard_days;
DROP TABLE IF EXISTS dashboard_hours;
DROP TABLE IF EXISTS dashboard_matters;
CREATE TABLE dashboard_days (
    hall TEXT NOT NULL,
    business_day TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (hall, business_day)
);
CREATE TABLE dashboard_hours (
    hall TEXT NOT NULL,
    business_day TEXT NOT NULL,
    queue TEXT NOT NULL,
    hour INTEGER NOT NULL,
    tickets INTEGER NOT NULL,
    called INTEGER NOT NULL,
    finished INTEGER NOT NULL,
    wait_sum DOUBLE PRECISION NOT NULL,
    wait_max DOUBLE PRECISION,
    PRIMARY KEY (hall, business_day, queue, hour)
);
CREATE TABLE dashboard_matters (
    hall TEXT NOT NULL,
    business_day TEXT NOT NULL,
    matters TEXT NOT NULL,
    tickets INTEGER NOT NULL,
    PRIMARY KEY (hall, business_day, matters)
);
CREATE INDEX IF NOT EXISTS tickets_by_hall_day_times ON tickets
    (hall, business_day, queue, issued_at, called_at, finished_at, "window", status)
"""

DASHBOARD_MIGRATIONS = Migrations(
    "dashboard",
    (DASHBOARD_SCHEMA, DASHBOARD_DAY_SUMS, DASHBOARD_HALL_SUMS),
    found_by=("admins", "name"),
)
