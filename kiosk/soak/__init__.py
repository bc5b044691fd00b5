"""`kiosk sim soak`: a morning rush against the whole system, with faults, then an audit.

Design (issue #9):

- The orchestrator (this package, no Qt) starts the reference hall server as a
  subprocess on port 0 with a fresh SQLite file in a work directory, makes a token per
  kiosk and one for the window software, and starts the devices IN ITS OWN PROCESS: per
  kiosk an ESC/POS printer emulator and an ID card reader emulator, and one keypad bus
  (KP1, one keypad per window) mastered by kiosk 1. The devices outlive a killed kiosk
  like real hardware, and what they received is the ground truth: the slips each printer
  cut, the votes pressed on the keypads. The ID card reader is opened through a symlink
  in the kiosk's folder (as udev would name it), so unplugging it removes the link and
  plugging it back points the link at a new pty.
- Each kiosk is a subprocess, `python -m ui.soak_kiosk` (ui/soak_kiosk.py): the kiosk
  of `kiosk run` (ui/main.py's one root) offscreen on the http backend, driven through
  its screens by taxpayers arriving at `--rate` per minute AT EACH KIOSK (Poisson
  arrivals, random categories and matters; a real-name matter asks the orchestrator, on
  stdout, to put a card on the reader). It reports outcomes, its outbox's pending
  count and, at a clean stop (SIGTERM), its thread / Qt timer / fd counts before the
  kiosk was built and after it was closed.
- Window software: the orchestrator calls `call-next` and `finish` on random windows
  through the server's API, fast enough that queues drain; FINISHED events reach
  kiosk 1 over the event stream, which prompts that window's keypad; the orchestrator
  presses a random vote on every prompt and remembers it.
- The modules: run.py (the rush, the drain, the audit's evidence), processes.py (the
  server and kiosk processes, the devices and machine file of each kiosk), staff.py
  (the window software and the voters), faults.py, audit.py, result.py.
- Faults (`--faults`, see faults.py): paper out and refilled (kiosk 1's printer), cover
  open and closed (the last kiosk's printer), ID reader unplugged and plugged back
  (kiosk 1), a keypad silent for a while and another's reply corrupted once, the
  server SIGKILLed and restarted on the same db and port, the last kiosk SIGKILLed and
  restarted on the same data dir. Each fault happens once per run and lasts 8 % of it
  (5..30 s).
- The end: arrivals stop, each kiosk finishes its visit, the keypads settle, then the
  drain waits (with a deadline) until every kiosk reports 0 pending and the server's
  record count has not changed for 2 s; the kiosks get SIGTERM, the server is stopped,
  and the audit (audit.py) reads the server's db and each journal read-only.
- The audit: every reservation in a journal has exactly one outcome (printed,
  e-ticket, voided) and the server agrees; each printer cut exactly the numbers its
  kiosk journalled as printed, none twice; no (business day, number) twice across the
  journals and the server; the votes at the server (evaluations with a level) are
  exactly the votes pressed; `PRAGMA integrity_check` is ok for the server's db and
  every kiosk's journal and hall-link file; no visit got stuck on a screen; every
  kiosk that stopped cleanly had no more native threads, open fds or active Qt timers
  after closing than before it was built; every scheduled fault was injected.
- Long runs meet the hall's own limits: the daily quotas (comprehensive 400) refuse
  tickets and a queue's numbers end at 899; those visits end as "refused" / "failed"
  outcomes, which are counted but are not audit failures.
- A reservation a SIGKILL cut short (reserved, no outcome) is counted apart, at most
  one per kill of that kiosk; such a number stays "reserved" at the server (never
  called). Numbers are compared per business day: a run across midnight is fine.
"""

from kiosk.soak.audit import AuditResult, audit
from kiosk.soak.faults import FAULTS, Fault, FaultSpecError, parse_faults
from kiosk.soak.result import SoakError, SoakOptions, SoakResult
from kiosk.soak.run import run_soak

__all__ = [
    "FAULTS",
    "AuditResult",
    "Fault",
    "FaultSpecError",
    "SoakError",
    "SoakOptions",
    "SoakResult",
    "audit",
    "parse_faults",
    "run_soak",
]
