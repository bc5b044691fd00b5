"""The `kiosk` command: the same commands for technicians and tests, above `ui`.

One module per command group: run.py (run, demo), config.py, install_service.py,
sim.py (the emulators and the soak), ticket.py, hall.py, diag.py; main.py puts the
parser together. Every command prints JSON with `--json`.
"""
